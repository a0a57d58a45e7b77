/**
 * One PC/SC context per process, shared by every PC/SC reader driver: nfc-pcsc's NFC object (one
 * pcsclite context and its monitoring threads) and the readers pcscd reports.
 *
 * pcscd can go away (a crash, an upgrade, `systemctl restart`): the PC/SC context dies with it and
 * nfc-pcsc emits `error`. The context is then closed and a new one is built once pcscd answers again,
 * with backoff. Building one while pcscd is down would spin inside pcsclite's constructor (it retries
 * SCardEstablishContext in a loop on the JS thread), so on Linux the daemon's socket is probed first.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { NFC, type Reader } from 'nfc-pcsc';
import type { HardwareLog } from './log.ts';

export type PcscContextState = 'starting' | 'ready' | 'down';

interface PcscContextEvents {
  reader: [Reader];
  state: [PcscContextState];
}

export interface PcscContextOptions {
  log: HardwareLog;
  retryMinMs?: number;
  retryMaxMs?: number;
}

/** pcscd's client socket on Linux (pcsc-lite honours PCSCLITE_CSOCK_NAME too). */
export function pcscdSocketPath(): string | null {
  if (process.platform !== 'linux') return null;
  return process.env.PCSCLITE_CSOCK_NAME ?? '/run/pcscd/pcscd.comm';
}

/** Resolves true when pcscd accepts a connection (always true where there is no socket to probe). */
export function pcscdAnswers(timeoutMs = 500): Promise<boolean> {
  const path = pcscdSocketPath();
  if (!path) return Promise.resolve(true);
  if (!existsSync(path)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const s = net.connect(path);
    const done = (ok: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** The native close of the last torn-down context; a new context is built only after it. */
let closing: Promise<void> = Promise.resolve();

export class PcscContext extends EventEmitter<PcscContextEvents> {
  readonly #log: HardwareLog;
  readonly #retryMinMs: number;
  readonly #retryMaxMs: number;
  #nfc: NFC | null = null;
  #readers = new Map<string, Reader>();
  #state: PcscContextState = 'starting';
  #retryMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  /** Contexts built so far (1 + the number of rebuilds after pcscd went away). */
  generations = 0;
  /** When the current context became ready (readers are announced just after). */
  readyAt = 0;

  constructor(options: PcscContextOptions) {
    super();
    this.setMaxListeners(64);
    this.#log = options.log;
    this.#retryMinMs = options.retryMinMs ?? 250;
    this.#retryMaxMs = options.retryMaxMs ?? 2000;
    this.#retryMs = this.#retryMinMs;
  }

  get state(): PcscContextState {
    return this.#state;
  }

  /** Readers pcscd reports right now, by name. */
  readers(): ReadonlyMap<string, Reader> {
    return this.#readers;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#build();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#teardown();
    this.#setState('down');
  }

  #setState(state: PcscContextState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state', state);
  }

  #retry(): void {
    if (!this.#running || this.#timer) return;
    const wait = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, this.#retryMaxMs);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#build();
    }, wait);
  }

  async #build(): Promise<void> {
    if (!this.#running || this.#nfc) return;
    if (!(await pcscdAnswers())) {
      this.#setState('down');
      this.#retry();
      return;
    }
    await closing;
    if (!this.#running || this.#nfc) return;
    let nfc: NFC;
    try {
      nfc = new NFC();
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'pcsc: cannot establish a PC/SC context, will retry');
      this.#setState('down');
      this.#retry();
      return;
    }
    this.#nfc = nfc;
    this.generations++;
    this.#retryMs = this.#retryMinMs;
    nfc.on('reader', (reader) => {
      if (this.#nfc !== nfc) return;
      this.#readers.set(reader.name, reader);
      reader.on('end', () => {
        if (this.#readers.get(reader.name) === reader) this.#readers.delete(reader.name);
      });
      // A reader whose monitoring thread failed while pcscd is fine is never announced again by
      // pcsclite (its reader list did not change): rebuild the whole context to get it back.
      reader.on('error', (err: Error) => {
        if (this.#nfc !== nfc || !/SCardGetStatusChange/.test(err.message)) return;
        setTimeout(() => void this.#rebuildIfDead(nfc, reader.name, err.message), 200);
      });
      this.emit('reader', reader);
    });
    nfc.on('error', (err: Error) => {
      if (this.#nfc !== nfc) return;
      this.#log.warn({ err: err.message }, 'pcsc: PC/SC context lost (pcscd stopped?), rebuilding');
      this.#teardown();
      this.#setState('down');
      this.#retry();
    });
    this.#log.info({ generation: this.generations }, 'pcsc: context ready');
    this.readyAt = Date.now();
    this.#setState('ready');
  }

  async #rebuildIfDead(nfc: NFC, name: string, reason: string): Promise<void> {
    if (this.#nfc !== nfc || !this.#running) return;
    if (!(await pcscdAnswers())) return; // pcscd itself is gone: the context's own error handles it
    if (this.#nfc !== nfc) return;
    this.#log.warn({ pcsc: name, err: reason }, 'pcsc: reader monitoring failed, rebuilding the PC/SC context');
    this.#teardown();
    this.#setState('starting');
    void this.#build();
  }

  #teardown(): void {
    const nfc = this.#nfc;
    this.#nfc = null;
    const readers = [...this.#readers.values()];
    this.#readers.clear();
    for (const r of readers) {
      // Ends every driver's attachment: the reader object belongs to the dead context.
      r.emit('end');
      r.removeAllListeners();
      r.on('error', () => undefined);
    }
    if (nfc) {
      nfc.removeAllListeners();
      nfc.on('error', () => undefined);
    }
    // pcsclite runs promise continuations of a reader's status event while it holds that reader's mutex,
    // and close() takes the same mutex: closing from there would deadlock the process. So the native
    // close always runs on a fresh turn of the event loop, and no new context is built before it ran.
    closing = new Promise<void>((done) =>
      setImmediate(() => {
        for (const r of readers) {
          try {
            r.close();
          } catch (err) {
            this.#log.debug({ reader: r.name, err: (err as Error).message }, 'pcsc: closing a reader failed');
          }
        }
        try {
          nfc?.close();
        } catch (err) {
          this.#log.debug({ err: (err as Error).message }, 'pcsc: closing the old context failed');
        }
        done();
      }),
    );
  }
}

let shared: { context: PcscContext; users: number; idle: NodeJS.Timeout | null } | null = null;

/** How long an unused context is kept, so reconfiguring readers does not rebuild it. */
export const PCSC_IDLE_CLOSE_MS = 1500;

/**
 * The process's PC/SC context, started on first use and stopped PCSC_IDLE_CLOSE_MS after its last
 * user releases it (an idle context would still connect to every card presented).
 */
export function acquirePcscContext(log: HardwareLog): PcscContext {
  if (!shared) {
    shared = { context: new PcscContext({ log }), users: 0, idle: null };
    shared.context.start();
  }
  if (shared.idle) clearTimeout(shared.idle);
  shared.idle = null;
  shared.users++;
  return shared.context;
}

export function releasePcscContext(context: PcscContext): void {
  const s = shared;
  if (!s || s.context !== context) return;
  s.users--;
  if (s.users > 0) return;
  s.idle = setTimeout(() => {
    if (shared !== s || s.users > 0) return;
    s.context.stop();
    shared = null;
  }, PCSC_IDLE_CLOSE_MS);
  s.idle.unref();
}

/** Stops the shared context now if nobody uses it (benchmarks switching to a bare listener). */
export async function closeIdlePcscContext(): Promise<void> {
  const s = shared;
  if (!s || s.users > 0) return;
  if (s.idle) clearTimeout(s.idle);
  s.context.stop();
  shared = null;
  await closing;
}
