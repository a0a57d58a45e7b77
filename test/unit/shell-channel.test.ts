/**
 * The main ↔ station side channel (common/contract/shell.ts, shell-channel.ts): main's Router of the
 * shell contract and the station's one client. Electron's utilityProcess and its parentPort cannot run
 * on this machine (no Electron binary): a real MessageChannel from node:worker_threads stands in for
 * them, so every message is structured-cloned and delivered on a later turn as on the real pipe. Main's
 * answers (main/shell-calls.ts) and the station's callers (station/remote-token-vault.ts,
 * station/remote-keys.ts) are the real ones.
 */
import { randomBytes } from 'node:crypto';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeRequestError, LineClosed, RequestTimedOut } from '../../common/contract/client.ts';
import { bridgeContract } from '../../common/contract/index.ts';
import type { Logger } from '../../common/logger.ts';
import { Router } from '../../common/contract/router.ts';
import { serveShell, shellClient, type ShellChild, type ShellParentPort } from '../../common/contract/shell-channel.ts';
import { MAIN_TO_STATION_KINDS, shellContract, STATION_TO_MAIN_KINDS } from '../../common/contract/shell.ts';
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
 * event with `data`).
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

/** Main as it runs: a Router of the shell contract connected to the pipe. */
function mainServing(main: ShellChild, log: Logger = silentLogger()) {
  const router = new Router(shellContract, log, 'shell');
  serveShell(main, router, log);
  return router;
}

const credentials: StationCredentials = {
  baseUrl: 'https://backend.school.example',
  stationId: 'st-1',
  token: 'a-token-of-sixteen-chars-or-more',
  enrolledAt: '2026-09-01T06:00:00.000Z',
  schoolName: 'Школа №1',
};

/** Each line's words, for a string-taking log and for a Logger alike. */
const logs = () => {
  const lines: string[] = [];
  const at = (a: unknown, b?: unknown) => void lines.push(typeof a === 'string' ? a : String(b));
  const logger: Logger = { info: at, warn: at, error: at, debug: at, child: () => logger };
  return { lines, log: (m: string) => void lines.push(m), logger };
};

const settle = () => new Promise((r) => setTimeout(r, 30));

describe('the side channel contract', () => {
  it('names every kind each side may send, and a request is refused unless it has its fields', () => {
    expect([...MAIN_TO_STATION_KINDS].sort()).toEqual(['connect', 'customer', 'shell']);
    expect([...STATION_TO_MAIN_KINDS].sort()).toEqual(['shell']);
    const { requests } = shellContract;
    expect(Object.keys(requests).sort()).toEqual(['key', 'ready', 'update.checkNow', 'update.forceInstall', 'update.getState', 'vault']);
    expect(requests.vault.input.safeParse({ op: 'save' }).success).toBe(false); // save without credentials
    expect(requests.vault.input.safeParse({ op: 'save', credentials }).success).toBe(true);
    expect(requests.key.input.safeParse({ name: '../etc' }).success).toBe(false);
    expect(requests['update.forceInstall'].input.safeParse({}).success).toBe(false); // IT's confirmation is part of it
    expect(requests.key.output.safeParse({ key: 'ab' }).success).toBe(false);
    expect(requests.key.output.safeParse({ key: 'ab'.repeat(32) }).success).toBe(true);
  });

  it('types the router and the client from the contract they are given', () => {
    const router = new Router(shellContract, silentLogger(), 'shell');
    // @ts-expect-error the shell contract has no bridge requests
    expect(() => router.handle('settings.get', () => ({}))).not.toThrow();
    // @ts-expect-error a key handler answers { key }
    router.handle('key', () => ({ credentials: null }));
    const bridge = new Router(bridgeContract, silentLogger());
    // @ts-expect-error the bridge has no vault
    bridge.handle('vault', () => ({}));
    // @ts-expect-error the shell contract's only event is update.state
    router.publish('station.status', {});
    const { station } = electronPipeStandIn();
    const shell = shellClient(station, silentLogger());
    // @ts-expect-error a vault request names its op
    void shell.request('vault', { op: 'explode' }).catch(() => {});
    shell.close('done');
  });
});

describe('requests from the station to main over a MessageChannel (stand-in for the utility process)', () => {
  it("keeps, reads and clears the backend token in main's vault, and hands over the data key", async () => {
    const { main, station } = electronPipeStandIn();
    const kept = memoryTokenVault();
    const dataKey = randomBytes(32);
    const router = mainServing(main);
    serveTokenVault(router, kept, () => {});
    serveKeys(router, fixedKeyStore({ data: dataKey }), () => {});
    const shell = shellClient(station, silentLogger());

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
    const router = mainServing(main);
    serveTokenVault(router, failing, mainLog.log);
    serveKeys(router, fixedKeyStore({}), mainLog.log);
    const shell = shellClient(station, silentLogger());
    await expect(remoteTokenVault(shell).save(credentials)).rejects.toThrow("the shell's token vault failed (save): disk full");
    await expect(remoteKeyStore(shell)).rejects.toThrow('the shell could not give the data key: no data key was given to the station process');
    expect(mainLog.lines).toEqual([
      'token vault: save failed: disk full',
      'data keys: the data key could not be given: no data key was given to the station process',
    ]);
    // A handler that throws is answered with its message, as the bridge answers one.
    await expect(shell.request('key', { name: 'data' })).rejects.toMatchObject({
      error: { code: 'internal', message: 'no data key was given to the station process' },
    });
  });

  it('a reply that never comes times out in words, and a late one is dropped', async () => {
    const { main, station } = electronPipeStandIn(); // main answers nothing in time
    const stationLog = logs();
    const shell = shellClient(station, stationLog.logger);
    const started = Date.now();
    const timedOut = shell.request('vault', { op: 'load' }, { timeoutMs: 50 });
    await expect(timedOut).rejects.toBeInstanceOf(RequestTimedOut);
    await expect(timedOut).rejects.toThrow('no answer to "vault" within 50 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    // Main's answer after the station gave up is dropped with a line, not taken for another request's.
    main.postMessage({ type: 'shell', message: { t: 'res', id: 1, ok: true, output: { credentials: null } } });
    await settle();
    expect(stationLog.lines).toContain('shell: an answer no request waits for (late, after its timeout?); dropped');
    await expect(remoteTokenVault(shell, 50).clear()).rejects.toThrow('the shell did not answer the token vault (clear) within 50 ms');
    await expect(remoteKeyStore(shell, ['data'], 50)).rejects.toThrow('the shell did not hand over the data key within 50 ms');
    expect(stationLog.lines).toContain('shell: no answer to "vault" within 50 ms');
  });

  it('a malformed reply is refused with a log line, and nothing throws', async () => {
    const { main, station } = electronPipeStandIn();
    // A main of another build: the key beside the output, credentials that are not credentials, an envelope of its own.
    main.on('message', (m) => {
      const req = (m as { message: { id: number; name: string } }).message;
      const answer = (message: unknown) => main.postMessage({ type: 'shell', message });
      if (req.name === 'key') answer({ t: 'res', id: req.id, ok: true, key: 'ab'.repeat(32) });
      if (req.name === 'vault') answer({ t: 'res', id: req.id, ok: true, output: { credentials: { token: 'short' } } });
      if (req.name === 'update.getState') answer({ t: 'res', id: req.id, ok: 'yes' });
    });
    const stationLog = logs();
    const shell = shellClient(station, stationLog.logger);
    const malformed = shell.request('key', { name: 'data' }, { timeoutMs: 1000 });
    await expect(malformed).rejects.toBeInstanceOf(BridgeRequestError);
    await expect(malformed).rejects.toMatchObject({ error: { code: 'invalid_output', field: 'output' } });
    await expect(remoteKeyStore(shell, ['data'], 1000)).rejects.toThrow(
      'the shell could not give the data key: the answer to "key" breaks the contract (output)',
    );
    // Credentials main cannot vouch for are none: the station asks to be enrolled again, as before.
    expect(await remoteTokenVault(shell, 1000).load()).toBeNull();
    // An answer whose envelope is broken still ends its request at once, refused, not at the timeout.
    const started = Date.now();
    await expect(shell.request('update.getState', {}, { timeoutMs: 1000 })).rejects.toMatchObject({ error: { code: 'invalid_output' } });
    expect(Date.now() - started).toBeLessThan(500);
    expect(stationLog.lines.filter((l) => l.includes('breaks the contract'))).toHaveLength(4);
  });

  it('two requests in flight get their own replies, whichever main finishes first', async () => {
    const { main, station } = electronPipeStandIn();
    const slow = randomBytes(32);
    const fast = randomBytes(32);
    mainServing(main).handle('key', async ({ name }) => {
      if (name === 'slow') await new Promise((r) => setTimeout(r, 40));
      return { key: (name === 'slow' ? slow : fast).toString('hex') };
    });
    const shell = shellClient(station, silentLogger());
    const order: string[] = [];
    const options = { timeoutMs: 1000 };
    const [a, b] = await Promise.all([
      shell.request('key', { name: 'slow' }, options).then((r) => (order.push('slow'), r)),
      shell.request('key', { name: 'fast' }, options).then((r) => (order.push('fast'), r)),
    ]);
    expect(order).toEqual(['fast', 'slow']);
    expect(a.key).toBe(slow.toString('hex'));
    expect(b.key).toBe(fast.toString('hex'));
  });

  it('a closed client fails what waits and refuses what comes after, in the words it was closed with', async () => {
    const { station } = electronPipeStandIn(); // main never answers
    const shell = shellClient(station, silentLogger());
    const waiting = shell.request('vault', { op: 'load' });
    shell.close('the station is stopping');
    await expect(waiting).rejects.toBeInstanceOf(LineClosed);
    await expect(waiting).rejects.toThrow('the station is stopping');
    await expect(shell.request('key', { name: 'data' })).rejects.toThrow(new LineClosed({ code: 'unavailable', message: 'the station is stopping' }));
  });

  it('a request that breaks the contract is refused before it is sent', async () => {
    const { main, station } = electronPipeStandIn();
    const sent: unknown[] = [];
    main.on('message', (m) => sent.push(m));
    const shell = shellClient(station, silentLogger());
    await expect(shell.request('key', { name: '../etc' })).rejects.toMatchObject({ error: { code: 'invalid_input' } });
    await settle();
    expect(sent).toEqual([]);
  });

  it('main answers a malformed request with an error, logs it, and never throws; strangers are logged on both sides', async () => {
    const { main, station } = electronPipeStandIn();
    const mainLog = logs();
    serveTokenVault(mainServing(main, mainLog.logger), memoryTokenVault(credentials), mainLog.log);
    const replies: unknown[] = [];
    station.on('message', (e) => replies.push(e.data));

    const request = (message: unknown) => station.postMessage({ type: 'shell', message });
    request({ t: 'req', id: 7, name: 'vault', input: { op: 'explode' } });
    request({ t: 'req', name: 'vault', input: { op: 'load' } }); // no id: answered as the bridge answers it, to no request
    request({ t: 'req', id: 9, name: 'update.uninstall', input: {} });
    station.postMessage('not even an object');
    station.postMessage({ type: 'format-disk', id: 8 });
    await settle();

    expect(replies).toEqual([
      { type: 'shell', message: { t: 'res', id: 7, ok: false, error: { code: 'invalid_input', message: expect.stringContaining('invalid op'), field: 'op' } } },
      { type: 'shell', message: { t: 'res', id: -1, ok: false, error: { code: 'invalid_message', message: 'malformed message: id', field: 'id' } } },
      { type: 'shell', message: { t: 'res', id: 9, ok: false, error: { code: 'unknown_request', message: 'unknown request "update.uninstall"' } } },
    ]);
    expect(mainLog.lines).toEqual([
      'shell: invalid input',
      'shell: malformed message',
      'shell: a message of unknown kind (none); dropped',
      'shell: a message of unknown kind "format-disk"; dropped',
    ]);

    const stationLog = logs();
    shellClient(station, stationLog.logger);
    main.postMessage({ type: 'shell', message: { t: 'res', id: 99, ok: true, output: {} } }); // a known kind: the client judges it
    main.postMessage({ type: 'connect', windowId: 1 }); // a port hand-off: core/bridge/port-transport.ts serves it
    main.postMessage(null);
    await settle();
    expect(stationLog.lines).toEqual([
      'shell: an answer no request waits for (late, after its timeout?); dropped',
      'shell: a message of unknown kind (none); dropped',
    ]);
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
