/**
 * A real PC/SC stack for tests and benchmarks: Debian's `pcscd` with the `vsmartcard-vpcd` driver
 * ("Virtual PCD 00 00" and "Virtual PCD 00 01"), and virtual cards written here that speak vpcd's TCP
 * framing (docs/architecture.md, "Hardware on the wire"). Connecting a card is a tap; closing it is taking the card away.
 *
 *   const rig = await startPcscRig();                 // a pcscd of this process's own
 *   const card = await rig.tap('04A1B2C3D4E5F6');     // slot 0 = "Virtual PCD 00 00"
 *   await card.getData;                               // resolves when the uid was read (GET DATA)
 *   await card.remove();
 *   await rig.restartPcscd();                         // kill -9 and start again, as a crash would
 *   await rig.stop();
 *
 * pcsc-lite 1.9 has one daemon socket per machine (/run/pcscd) and vpcd a fixed port, while vitest
 * runs test files in parallel processes. So where it can (root with mount namespaces: this machine
 * and CI), each test process gets a private pcscd: `unshare --mount` binds a private folder over
 * /run/pcscd for that pcscd alone, its vpcd listens on free ports, and PCSCLITE_CSOCK_NAME (read by
 * libpcsclite on first use) points this process at it. Child processes that must reach the same
 * pcscd (a station process under test) get `rig.env`. One rig at a time per process.
 *
 * Without namespaces the rig falls back to the system pcscd paths and takes an exclusive `flock` on
 * LOCK_FILE so PC/SC tests in any process run one at a time.
 *
 * In both modes a guardian child (`sh`, whose stdin is our pipe) kills the pcscd it watches when this
 * process dies, so a crashed test never leaves pcscd behind.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = join(tmpdir(), 'school-station-pcscd.lock');
const PID_FILE = '/run/pcscd/pcscd.pid';
const COMM_FILE = '/run/pcscd/pcscd.comm';
const SYSTEM_VPCD_PORT = 35963;
/** Longer than pcscd's 400 ms polling of vpcd plus its handling. */
export const REMOVAL_SETTLE_MS = 500;

/** A PC/SC-standard contactless storage-card ATR: nfc-pcsc treats it as TAG_ISO_14443_3. */
export const CONTACTLESS_ATR = '3B8F8001804F0CA000000306030001000000006A';

export const VIRTUAL_READERS = ['Virtual PCD 00 00', 'Virtual PCD 00 01'] as const;

export interface TapOptions {
  /** Which virtual reader: 0 → "Virtual PCD 00 00", 1 → "Virtual PCD 00 01". */
  slot?: 0 | 1;
  /** ATR hex (default CONTACTLESS_ATR). */
  atr?: string;
  /** Answer GET DATA with this status word (e.g. 0x6A81) instead of the uid. */
  getDataStatus?: number;
}

export interface VirtualCard {
  readonly uid: string;
  readonly slot: 0 | 1;
  /** performance.now() when the socket connected (the tap). */
  readonly connectedAt: number;
  /** Resolves with performance.now() of pcscd's first control message (its detection of the card). */
  readonly detected: Promise<number>;
  /** Resolves with performance.now() of the first power-on. */
  readonly poweredOn: Promise<number>;
  /** Resolves with performance.now() when the card answered GET DATA (FF CA 00 00 00). */
  readonly getData: Promise<number>;
  /** Every APDU received, hex. */
  readonly apdus: string[];
  /**
   * Takes the card away (closes the socket), then waits until pcscd's next poll has certainly seen it
   * gone (REMOVAL_SETTLE_MS) unless `settle: false`.
   */
  remove(options?: { settle?: boolean }): Promise<void>;
}

export interface PcscRig {
  readonly readers: readonly string[];
  /** 'private': this process's own pcscd; 'system': the machine's paths under the lock. */
  readonly mode: 'private' | 'system';
  /** Environment a child process needs to reach this rig's pcscd (empty in system mode). */
  readonly env: Record<string, string>;
  tap(uid: string, options?: TapOptions): Promise<VirtualCard>;
  /** Kills pcscd as a crash would (SIGKILL). */
  killPcscd(): Promise<void>;
  startPcscd(): Promise<void>;
  restartPcscd(): Promise<void>;
  /** pcscd's recent output (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function runningSystemPcscd(): number | null {
  try {
    const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && pidAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

let namespacesWork: boolean | null = null;
function canUsePrivatePcscd(): boolean {
  if (process.env.PCSC_RIG_MODE === 'system') return false;
  namespacesWork ??= spawnSync('unshare', ['--mount', 'true'], { stdio: 'ignore' }).status === 0;
  return namespacesWork;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

/** This process's private pcscd setup: fixed for the process, since libpcsclite caches the socket path. */
let privateSetup: { dir: string; socket: string; port: number } | null = null;
async function privatePcscdSetup(): Promise<{ dir: string; socket: string; port: number }> {
  if (privateSetup) return privateSetup;
  const dir = join(tmpdir(), `school-pcscd-${process.pid}`);
  const socket = join(dir, 'run', 'pcscd.comm');
  if (process.env.PCSCLITE_CSOCK_NAME && process.env.PCSCLITE_CSOCK_NAME !== socket) {
    throw new Error(`PCSCLITE_CSOCK_NAME is already ${process.env.PCSCLITE_CSOCK_NAME}: one PC/SC rig per process`);
  }
  let port = 0;
  for (let i = 0; i < 50 && !port; i++) {
    const p = 20_000 + 2 * Math.floor(Math.random() * 15_000);
    if ((await portFree(p)) && (await portFree(p + 1))) port = p;
  }
  if (!port) throw new Error('no two free ports for vpcd');
  mkdirSync(join(dir, 'run'), { recursive: true });
  mkdirSync(join(dir, 'conf'), { recursive: true });
  mkdirSync('/run/pcscd', { recursive: true });
  const hex = `0x${port.toString(16).toUpperCase()}`;
  writeFileSync(
    join(dir, 'conf', 'vpcd'),
    `FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:${hex}\nLIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID    ${hex}\n`,
  );
  process.env.PCSCLITE_CSOCK_NAME = socket;
  privateSetup = { dir, socket, port };
  return privateSetup;
}

/** Holds the machine-wide lock until our stdin closes (system mode only). */
async function takeLock(timeoutMs: number): Promise<ChildProcess> {
  const holder = spawn('flock', ['-w', String(Math.ceil(timeoutMs / 1000)), LOCK_FILE, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`could not take ${LOCK_FILE} (flock exit ${code}): another PC/SC test holds it`)));
  });
  unrefChild(holder);
  return holder;
}

function unrefChild(child: ChildProcess): void {
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
}

/** Kills `pid` with SIGKILL when its stdin closes: on kill, on stop, or when this process dies. */
function guard(pid: number): ChildProcess {
  const g = spawn('sh', ['-c', `cat >/dev/null; kill -9 ${pid} 2>/dev/null; exit 0`], { stdio: ['pipe', 'ignore', 'ignore'] });
  unrefChild(g);
  return g;
}

export async function startPcscRig(options: { lockTimeoutMs?: number } = {}): Promise<PcscRig> {
  const mode: 'private' | 'system' = canUsePrivatePcscd() ? 'private' : 'system';
  const setup = mode === 'private' ? await privatePcscdSetup() : null;
  const holder = mode === 'system' ? await takeLock(options.lockTimeoutMs ?? 300_000) : null;
  const port = setup?.port ?? SYSTEM_VPCD_PORT;
  const logFile = join(tmpdir(), `school-pcscd-${process.pid}.log`);
  let pcscd: { child: ChildProcess; guardian: ChildProcess; exited: Promise<void> } | null = null;
  const cards = new Set<net.Socket>();
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8').slice(-20_000);
    } catch {
      return '';
    }
  };

  const startPcscd = async () => {
    if (pcscd) return;
    if (mode === 'system') {
      const stale = runningSystemPcscd();
      if (stale) throw new Error(`a pcscd (pid ${stale}) is running outside the test rig; stop it before running PC/SC tests`);
      rmSync(PID_FILE, { force: true });
      rmSync(COMM_FILE, { force: true });
    } else {
      rmSync(join(setup!.dir, 'run', 'pcscd.pid'), { force: true });
      rmSync(setup!.socket, { force: true });
    }
    // pcscd writes its log to a file, never to a pipe this process must drain: a blocked event loop
    // must not be able to block pcscd.
    const out = openSync(logFile, 'w');
    const child =
      mode === 'private'
        ? spawn(
            'unshare',
            [
              '--mount',
              'sh',
              '-c',
              'mount --bind "$1" /run/pcscd && exec pcscd --foreground --info -c "$2"',
              'sh',
              join(setup!.dir, 'run'),
              join(setup!.dir, 'conf'),
            ],
            { stdio: ['ignore', out, out] },
          )
        : spawn('pcscd', ['--foreground', '--info'], { stdio: ['ignore', out, out] });
    closeSync(out);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    pcscd = { child, guardian: guard(child.pid!), exited };
    const until = Date.now() + 10_000;
    while (!log().includes('daemon ready')) {
      if (child.exitCode !== null) throw new Error(`pcscd exited (${child.exitCode}): ${log().slice(-2000)}`);
      if (Date.now() > until) throw new Error(`pcscd not ready in 10 s: ${log().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const killPcscd = async () => {
    const p = pcscd;
    pcscd = null;
    for (const s of cards) s.destroy();
    cards.clear();
    if (!p) return;
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    p.guardian.stdin?.end();
    await p.exited;
  };

  await startPcscd().catch(async (err: unknown) => {
    holder?.stdin?.end();
    throw err;
  });

  return {
    readers: VIRTUAL_READERS,
    mode,
    env: setup ? { PCSCLITE_CSOCK_NAME: setup.socket } : {},
    async tap(uid, opts = {}) {
      const slot = opts.slot ?? 0;
      const atr = Buffer.from(opts.atr ?? CONTACTLESS_ATR, 'hex');
      const uidBytes = Buffer.from(uid, 'hex');
      const socket = net.connect(port + slot, '127.0.0.1');
      socket.setNoDelay(true);
      const apdus: string[] = [];
      let onDetected!: (t: number) => void;
      let onPowered!: (t: number) => void;
      let onGetData!: (t: number) => void;
      const detected = new Promise<number>((r) => (onDetected = r));
      const poweredOn = new Promise<number>((r) => (onPowered = r));
      const getData = new Promise<number>((r) => (onGetData = r));
      let buf = Buffer.alloc(0);
      const reply = (payload: Buffer) => {
        if (socket.destroyed || socket.writableEnded) return;
        const head = Buffer.alloc(2);
        head.writeUInt16BE(payload.length);
        socket.write(Buffer.concat([head, payload]));
      };
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2) {
          const n = buf.readUInt16BE(0);
          if (buf.length < 2 + n) break;
          const msg = buf.subarray(2, 2 + n);
          buf = buf.subarray(2 + n);
          const now = performance.now();
          if (n === 1) {
            onDetected(now);
            if (msg[0] === 1) onPowered(now);
            if (msg[0] === 4) reply(atr);
            continue;
          }
          const hex = msg.toString('hex').toUpperCase();
          apdus.push(hex);
          if (hex === 'FFCA000000') {
            if (opts.getDataStatus !== undefined) {
              const sw = Buffer.alloc(2);
              sw.writeUInt16BE(opts.getDataStatus);
              reply(sw);
            } else {
              reply(Buffer.concat([uidBytes, Buffer.from([0x90, 0x00])]));
            }
            onGetData(performance.now());
          } else {
            reply(Buffer.from([0x6d, 0x00]));
          }
        }
      });
      socket.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('error', reject);
      });
      const connectedAt = performance.now();
      cards.add(socket);
      return {
        uid: uid.toUpperCase(),
        slot,
        connectedAt,
        detected,
        poweredOn,
        getData,
        apdus,
        remove: async ({ settle = true } = {}) => {
          cards.delete(socket);
          if (!socket.destroyed) {
            const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
            socket.destroy();
            await closed;
          }
          // pcscd polls vpcd every ~400 ms: a card taken away and another tapped within one poll looks
          // like one card that never left. Waiting past a poll makes the next tap a new card.
          if (settle) await new Promise((r) => setTimeout(r, REMOVAL_SETTLE_MS));
        },
      };
    },
    killPcscd,
    startPcscd,
    async restartPcscd() {
      await killPcscd();
      await startPcscd();
    },
    log,
    async stop() {
      await killPcscd();
      if (mode === 'system') {
        rmSync(PID_FILE, { force: true });
        rmSync(COMM_FILE, { force: true });
      }
      if (holder) {
        holder.stdin?.end();
        if (holder.exitCode === null) await new Promise<void>((resolve) => holder.once('exit', () => resolve()));
      }
    },
  };
}

/** True when this machine has what the rig needs (pcscd and the vpcd driver). */
export function pcscRigAvailable(): boolean {
  return existsSync('/usr/sbin/pcscd') && existsSync('/usr/lib/pcsc/drivers/serial/libifdvpcd.so');
}
