/**
 * Real serial ports for tests: `socat` links two pseudo-terminals (docs/architecture.md, "Hardware on the wire"). The station opens
 * `stationPath` with serialport exactly as it would open /dev/ttyUSB0; the test plays the reader (or the
 * relay board) on `farPath`.
 *
 *   const pair = await startPtyPair();
 *   const reader = new SerialReader({ ...config, path: pair.stationPath });
 *   const far = await pair.openFar();
 *   await far.write([0x02, 0x0a, 0x02, 0x06, 0x00, 0x8e, 0x6d, 0x5d, 0xb0, 0x03]);
 *   await pair.unplug();   // both ports vanish (socat exits), as when a USB adapter is pulled
 *   await pair.plug();     // the same paths come back (new device nodes)
 *   await pair.stop();
 *
 * The paths are symlinks in a fresh temp folder, so tests running in parallel never share a port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';

export interface FarEnd {
  /** Writes bytes (or a string) and resolves once they are handed to the pty. */
  write(data: number[] | Buffer | string): Promise<void>;
  /** Everything received from the station so far. */
  received(): Buffer;
  /** Resolves when at least `n` bytes have been received in total. */
  waitFor(n: number, timeoutMs?: number): Promise<Buffer>;
  /** Called for every chunk the station sends. */
  onData(listener: (chunk: Buffer) => void): void;
  close(): Promise<void>;
}

export interface PtyPair {
  readonly stationPath: string;
  readonly farPath: string;
  /** Opens the far end (the reader's or relay's side). Closed by unplug/stop. */
  openFar(): Promise<FarEnd>;
  /** The ports vanish: socat exits and removes both device links. */
  unplug(): Promise<void>;
  /** The ports come back under the same paths. */
  plug(): Promise<void>;
  stop(): Promise<void>;
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function startPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'school-pty-'));
  const stationPath = join(dir, 'station');
  const farPath = join(dir, 'far');
  let socat: ChildProcess | null = null;
  const fars = new Set<SerialPort>();

  const plug = async () => {
    if (socat) return;
    const child = spawn('socat', [`pty,raw,echo=0,link=${stationPath}`, `pty,raw,echo=0,link=${farPath}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    socat = child;
    await waitUntil(() => (existsSync(stationPath) && existsSync(farPath)) || child.exitCode !== null, 5000, 'socat ptys').catch((e: Error) => {
      throw new Error(`${e.message}: ${err}`);
    });
    if (child.exitCode !== null) throw new Error(`socat exited: ${err}`);
  };

  const closeFars = async () => {
    await Promise.all([...fars].map((p) => new Promise<void>((resolve) => (p.isOpen ? p.close(() => resolve()) : resolve()))));
    fars.clear();
  };

  const unplug = async () => {
    const child = socat;
    if (!child) return;
    socat = null;
    await closeFars();
    if (child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    await waitUntil(() => !existsSync(stationPath) && !existsSync(farPath), 2000, 'pty links to vanish');
  };

  await plug();

  return {
    stationPath,
    farPath,
    async openFar() {
      const port = new SerialPort({ path: farPath, baudRate: 9600, autoOpen: false, lock: false });
      await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
      fars.add(port);
      const chunks: Buffer[] = [];
      let total = 0;
      const waiters = new Set<() => void>();
      port.on('data', (d: Buffer) => {
        chunks.push(d);
        total += d.length;
        for (const w of waiters) w();
      });
      port.on('error', () => undefined);
      return {
        write: (data) =>
          new Promise<void>((resolve, reject) => {
            port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data), (e) => {
              if (e) return reject(e);
              port.drain((e2) => (e2 ? reject(e2) : resolve()));
            });
          }),
        received: () => Buffer.concat(chunks),
        waitFor: (n, timeoutMs = 3000) =>
          new Promise<Buffer>((resolve, reject) => {
            const check = () => {
              if (total >= n) {
                waiters.delete(check);
                clearTimeout(timer);
                resolve(Buffer.concat(chunks));
              }
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              reject(new Error(`far end got ${total} bytes, wanted ${n}: ${Buffer.concat(chunks).toString('hex')}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
        onData: (listener) => port.on('data', listener),
        close: () =>
          new Promise<void>((resolve) => {
            fars.delete(port);
            if (port.isOpen) port.close(() => resolve());
            else resolve();
          }),
      };
    },
    unplug,
    plug,
    async stop() {
      await unplug();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
