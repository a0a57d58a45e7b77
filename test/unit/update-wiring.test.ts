import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppUpdater } from 'electron-updater';
import { afterEach, describe, expect, it } from 'vitest';
import { bridgeContract, type ServerMessage } from '../../common/contract/index.ts';
import { Settings } from '../../common/settings.ts';
import { initialUpdateState } from '../../common/update-policy.ts';
import { Router } from '../../common/contract/router.ts';
import { silentLogger } from '../../node/logger.ts';
import { attachUpdateRelay } from '../../station/update-relay.ts';
import { installId, wireUpdates } from '../../main/update-wiring.ts';

/**
 * Main's half (main/update-wiring.ts) and the station's half (station/update-relay.ts) joined by plain
 * objects in place of Electron's utilityProcess pipe (no Electron binary here): they must speak the
 * same messages. The updater itself is a stand-in that an unpackaged build never touches.
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
    const router = new Router(bridgeContract, silentLogger());
    const events: ServerMessage[] = [];
    router.subscribe((m) => events.push(m));
    attachUpdateRelay({
      router,
      parent,
      log: silentLogger(),
      fallback: () => initialUpdateState({ currentVersion: '0.3.0', channel: 'stable', signedBuild: false, disabledReason: 'waiting_for_shell' }),
    });
    const asked: string[] = [];
    const linkListeners = new Map<string, (p: unknown) => void>();
    const link = {
      invoke: (name: string) => {
        asked.push(name);
        return Promise.resolve(name === 'cashier.state' ? { shift: null } : name === 'sync.status' ? { stationId: null } : Settings.parse({}));
      },
      on: (name: string, l: (p: unknown) => void) => {
        linkListeners.set(name, l);
        return () => {};
      },
    };
    const wiring = wireUpdates({
      isPackaged: false,
      version: '0.3.0',
      appPath: tempDir(),
      userData: tempDir(),
      env: {},
      logger: { info() {}, warn() {}, error() {} },
      updater: {} as AppUpdater, // never touched: an unpackaged build does not update
    });
    wiring.attachStation(child, link as never);
    await new Promise((r) => setTimeout(r, 20));

    const state = await router.dispatch({ t: 'req', id: 1, name: 'update.getState', input: {} });
    expect(state).toMatchObject({ ok: true, output: { phase: 'disabled', disabledReason: 'not_packaged', currentVersion: '0.3.0', signedBuild: false } });
    expect(events.filter((e) => e.t === 'evt' && e.name === 'update.state')).toHaveLength(1);
    expect(await router.dispatch({ t: 'req', id: 2, name: 'update.checkNow', input: {} })).toMatchObject({
      ok: true,
      output: { phase: 'disabled', disabledReason: 'not_packaged' },
    });
    expect(await router.dispatch({ t: 'req', id: 3, name: 'update.forceInstall', input: { confirm: true } })).toMatchObject({
      ok: true,
      output: { accepted: false, reason: 'disabled' },
    });

    // The policy's facts come from the station: settings and enrolment (again after every status push), the shift, the taps.
    expect(asked).toEqual(['settings.get', 'sync.status', 'cashier.state']);
    expect([...linkListeners.keys()].sort()).toEqual(['card.presented', 'cashier.shift', 'station.status']);
    linkListeners.get('station.status')!({});
    expect(asked).toEqual(['settings.get', 'sync.status', 'cashier.state', 'settings.get', 'sync.status']);
  });
});
