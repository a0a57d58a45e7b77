import { describe, expect, it } from 'vitest';
import { bridgeContract, type ServerMessage } from '../../common/contract/index.ts';
import { initialUpdateState, type UpdateChannel, type UpdateState } from '../../common/update-policy.ts';
import { Router } from '../../common/contract/router.ts';
import { silentLogger } from '../../node/logger.ts';
import { attachUpdateRelay, type UpdateRelayParent } from '../../station/update-relay.ts';

/**
 * The station's update relay over plain objects: a real Router, and in place of Electron's parentPort
 * (unreachable without the Electron binary) a two-way stand-in whose other end plays main.
 */
function fakeParentPort() {
  const listeners: ((e: { data: unknown }) => void)[] = [];
  const toMain: unknown[] = [];
  const mainListeners: ((m: unknown) => void)[] = [];
  const parent: UpdateRelayParent = {
    on: (_event, listener) => listeners.push(listener),
    postMessage: (m) => {
      toMain.push(m);
      for (const l of mainListeners) l(m);
    },
  };
  return {
    parent,
    toMain,
    /** Main posts to the station process (delivered on a later tick, as a real port does). */
    post: (data: unknown) => new Promise<void>((done) => setImmediate(() => (listeners.forEach((l) => l({ data })), done()))),
    onCall: (l: (m: { type: string; id: number; name: string }) => void) => mainListeners.push(l as (m: unknown) => void),
  };
}

function setup(parent: UpdateRelayParent | null, opts: { timeoutMs?: number; channel?: () => UpdateChannel } = {}) {
  const router = new Router(bridgeContract, silentLogger());
  const events: ServerMessage[] = [];
  router.subscribe((m) => events.push(m));
  const channel = opts.channel ?? (() => 'stable' as const);
  const relay = attachUpdateRelay({
    router,
    parent,
    log: silentLogger(),
    fallback: () =>
      initialUpdateState({ currentVersion: '0.1.0', channel: channel(), signedBuild: false, disabledReason: parent ? 'waiting_for_shell' : 'browser_host' }),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
  let id = 1;
  const call = (name: string, input: unknown = {}) => router.dispatch({ t: 'req', id: id++, name, input });
  const updateEvents = () => events.filter((e) => e.t === 'evt' && e.name === 'update.state');
  return { router, relay, call, updateEvents };
}

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
  it('shows "waiting for the shell" until main posts, then main\'s state, pushed once per change', async () => {
    const port = fakeParentPort();
    const { call, updateEvents } = setup(port.parent);
    expect(await call('update.getState')).toMatchObject({ output: { phase: 'disabled', disabledReason: 'waiting_for_shell' } });

    await port.post({ type: 'update.state', state: ready });
    expect(await call('update.getState')).toMatchObject({ output: { phase: 'ready', waitingFor: 'rush_hours', installAt: '2025-03-03T06:30:00.000Z' } });
    await port.post({ type: 'update.state', state: ready }); // the same state again: no second event
    expect(updateEvents()).toHaveLength(1);
    expect(updateEvents()[0]).toMatchObject({ payload: { phase: 'ready', available: { version: '0.2.0' } } });

    // A state that breaks the contract is dropped; the last good one stays.
    await port.post({ type: 'update.state', state: { ...ready, phase: 'exploded' } });
    expect(updateEvents()).toHaveLength(1);
    expect(await call('update.getState')).toMatchObject({ output: { phase: 'ready' } });
    // Other messages on the parentPort (window ports) are none of the relay's business.
    await port.post({ type: 'connect', windowId: 3 });
    expect(updateEvents()).toHaveLength(1);
  });

  it('forwards "check now" and a confirmed install to main and passes main\'s answers back', async () => {
    const port = fakeParentPort();
    const { call } = setup(port.parent);
    const checking = { ...ready, phase: 'checking' as const, waitingFor: null, installAt: null, available: null };
    port.onCall((m) => {
      if (m.name === 'update.checkNow') void port.post({ type: 'update.reply', id: m.id, ok: true, output: checking });
      if (m.name === 'update.forceInstall') void port.post({ type: 'update.reply', id: m.id, ok: true, output: { accepted: true, reason: null } });
    });
    expect(await call('update.checkNow')).toMatchObject({ ok: true, output: { phase: 'checking' } });
    expect(await call('update.forceInstall', { confirm: true })).toMatchObject({ ok: true, output: { accepted: true, reason: null } });
    expect(port.toMain).toEqual([
      { type: 'update.call', id: 1, name: 'update.checkNow' },
      { type: 'update.call', id: 2, name: 'update.forceInstall' },
    ]);
  });

  it("turns main's failure, main's silence and an answer that breaks the contract into errors the renderer can name", async () => {
    const port = fakeParentPort();
    const { call } = setup(port.parent, { timeoutMs: 50 });
    let mode: 'fail' | 'silent' | 'garbage' = 'fail';
    port.onCall((m) => {
      if (mode === 'fail') void port.post({ type: 'update.reply', id: m.id, ok: false, message: 'net::ERR_NAME_NOT_RESOLVED' });
      if (mode === 'garbage') void port.post({ type: 'update.reply', id: m.id, ok: true, output: { accepted: 'yes' } });
    });
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
    const port = fakeParentPort();
    const { call, relay } = setup(port.parent);
    const waiting = call('update.checkNow');
    await new Promise((r) => setImmediate(r));
    relay.close();
    expect(await waiting).toMatchObject({ ok: false, error: { reason: 'update_no_answer' } });
  });
});
