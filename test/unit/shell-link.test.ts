/**
 * The main ↔ station side channel (common/contract/shell.ts, shell-link.ts). Electron's utilityProcess
 * and its parentPort cannot run on this machine (no Electron binary): a real MessageChannel from
 * node:worker_threads stands in for them, so every message is structured-cloned and delivered on a
 * later turn as on the real pipe. Main's answers (main/shell-calls.ts) and the station's callers
 * (station/remote-token-vault.ts, station/remote-keys.ts) are the real ones.
 */
import { randomBytes } from 'node:crypto';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  logUnknownShellKinds,
  serveShellCall,
  ShellCallTimeout,
  ShellReplyMalformed,
  shellRequester,
  type ShellChild,
  type ShellParentPort,
} from '../../common/contract/shell-link.ts';
import { MAIN_TO_STATION_KINDS, shellCallReply, shellCallRequest, STATION_TO_MAIN_KINDS } from '../../common/contract/shell.ts';
import { bridgeContract } from '../../common/contract/index.ts';
import { Router } from '../../common/contract/router.ts';
import { servePorts, type ParentPort } from '../../core/bridge/port-transport.ts';
import { serveKeys, serveTokenVault } from '../../main/shell-calls.ts';
import { silentLogger } from '../../node/logger.ts';
import { fixedKeyStore } from '../../node/key-file.ts';
import { remoteKeyStore } from '../../station/remote-keys.ts';
import { remoteTokenVault } from '../../station/remote-token-vault.ts';
import { memoryTokenVault, type StationCredentials, type TokenVault } from '../../sync/token-vault.ts';

const open: MessagePort[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

/**
 * A MessageChannel standing in for Electron's pipe: `main` is what main holds (the UtilityProcess: a
 * message arrives as itself), `station` the utility process's parentPort (a message arrives as an
 * event with `data`), `toMain` posts raw from the station's end (for messages a bug might send).
 */
function electronPipeStandIn() {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const mainListeners: ((m: unknown) => void)[] = [];
  port1.on('message', (m: unknown) => mainListeners.forEach((l) => l(m)));
  const stationListeners: ((e: { data: unknown }) => void)[] = [];
  port2.on('message', (m: unknown) => stationListeners.forEach((l) => l({ data: m })));
  const main: ShellChild = { on: (_e, l) => mainListeners.push(l), postMessage: (m) => port1.postMessage(m) };
  const station: ShellParentPort = { on: (_e, l) => stationListeners.push(l), postMessage: (m) => port2.postMessage(m) };
  return { main, station };
}

const credentials: StationCredentials = {
  baseUrl: 'https://backend.school.example',
  stationId: 'st-1',
  token: 'a-token-of-sixteen-chars-or-more',
  enrolledAt: '2026-09-01T06:00:00.000Z',
  schoolName: 'Школа №1',
};

const logs = () => {
  const lines: string[] = [];
  return { lines, log: (m: string) => void lines.push(m) };
};

describe('the side channel contract', () => {
  it('names every kind each side may send, and a call is refused unless it has its fields', () => {
    expect([...MAIN_TO_STATION_KINDS].sort()).toEqual(['connect', 'customer', 'key-reply', 'update.reply', 'update.state', 'vault-reply']);
    expect([...STATION_TO_MAIN_KINDS].sort()).toEqual(['key', 'ready', 'update.call', 'vault']);
    expect(shellCallRequest('vault').safeParse({ type: 'vault', id: 1, op: 'save' }).success).toBe(false); // save without credentials
    expect(shellCallRequest('vault').safeParse({ type: 'vault', id: 1, op: 'save', credentials }).success).toBe(true);
    expect(shellCallRequest('key').safeParse({ type: 'key', id: 2, name: '../etc' }).success).toBe(false);
    expect(shellCallRequest('update.call').safeParse({ type: 'update.call', id: 3, name: 'update.uninstall' }).success).toBe(false);
    expect(shellCallReply('key').safeParse({ type: 'key-reply', id: 2, ok: true, output: { key: 'ab' } }).success).toBe(false);
    expect(shellCallReply('key').safeParse({ type: 'key-reply', id: 2, ok: false, message: 'no keyring' }).success).toBe(true);
  });
});

describe('calls from the station to main over a MessageChannel (stand-in for the utility process)', () => {
  it("keeps, reads and clears the backend token in main's vault, and hands over the data key", async () => {
    const { main, station } = electronPipeStandIn();
    const kept = memoryTokenVault();
    const dataKey = randomBytes(32);
    serveTokenVault(main, kept, () => {});
    serveKeys(main, fixedKeyStore({ data: dataKey }), () => {});
    const shell = shellRequester(station, () => {});

    const vault = remoteTokenVault(shell);
    expect(await vault.load()).toBeNull();
    await vault.save(credentials);
    expect(await kept.load()).toEqual(credentials);
    expect(await vault.load()).toEqual(credentials);
    await vault.clear();
    expect(await vault.load()).toBeNull();

    const keys = await remoteKeyStore(shell);
    expect(keys.key('data').equals(dataKey)).toBe(true);
  });

  it("passes main's failure on in words", async () => {
    const { main, station } = electronPipeStandIn();
    const failing: TokenVault = {
      load: async () => null,
      save: async () => {
        throw new Error('disk full');
      },
      clear: async () => {},
    };
    const mainLog = logs();
    serveTokenVault(main, failing, mainLog.log);
    serveKeys(main, fixedKeyStore({}), mainLog.log);
    const shell = shellRequester(station, () => {});
    await expect(remoteTokenVault(shell).save(credentials)).rejects.toThrow("the shell's token vault failed (save): disk full");
    await expect(remoteKeyStore(shell)).rejects.toThrow('the shell could not give the data key: no data key was given to the station process');
    expect(mainLog.lines).toEqual([
      'token vault: save failed: disk full',
      'data keys: the data key could not be given: no data key was given to the station process',
    ]);
  });

  it('a reply that never comes times out in words', async () => {
    const { main, station } = electronPipeStandIn(); // main answers nothing in time
    const stationLog = logs();
    const shell = shellRequester(station, stationLog.log);
    const started = Date.now();
    await expect(shell.call('vault', { op: 'load' }, { timeoutMs: 50, what: 'the token vault (load)' })).rejects.toThrow(
      new ShellCallTimeout('the shell did not answer the token vault (load) within 50 ms'),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    // Main's answer after the station gave up is dropped with a line, not taken for another call's.
    main.postMessage({ type: 'vault-reply', id: 1, ok: true, output: { credentials: null } });
    await new Promise((r) => setTimeout(r, 20));
    expect(stationLog.lines).toContain('shell: a vault-reply for no waiting call (late, after its timeout?); dropped');
    await expect(remoteTokenVault(shell, 50).clear()).rejects.toThrow('the shell did not answer the token vault (clear) within 50 ms');
    await expect(remoteKeyStore(shell, ['data'], 50)).rejects.toThrow('the shell did not hand over the data key within 50 ms');
    expect(stationLog.lines).toContain('shell: no answer to the token vault (load) within 50 ms');
  });

  it('a malformed reply is refused with a log line, and nothing throws', async () => {
    const { main, station } = electronPipeStandIn();
    // A main of another build: the key as the old reply carried it, credentials that are not credentials.
    main.on('message', (m) => {
      const call = m as { type: string; id: number };
      if (call.type === 'key') main.postMessage({ type: 'key-reply', id: call.id, ok: true, key: 'ab'.repeat(32) });
      if (call.type === 'vault') main.postMessage({ type: 'vault-reply', id: call.id, ok: true, output: { credentials: { token: 'short' } } });
    });
    const stationLog = logs();
    const shell = shellRequester(station, stationLog.log);
    await expect(shell.call('key', { name: 'data' }, { timeoutMs: 1000, what: 'the data key request' })).rejects.toBeInstanceOf(ShellReplyMalformed);
    await expect(remoteKeyStore(shell, ['data'], 1000)).rejects.toThrow(
      "the shell could not give the data key: the shell's reply to the data key request breaks the contract (output)",
    );
    // Credentials main cannot vouch for are none: the station asks to be enrolled again, as before.
    expect(await remoteTokenVault(shell, 1000).load()).toBeNull();
    expect(stationLog.lines.filter((l) => l.includes('breaks the contract'))).toHaveLength(3);
  });

  it('two calls in flight get their own replies, whichever main finishes first', async () => {
    const { main, station } = electronPipeStandIn();
    const slow = randomBytes(32);
    const fast = randomBytes(32);
    serveShellCall(
      main,
      'key',
      async ({ name }) => {
        if (name === 'slow') await new Promise((r) => setTimeout(r, 40));
        return { key: (name === 'slow' ? slow : fast).toString('hex') };
      },
      () => {},
    );
    const shell = shellRequester(station, () => {});
    const order: string[] = [];
    const options = { timeoutMs: 1000, what: 'a key' };
    const [a, b] = await Promise.all([
      shell.call('key', { name: 'slow' }, options).then((r) => (order.push('slow'), r)),
      shell.call('key', { name: 'fast' }, options).then((r) => (order.push('fast'), r)),
    ]);
    expect(order).toEqual(['fast', 'slow']);
    expect(a.key).toBe(slow.toString('hex'));
    expect(b.key).toBe(fast.toString('hex'));
  });

  it('main answers a malformed call with an error when it can, logs it, and never throws; strangers are logged on both sides', async () => {
    const { main, station } = electronPipeStandIn();
    const mainLog = logs();
    serveTokenVault(main, memoryTokenVault(credentials), mainLog.log);
    logUnknownShellKinds('main', (l) => main.on('message', l), mainLog.log);
    const replies: unknown[] = [];
    station.on('message', (e) => replies.push(e.data));
    const stationLog = logs();
    logUnknownShellKinds('station', (l) => station.on('message', (e) => l(e.data)), stationLog.log);

    station.postMessage({ type: 'vault', id: 7, op: 'explode' });
    station.postMessage({ type: 'vault', op: 'load' }); // no id: nobody to answer
    station.postMessage('not even an object');
    station.postMessage({ type: 'format-disk', id: 8 });
    await new Promise((r) => setTimeout(r, 30));

    expect(replies).toEqual([{ type: 'vault-reply', id: 7, ok: false, message: 'malformed vault request (op)' }]);
    expect(mainLog.lines).toEqual([
      'shell: a vault request breaks the contract (op); refused',
      'shell: a vault request breaks the contract (id); refused',
      'shell: a message of unknown kind (none); dropped',
      'shell: a message of unknown kind "format-disk"; dropped',
    ]);

    main.postMessage({ type: 'vault-reply', id: 99, ok: true, output: {} }); // a known kind: its own part judges it
    main.postMessage(null);
    await new Promise((r) => setTimeout(r, 30));
    expect(stationLog.lines).toEqual(['shell: a message of unknown kind (none); dropped']);
  });

  it('a window port message that breaks the contract is dropped, not served', async () => {
    const router = new Router(bridgeContract, silentLogger());
    let onMessage: Parameters<ParentPort['on']>[1] | null = null;
    const parent: ParentPort = {
      on: (_e, l) => (onMessage = l),
      postMessage() {},
    };
    servePorts(parent, router, silentLogger());
    let started = 0;
    const port = { on: () => port, postMessage() {}, start: () => void started++ };
    onMessage!({ data: { type: 'connect', windowId: 'one' }, ports: [port as never] });
    onMessage!({ data: { type: 'customer', windowId: 2 }, ports: [] });
    expect(started).toBe(0);
    onMessage!({ data: { type: 'connect', windowId: 2 }, ports: [port as never] });
    expect(started).toBe(1);
  });
});
