import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppUpdater } from 'electron-updater';
import { afterEach, describe, expect, it } from 'vitest';
import { bridgeContract, type ServerMessage } from '../../common/contract/index.ts';
import { Settings } from '../../common/settings.ts';
import { initialUpdateState } from '../../common/update-policy.ts';
import { Router } from '../../common/contract/router.ts';
import { serveShell, shellClient } from '../../common/contract/shell-channel.ts';
import { shellContract } from '../../common/contract/shell.ts';
import { silentLogger } from '../../node/logger.ts';
import { attachUpdateRelay } from '../../station/update-relay.ts';
import { installId, wireUpdates } from '../../main/update-wiring.ts';

/**
 * Main's half (main/update-wiring.ts, on main's Router of the shell contract) and the station's half
 * (station/update-relay.ts, on the station's shell client) joined by plain objects in place of
 * Electron's utilityProcess pipe (no Electron binary here): they must speak the same contract. The updater itself is a stand-in that an unpackaged build never touches.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'update-wiring-'));
  dirs.push(d);
  return d;
};

function pipe() {
  const toStation: ((e: { data: unknown }) => void)[] = [];
  const toMain: ((m: unknown) => void)[] = [];
  const later = (f: () => void) => setImmediate(f);
  return {
    // What main holds: the utility process.
    child: {
      postMessage: (m: unknown) => later(() => toStation.forEach((l) => l({ data: m }))),
      on: (_e: 'message', l: (m: unknown) => void) => toMain.push(l),
    },
    // What the station process holds: its parentPort.
    parent: {
      postMessage: (m: unknown) => later(() => toMain.forEach((l) => l(m))),
      on: (_e: 'message', l: (e: { data: unknown }) => void) => toStation.push(l),
    },
  };
}

describe('update wiring between main and the station process', () => {
  it('keeps one install id per installation', () => {
    const dir = tempDir();
    const id = installId(dir);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(installId(dir)).toBe(id);
    expect(readFileSync(join(dir, 'install-id'), 'utf8').trim()).toBe(id);
    expect(installId(tempDir())).not.toBe(id);
  });

  it("gets main's state to the windows and the windows' requests to main, and asks the station for the facts", async () => {
    const { child, parent } = pipe();
    const mainShell = new Router(shellContract, silentLogger(), 'shell');
    serveShell(child, mainShell, silentLogger());
    const wiring = wireUpdates({
      isPackaged: false,
      version: '0.3.0',
      appPath: tempDir(),
      userData: tempDir(),
      env: {},
      logger: { info() {}, warn() {}, error() {} },
      updater: {} as AppUpdater, // never touched: an unpackaged build does not update
      shell: mainShell,
    });

    const router = new Router(bridgeContract, silentLogger());
    const events: ServerMessage[] = [];
    router.subscribe((m) => events.push(m));
    attachUpdateRelay({
      router,
      shell: shellClient(parent, silentLogger()),
      log: silentLogger(),
      fallback: () => initialUpdateState({ currentVersion: '0.3.0', channel: 'stable', signedBuild: false, disabledReason: 'waiting_for_shell' }),
    });
    const asked: string[] = [];
    const linkListeners = new Map<string, (p: unknown) => void>();
    const stationSettings = Settings.parse({});
    const link = {
      invoke: (name: string) => {
        asked.push(name);
        return Promise.resolve(name === 'cashier.state' ? { shift: null } : name === 'sync.status' ? { stationId: null } : stationSettings);
      },
      on: (name: string, l: (p: unknown) => void) => {
        linkListeners.set(name, l);
        return () => {};
      },
    };
    wiring.attachStation(link as never);
    await new Promise((r) => setTimeout(r, 20));

    const state = await router.dispatch({ t: 'req', id: 1, name: 'update.getState', input: {} });
    expect(state).toMatchObject({ ok: true, output: { phase: 'disabled', disabledReason: 'not_packaged', currentVersion: '0.3.0', signedBuild: false } });
    // main's state came as the answer to the relay's read at start: the windows were told once.
    expect(events.filter((e) => e.t === 'evt' && e.name === 'update.state')).toHaveLength(1);
    expect(await router.dispatch({ t: 'req', id: 2, name: 'update.checkNow', input: {} })).toMatchObject({
      ok: true,
      output: { phase: 'disabled', disabledReason: 'not_packaged' },
    });
    expect(await router.dispatch({ t: 'req', id: 3, name: 'update.forceInstall', input: { confirm: true } })).toMatchObject({
      ok: true,
      output: { accepted: false, reason: 'disabled' },
    });

    // The policy's facts come from the station: the settings once, enrolment (again after every status push), the shift, the taps.
    expect(asked).toEqual(['settings.get', 'sync.status', 'cashier.state']);
    expect([...linkListeners.keys()].sort()).toEqual(['card.presented', 'cashier.shift', 'settings.changed', 'station.status']);
    linkListeners.get('station.status')!({});
    expect(asked).toEqual(['settings.get', 'sync.status', 'cashier.state', 'sync.status']);
    expect(wiring.policySettings()).toMatchObject({ backendUrl: stationSettings.backendUrl, update: { channel: 'stable' } });

    // The settings the station publishes to every window reach the policy without another read.
    const changed = Settings.parse({ backendUrl: 'https://backend.school.example', update: { channel: 'beta' } });
    linkListeners.get('settings.changed')!(changed);
    expect(wiring.policySettings()).toMatchObject({ backendUrl: 'https://backend.school.example', update: { channel: 'beta' } });
    // One that breaks the contract is not taken: the last good settings stay.
    linkListeners.get('settings.changed')!({ backendUrl: 42 });
    expect(wiring.policySettings()).toMatchObject({ backendUrl: 'https://backend.school.example', update: { channel: 'beta' } });
    expect(asked).toEqual(['settings.get', 'sync.status', 'cashier.state', 'sync.status']);
  });
});
