import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import type { ReaderStatus } from '../common/readers.ts';
import type { HardwareLog } from './log.ts';

export type LinkState = ReaderStatus['state'];

export interface SerialLinkOptions {
  path: string;
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
  log: HardwareLog;
  /** Who this link serves, for log lines. */
  label: string;
  /** How often the device path is checked while open (a vanished port may not error until written to). */
  watchMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
}

interface SerialLinkEvents {
  data: [Buffer];
  state: [LinkState, string | null];
}

/** Reason codes a serial link reports (the renderer translates them). */
export type LinkReason = 'port_missing' | 'port_busy' | 'permission_denied' | 'open_failed' | 'port_lost' | 'invalid_config';

function openFailureReason(err: NodeJS.ErrnoException): { state: LinkState; reason: LinkReason } {
  const m = err.message ?? '';
  if (/Cannot lock port|Resource temporarily unavailable|EAGAIN|EBUSY|busy/i.test(m)) return { state: 'busy', reason: 'port_busy' };
  if (/ENOENT|No such file/i.test(m)) return { state: 'disconnected', reason: 'port_missing' };
  if (/EACCES|Permission denied/i.test(m)) return { state: 'error', reason: 'permission_denied' };
  return { state: 'error', reason: 'open_failed' };
}

/**
 * One serial port kept open: opens it (exclusively locked), reopens it with backoff when it vanishes or
 * is held by another process, and notices a vanished device within `watchMs` even when no byte flows.
 * Never throws: every failure becomes a state with a reason code.
 */
export class SerialLink extends EventEmitter<SerialLinkEvents> {
  readonly #o: Required<Omit<SerialLinkOptions, 'log' | 'label'>> & Pick<SerialLinkOptions, 'log' | 'label'>;
  #port: SerialPort | null = null;
  #device: { dev: number; ino: number; rdev: number } | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #watchTimer: NodeJS.Timeout | null = null;
  #retryMs: number;
  #running = false;
  #state: LinkState = 'connecting';
  #reason: string | null = null;
  /** Times the port was reopened after a loss. */
  reconnects = 0;
  #everOpened = false;

  constructor(options: SerialLinkOptions) {
    super();
    this.#o = { dataBits: 8, parity: 'none', stopBits: 1, watchMs: 1000, retryMinMs: 250, retryMaxMs: 2000, ...options };
    this.#retryMs = this.#o.retryMinMs;
  }

  get state(): LinkState {
    return this.#state;
  }
  get reason(): string | null {
    return this.#reason;
  }
  get isOpen(): boolean {
    return this.#port?.isOpen === true && this.#state === 'ready';
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#open();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#clearTimers();
    await this.#closePort();
    this.#setState('disconnected', null);
  }

  /** Writes and waits until the bytes are handed to the OS. Rejects when the port is not open. */
  write(bytes: Buffer | number[]): Promise<void> {
    const port = this.#port;
    if (!port || !this.isOpen) return Promise.reject(new Error('port not open'));
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(bytes), (err) => {
        if (err) {
          reject(err);
          this.#lost('port_lost', err);
          return;
        }
        port.drain((e) => (e ? reject(e) : resolve()));
      });
    });
  }

  #setState(state: LinkState, reason: string | null): void {
    if (state === this.#state && reason === this.#reason) return;
    this.#state = state;
    this.#reason = reason;
    this.emit('state', state, reason);
  }

  #clearTimers(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#watchTimer) clearInterval(this.#watchTimer);
    this.#retryTimer = null;
    this.#watchTimer = null;
  }

  #scheduleRetry(): void {
    if (!this.#running || this.#retryTimer) return;
    const wait = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, this.#o.retryMaxMs);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#open();
    }, wait);
    this.#retryTimer.unref?.();
  }

  #open(): void {
    if (!this.#running || this.#port) return;
    if (this.#state !== 'busy' && this.#state !== 'disconnected' && this.#state !== 'error') this.#setState('connecting', null);
    let port: SerialPort;
    try {
      port = new SerialPort({
        path: this.#o.path,
        baudRate: this.#o.baudRate,
        dataBits: this.#o.dataBits,
        parity: this.#o.parity,
        stopBits: this.#o.stopBits,
        autoOpen: false,
        lock: true,
      });
    } catch (err) {
      this.#o.log.error({ reader: this.#o.label, path: this.#o.path, err }, 'serial: invalid port settings');
      this.#setState('error', 'invalid_config');
      return;
    }
    this.#port = port;
    port.open((err) => {
      if (!this.#running || this.#port !== port) {
        if (!err) port.close(() => undefined);
        return;
      }
      if (err) {
        this.#port = null;
        const { state, reason } = openFailureReason(err as NodeJS.ErrnoException);
        if (this.#reason !== reason)
          this.#o.log.warn({ reader: this.#o.label, path: this.#o.path, reason, err: err.message }, 'serial: cannot open port, will retry');
        this.#setState(state, reason);
        this.#scheduleRetry();
        return;
      }
      void this.#onOpen(port);
    });
  }

  async #onOpen(port: SerialPort): Promise<void> {
    try {
      const st = await stat(this.#o.path);
      this.#device = { dev: st.dev, ino: st.ino, rdev: st.rdev };
    } catch {
      this.#device = null;
    }
    if (this.#port !== port) return;
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    port.on('error', (err) => this.#lost('port_lost', err));
    port.on('close', (err?: Error | null) => {
      if (this.#port === port) this.#lost('port_lost', err ?? undefined);
    });
    this.#retryMs = this.#o.retryMinMs;
    if (this.#everOpened) this.reconnects++;
    this.#everOpened = true;
    this.#o.log.info({ reader: this.#o.label, path: this.#o.path }, 'serial: port open');
    this.#setState('ready', null);
    this.#watchTimer = setInterval(() => void this.#watch(port), this.#o.watchMs);
    this.#watchTimer.unref?.();
  }

  /** The device node gone or replaced (a USB replug gives a new node) means the port we hold is dead. */
  async #watch(port: SerialPort): Promise<void> {
    let same = false;
    try {
      const st = await stat(this.#o.path);
      const d = this.#device;
      same = !d || (d.rdev === st.rdev && d.ino === st.ino && d.dev === st.dev);
    } catch {
      same = false;
    }
    if (!same && this.#port === port) this.#lost('port_lost', new Error('device node vanished or was replaced'));
  }

  #lost(reason: LinkReason, err?: Error): void {
    if (!this.#running || !this.#port) return;
    this.#o.log.warn({ reader: this.#o.label, path: this.#o.path, reason, err: err?.message }, 'serial: port lost, will reopen');
    if (this.#watchTimer) clearInterval(this.#watchTimer);
    this.#watchTimer = null;
    void this.#closePort();
    this.#setState('disconnected', reason);
    this.#scheduleRetry();
  }

  async #closePort(): Promise<void> {
    const port = this.#port;
    this.#port = null;
    this.#device = null;
    if (!port) return;
    port.removeAllListeners('data');
    port.removeAllListeners('close');
    port.removeAllListeners('error');
    port.on('error', () => undefined);
    if (!port.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
