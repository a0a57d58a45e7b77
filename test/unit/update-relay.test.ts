import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../common/contract/index.ts';
import { bridgeContract } from '../../common/contract/index.ts';
import { Router } from '../../common/contract/router.ts';
import { serveShell, shellClient, type ShellClient } from '../../common/contract/shell-channel.ts';
import { shellContract } from '../../common/contract/shell.ts';
import { initialUpdateState, type UpdateChannel, type UpdateState } from '../../common/update-policy.ts';
import { silentLogger } from '../../node/logger.ts';
import { attachUpdateRelay } from '../../station/update-relay.ts';

/**
 * The station's update relay over plain objects: a real Router, and in place of Electron's
 * utilityProcess pipe (unreachable without the Electron binary) a two-way stand-in whose main end
 * runs main's Router of the shell contract with handlers each test gives.
 */
function mainStandIn() {
  const toStation: ((e: { data: unknown }) => void)[] = [];
  const toMain: ((m: unknown) => void)[] = [];
  const later = (f: () => void) => new Promise<void>((done) => setImmediate(() => (f(), done())));
  /** What the station sent main, as the station's line carried it. */
  const sent: { t: string; name: string }[] = [];
  const child = {
    postMessage: (m: unknown) => void later(() => toStation.forEach((l) => l({ data: m }))),
    on: (_e: 'message', l: (m: unknown) => void) => toMain.push(l),
  };
  const parent = {
    postMessage: (m: unknown) => {
      sent.push((m as { message: { t: string; name: string } }).message);
      void later(() => toMain.forEach((l) => l(m)));
    },
    on: (_e: 'message', l: (e: { data: unknown }) => void) => toStation.push(l),
  };
  const router = new Router(shellContract, silentLogger(), 'shell');
  serveShell(child, router, silentLogger());
  const shell = shellClient(parent, silentLogger());
  return {
    router,
    shell,
    sent,
    /** Main posts raw to the station process (delivered on a later tick, as a real port does). */
    post: (data: unknown) => later(() => toStation.forEach((l) => l({ data }))),
  };
}

function setup(shell: ShellClient | null, opts: { timeoutMs?: number; channel?: () => UpdateChannel } = {}) {
  const router = new Router(bridgeContract, silentLogger());
  const events: ServerMessage[] = [];
  router.subscribe((m) => events.push(m));
  const channel = opts.channel ?? (() => 'stable' as const);
  const relay = attachUpdateRelay({
    router,
    shell,
    log: silentLogger(),
    fallback: () =>
      initialUpdateState({ currentVersion: '0.1.0', channel: channel(), signedBuild: false, disabledReason: shell ? 'waiting_for_shell' : 'browser_host' }),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
  let id = 1;
  const call = (name: string, input: unknown = {}) => router.dispatch({ t: 'req', id: id++, name, input });
  const updateEvents = () => events.filter((e) => e.t === 'evt' && e.name === 'update.state');
  return { router, relay, call, updateEvents };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

const ready: UpdateState = {
  ...initialUpdateState({ currentVersion: '0.1.0', channel: 'stable', signedBuild: true }),
  phase: 'ready',
  available: { version: '0.2.0', kind: 'upgrade', releaseDate: null },
  waitingFor: 'rush_hours',
  installAt: '2025-03-03T06:30:00.000Z',
};

describe('update relay in the browser host (no shell, no updater)', () => {
  it('reports updates as disabled here, follows the channel setting, and refuses a forced install', async () => {
    let channel: UpdateChannel = 'stable';
    const { call } = setup(null, { channel: () => channel });
    expect(await call('update.getState')).toMatchObject({
      ok: true,
      output: { phase: 'disabled', disabledReason: 'browser_host', channel: 'stable', currentVersion: '0.1.0' },
    });
    channel = 'beta';
    expect(await call('update.checkNow')).toMatchObject({ ok: true, output: { phase: 'disabled', disabledReason: 'browser_host', channel: 'beta' } });
    expect(await call('update.forceInstall', { confirm: true })).toMatchObject({ ok: true, output: { accepted: false, reason: 'disabled' } });
  });

  it('still insists on the confirmation flag', async () => {
    const { call } = setup(null);
    expect(await call('update.forceInstall', {})).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'confirm' } });
  });
});

describe('update relay under the Electron shell', () => {
  it('shows "waiting for the shell" until main says, then main\'s state, pushed once per change', async () => {
    const main = mainStandIn(); // main has no state to give yet: its getState is not served
    const { call, updateEvents } = setup(main.shell);
    await tick();
    expect(await call('update.getState')).toMatchObject({ output: { phase: 'disabled', disabledReason: 'waiting_for_shell' } });

    main.router.publish('update.state', ready);
    await tick();
    expect(await call('update.getState')).toMatchObject({ output: { phase: 'ready', waitingFor: 'rush_hours', installAt: '2025-03-03T06:30:00.000Z' } });
    main.router.publish('update.state', ready); // the same state again: no second event
    await tick();
    expect(updateEvents()).toHaveLength(1);
    expect(updateEvents()[0]).toMatchObject({ payload: { phase: 'ready', available: { version: '0.2.0' } } });

    // A state that breaks the contract (main's Router would not send it; a main of another build might) is dropped; the last good one stays.
    await main.post({ type: 'shell', message: { t: 'evt', name: 'update.state', payload: { ...ready, phase: 'exploded' } } });
    expect(updateEvents()).toHaveLength(1);
    expect(await call('update.getState')).toMatchObject({ output: { phase: 'ready' } });
    // Other messages on the parentPort (window ports) are none of the relay's business.
    await main.post({ type: 'connect', windowId: 3 });
    expect(updateEvents()).toHaveLength(1);
  });

  it("reads main's state once at start, and a state main pushed meanwhile wins over that older read", async () => {
    const main = mainStandIn();
    main.router.handle('update.getState', () => ready);
    const { call, updateEvents } = setup(main.shell);
    await tick();
    expect(await call('update.getState')).toMatchObject({ output: { phase: 'ready' } });
    expect(updateEvents()).toHaveLength(1);

    const late = mainStandIn();
    const checking = { ...ready, phase: 'checking' as const, waitingFor: null, installAt: null, available: null };
    late.router.handle('update.getState', async () => {
      late.router.publish('update.state', checking); // newer than the read it answers
      await tick();
      return ready;
    });
    const second = setup(late.shell);
    await tick();
    await tick();
    expect(await second.call('update.getState')).toMatchObject({ output: { phase: 'checking' } });
  });

  it('forwards "check now" and a confirmed install to main and passes main\'s answers back', async () => {
    const main = mainStandIn();
    const checking = { ...ready, phase: 'checking' as const, waitingFor: null, installAt: null, available: null };
    main.router.handle('update.checkNow', () => checking);
    main.router.handle('update.forceInstall', () => ({ accepted: true, reason: null }));
    const { call } = setup(main.shell);
    expect(await call('update.checkNow')).toMatchObject({ ok: true, output: { phase: 'checking' } });
    expect(await call('update.forceInstall', { confirm: true })).toMatchObject({ ok: true, output: { accepted: true, reason: null } });
    expect(main.sent.map((m) => m.name)).toEqual(['update.getState', 'update.checkNow', 'update.forceInstall']);
  });

  it("turns main's failure, main's silence and an answer that breaks the contract into errors the renderer can name", async () => {
    const main = mainStandIn();
    const { call } = setup(main.shell, { timeoutMs: 50 });
    let mode: 'fail' | 'silent' | 'garbage' = 'fail';
    main.router.handle('update.checkNow', () => {
      if (mode === 'fail') throw new Error('net::ERR_NAME_NOT_RESOLVED');
      return new Promise<never>(() => {}); // silent
    });
    main.router.handle('update.forceInstall', () => ({ accepted: 'yes' }) as never);
    expect(await call('update.checkNow')).toMatchObject({
      ok: false,
      error: { code: 'unavailable', reason: 'update_shell_failed', message: 'net::ERR_NAME_NOT_RESOLVED' },
    });
    mode = 'silent';
    expect(await call('update.checkNow')).toMatchObject({ ok: false, error: { code: 'unavailable', reason: 'update_no_answer' } });
    mode = 'garbage';
    expect(await call('update.forceInstall', { confirm: true })).toMatchObject({ ok: false, error: { code: 'invalid_output' } });
  });

  it('fails requests still waiting for main when the station stops', async () => {
    const main = mainStandIn();
    main.router.handle('update.checkNow', () => new Promise<never>(() => {}));
    const { call, relay } = setup(main.shell);
    const waiting = call('update.checkNow');
    await tick();
    relay.close();
    main.shell.close('the station is stopping'); // station/station-process.ts closes both
    expect(await waiting).toMatchObject({ ok: false, error: { reason: 'update_no_answer', message: 'the station is stopping' } });
  });
});
