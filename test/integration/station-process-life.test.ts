/**
 * The station process as an operating system sees it: it ends on SIGTERM whatever is pending, ends when
 * the process that started it is gone, never shares its data folder with a second station process,
 * and keeps the browser host's token and port across restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../host/browser-host.ts';
import { HOST_KEYS_FILE } from '../../node/host-keys.ts';
import { LOCK_FILE } from '../../node/station-lock.ts';
import { STATION_EXEC_ARGV } from '../../node/station-runtime.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'station-life-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function host(dataDir: string, env: Record<string, string> = {}): Promise<BrowserHost> {
  const h = await startBrowserHost({ dataDir, staticDir: dataDir, env });
  cleanups.push(() => h.stop());
  return h;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves true once the process is gone, false if it is still there after `ms` (a generous bound, not a measurement). */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!running(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !running(pid);
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
}

describe('the station process ends when asked, and when its parent is gone', () => {
  it('SIGTERM ends it within 5 s while a request to the backend hangs', async () => {
    // A backend that accepts and never answers: enrollment is pending when SIGTERM comes.
    const held: Socket[] = [];
    const blackHole: Server = createServer((s) => void held.push(s));
    await new Promise<void>((ok) => blackHole.listen(0, '127.0.0.1', ok));
    cleanups.push(() => {
      for (const s of held) s.destroy();
      return new Promise((ok) => blackHole.close(ok));
    });
    const port = (blackHole.address() as { port: number }).port;
    const h = await host(tempDataDir(), { STATION_BACKEND_URL: `http://127.0.0.1:${port}`, STATION_ENROLLMENT_CODE: 'ABCD-1234' });
    await expect.poll(() => held.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const exited = exitOf(h.child);
    h.child.kill('SIGTERM');
    const result = await Promise.race([exited, new Promise<'still running'>((ok) => setTimeout(() => ok('still running'), 5000))]);
    expect(result).not.toBe('still running');
    // It ended by itself (not killed by the host's fallback): an exit code, no signal.
    expect(result).toMatchObject({ signal: null });
  });

  it("the host's stop() returns within 5 s with a tab's sockets open and a backend request hanging, and closes them", async () => {
    const held: Socket[] = [];
    const blackHole: Server = createServer((s) => void held.push(s));
    await new Promise<void>((ok) => blackHole.listen(0, '127.0.0.1', ok));
    cleanups.push(() => {
      for (const s of held) s.destroy();
      return new Promise((ok) => blackHole.close(ok));
    });
    const port = (blackHole.address() as { port: number }).port;
    const dataDir = tempDataDir();
    const h = await startBrowserHost({
      dataDir,
      staticDir: dataDir,
      env: { STATION_BACKEND_URL: `http://127.0.0.1:${port}`, STATION_ENROLLMENT_CODE: 'ABCD-1234' },
    });
    await expect.poll(() => held.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const { default: WebSocket } = await import('ws');
    const tab = new WebSocket(`${h.origin.replace('http', 'ws')}/bridge`, { headers: { cookie: h.cookie } });
    await new Promise((ok) => tab.once('open', ok));
    const tabClosed = new Promise<void>((ok) => tab.once('close', () => ok()));
    // A keep-alive page connection too, as a browser holds one.
    const keepAlive = await fetch(`${h.origin}/session`, { headers: { cookie: h.cookie, connection: 'keep-alive' } });
    expect(keepAlive.status).toBe(204);
    const stopped = h.stop().then(() => 'stopped' as const);
    expect(await Promise.race([stopped, new Promise<'still stopping'>((ok) => setTimeout(() => ok('still stopping'), 5000))])).toBe('stopped');
    await tabClosed;
    expect(h.child.exitCode !== null || h.child.signalCode !== null).toBe(true);
    await expect(fetch(`${h.origin}/session`)).rejects.toThrow();
  });

  it('killing the process that started it (the host, SIGKILL) ends the station process', async () => {
    const dataDir = tempDataDir();
    const parent = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'test', 'helpers', 'host-parent.ts'), dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => parent.kill('SIGKILL'));
    const line = await new Promise<string>((ok) => parent.stdout!.once('data', (d: Buffer) => ok(d.toString())));
    const { stationPid } = JSON.parse(line) as { stationPid: number };
    expect(running(stationPid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await goneWithin(stationPid, 10_000)).toBe(true);
  });

  it('a station whose parent pid dies ends even with no IPC channel to hear it by (as under Electron)', async () => {
    const dataDir = tempDataDir();
    // A stand-in parent: the station watches this pid; the test holds the station's stdio, not the stand-in.
    const standIn = spawn('sleep', ['60'], { stdio: 'ignore' });
    cleanups.push(() => standIn.kill('SIGKILL'));
    const station = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', ...STATION_EXEC_ARGV, join(ROOT, 'station', 'station-process.ts')], {
      env: {
        ...process.env,
        STATION_TRANSPORT: 'ws',
        STATION_TOKEN: 'ab'.repeat(24),
        STATION_DATA_DIR: dataDir,
        STATION_PORT: '0',
        STATION_PARENT_PID: String(standIn.pid),
        STATION_MIGRATIONS_DIR: join(ROOT, 'core', 'store', 'migrations'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => station.kill('SIGKILL'));
    await new Promise<void>((ok) => station.stdout!.once('data', () => ok()));
    expect(running(station.pid!)).toBe(true);
    standIn.kill('SIGKILL');
    const result = await Promise.race([exitOf(station), new Promise<'still running'>((ok) => setTimeout(() => ok('still running'), 10_000))]);
    expect(result).toMatchObject({ code: 0, signal: null });
  });
});

describe('one station process per data folder', () => {
  it('a second station on the same folder refuses to start, names the first, and exits non-zero; the first goes on', async () => {
    const dataDir = tempDataDir();
    const first = await host(dataDir);
    const lock = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as { pid: number; startedAt: string };
    expect(lock.pid).toBe(first.child.pid);
    expect(Date.parse(lock.startedAt)).not.toBeNaN();
    expect(statSync(join(dataDir, LOCK_FILE)).mode & 0o777).toBe(0o600);

    const second = startBrowserHost({ dataDir, staticDir: dataDir });
    await expect(second).rejects.toThrow(
      /station process exited \(75\)[\s\S]*another station process \(pid \d+, started .*\) is already using the data folder/,
    );
    // The first still serves, and its remembered port was not replaced by the refused one's.
    expect((await fetch(`${first.origin}/session`, { headers: { cookie: first.cookie } })).status).toBe(204);
    expect(JSON.parse(readFileSync(join(dataDir, HOST_KEYS_FILE), 'utf8'))).toMatchObject({ port: Number(new URL(first.origin).port) });
  });

  it('the lock of a station process that was killed is taken over at the next start', async () => {
    const dataDir = tempDataDir();
    const first = await host(dataDir);
    const pid = first.child.pid!;
    first.child.kill('SIGKILL');
    await exitOf(first.child);
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid });
    const next = await host(dataDir);
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: next.child.pid });
  });

  it('a lock naming a live process that is not a station (a reused pid) is stale too', async () => {
    const dataDir = tempDataDir();
    // This test runner is alive, but it did not start when the lock says.
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: process.pid, startedAt: '2020-01-01T00:00:00.000Z', procStart: '1' }));
    const h = await host(dataDir);
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: h.child.pid });
  });
});

describe("the browser host's keys", () => {
  it('the token and the port stay the same across a restart, kept in a 0600 file; the lock goes with the station', async () => {
    const dataDir = tempDataDir();
    const a = await startBrowserHost({ dataDir, staticDir: dataDir });
    await a.stop();
    expect(() => statSync(join(dataDir, LOCK_FILE))).toThrow();
    const b = await host(dataDir);
    expect(b.token).toBe(a.token);
    expect(b.customerToken).toBe(a.customerToken);
    expect(b.customerToken).not.toBe(b.token);
    expect(b.origin).toBe(a.origin);
    expect(statSync(join(dataDir, HOST_KEYS_FILE)).mode & 0o777).toBe(0o600);
    expect((await fetch(`${b.origin}/session`, { headers: { cookie: a.cookie } })).status).toBe(204);
  });
});
