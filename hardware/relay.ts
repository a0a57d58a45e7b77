import { EventEmitter } from 'node:events';
import type { Direction } from '../common/domain.ts';
import type { GateConfig, GateStatus } from '../common/readers.ts';
import { defaultHardwareLog, type HardwareLog } from './log.ts';
import { SerialLink } from './serial-link.ts';

/** Why an open did not happen or was not confirmed (the renderer translates the code). */
export type GateFailure = 'gate_not_ready' | 'write_failed' | 'not_confirmed' | 'no_answer';
export type GateResult = { ok: true; confirmed: boolean } | { ok: false; reason: GateFailure };

interface GateEvents {
  status: [GateStatus];
}

/**
 * The turnstile or door as the station drives it: one relay channel per direction (docs/architecture.md).
 * The guard post and setup's relay test use this one interface; the LCUS driver below implements it.
 */
export interface Gate {
  /**
   * False where the post has no relay at all (a manned door, a turnstile driven by its own controller):
   * then no pass says anything about a gate, and only a configured relay that fails raises the alarm.
   */
  isConfigured(): boolean;
  /** True while the relay is connected; false: passes are still recorded and the guard is told. */
  isReady(): boolean;
  /** Opens the direction's channel for the configured pulse, then closes it. Never throws. */
  open(direction: Direction): Promise<GateResult>;
  /** Holds the direction's channel open (emergency mode) or lets it close again. Never throws. */
  hold(direction: Direction, open: boolean): Promise<GateResult>;
  close(): Promise<void>;
}

/** No relay configured: the post opens nothing and says nothing about a gate. */
export const NO_GATE: Gate = {
  isConfigured: () => false,
  isReady: () => false,
  open: () => Promise.resolve({ ok: false, reason: 'gate_not_ready' }),
  hold: () => Promise.resolve({ ok: false, reason: 'gate_not_ready' }),
  close: () => Promise.resolve(),
};

/** `A0 <channel> <01 on | 00 off> <sum of the three bytes & FF>` (docs/architecture.md, "Hardware on the wire"). */
export function lcusCommand(channel: number, on: boolean): number[] {
  const bytes = [0xa0, channel & 0xff, on ? 1 : 0];
  return [...bytes, (bytes[0]! + bytes[1]! + bytes[2]!) & 0xff];
}

export const LCUS_STATUS_QUERY = 0xff;

/**
 * Parses a status answer: text lines "CH1: ON" / "CH2:OFF" (multi-channel LCUS boards), or the binary
 * echo `A0 ch state sum` some single-channel boards send. Returns channel → on.
 */
export function parseLcusStatus(bytes: Buffer): Map<number, boolean> {
  const states = new Map<number, boolean>();
  for (const m of bytes.toString('latin1').matchAll(/CH\s*(\d+)\s*[:=]\s*(ON|OFF)/gi)) {
    states.set(Number(m[1]), m[2]!.toUpperCase() === 'ON');
  }
  for (let i = 0; i + 3 < bytes.length; i++) {
    const [a, ch, st, sum] = [bytes[i]!, bytes[i + 1]!, bytes[i + 2]!, bytes[i + 3]!];
    if (a === 0xa0 && st <= 1 && ((a + ch + st) & 0xff) === sum) states.set(ch, st === 1);
  }
  return states;
}

export interface LcusGateOptions {
  log?: HardwareLog;
  /** How long to wait for the status answer, ms. */
  answerMs?: number;
  watchMs?: number;
}

/** An LCUS-type USB relay (CH340, 9600 8N1) driving a turnstile: one channel per direction. */
export class LcusGate extends EventEmitter<GateEvents> implements Gate {
  readonly id: string;
  readonly config: GateConfig;
  readonly #log: HardwareLog;
  readonly #link: SerialLink;
  readonly #answerMs: number;
  #status: GateStatus;
  #rx: Buffer = Buffer.alloc(0);
  #rxWaiter: (() => void) | null = null;
  #offTimers = new Map<number, NodeJS.Timeout>();
  /** Commands go out one at a time, so a status answer is never mixed with another command. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(config: GateConfig, options: LcusGateOptions = {}) {
    super();
    this.id = config.id;
    this.config = config;
    this.#log = options.log ?? defaultHardwareLog();
    this.#answerMs = options.answerMs ?? 300;
    this.#status = { gateId: config.id, state: 'connecting', reason: null };
    this.#link = new SerialLink({
      path: config.path,
      baudRate: config.baudRate,
      log: this.#log,
      label: `gate:${config.id}`,
      ...(options.watchMs ? { watchMs: options.watchMs } : {}),
    });
    this.#link.on('data', (chunk) => {
      this.#rx = Buffer.concat([this.#rx, chunk]).subarray(-256);
      this.#rxWaiter?.();
    });
    this.#link.on('state', (state, reason) => this.#setStatus(state, reason));
  }

  status(): GateStatus {
    return this.#status;
  }

  isConfigured(): boolean {
    return true;
  }

  isReady(): boolean {
    return this.#status.state === 'ready';
  }

  close(): Promise<void> {
    return this.stop();
  }

  start(): void {
    this.#link.start();
  }

  async stop(): Promise<void> {
    for (const [channel, t] of this.#offTimers) {
      clearTimeout(t);
      await this.#send(lcusCommand(channel, false)).catch(() => undefined);
    }
    this.#offTimers.clear();
    await this.#queue.catch(() => undefined);
    await this.#link.stop();
  }

  open(direction: Direction): Promise<GateResult> {
    const channel = this.#channel(direction);
    const run = this.#queue.then(() => this.#pulse(channel, direction));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Holds a direction open until released (the guard post's emergency mode), or releases it. Never throws.
   * A pulse running on that channel is cancelled so its timer does not close the held channel.
   */
  hold(direction: Direction, open: boolean): Promise<GateResult> {
    const channel = this.#channel(direction);
    const run = this.#queue.then(async (): Promise<GateResult> => {
      const pending = this.#offTimers.get(channel);
      if (pending) clearTimeout(pending);
      this.#offTimers.delete(channel);
      if (!this.#link.isOpen) return { ok: false, reason: 'gate_not_ready' };
      try {
        await this.#send(lcusCommand(channel, open));
        return { ok: true, confirmed: false };
      } catch (err) {
        this.#log.error({ gate: this.id, direction, open, err: (err as Error).message }, 'gate: cannot write to relay');
        return { ok: false, reason: 'write_failed' };
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Reads the relay's channel states (setup's test button shows them). */
  async query(): Promise<Map<number, boolean> | null> {
    const run = this.#queue.then(() => this.#query());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** 'in' is the entry channel, 'out' the exit one. */
  #channel(direction: Direction): number {
    return direction === 'in' ? this.config.entryChannel : this.config.exitChannel;
  }

  #setStatus(state: GateStatus['state'], reason: string | null): void {
    if (state === this.#status.state && reason === this.#status.reason) return;
    this.#status = { ...this.#status, state, reason };
    this.emit('status', this.#status);
  }

  async #send(bytes: number[]): Promise<void> {
    await this.#link.write(bytes);
  }

  async #query(): Promise<Map<number, boolean> | null> {
    this.#rx = Buffer.alloc(0);
    await this.#send([LCUS_STATUS_QUERY]);
    // Wait for the answer to settle: until it goes quiet for a moment after the first byte, or the deadline.
    const deadline = Date.now() + this.#answerMs;
    let lastLen = -1;
    while (Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.#rx.length > 0 ? 20 : deadline - Date.now());
        this.#rxWaiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.#rxWaiter = null;
      if (this.#rx.length > 0 && this.#rx.length === lastLen) break;
      lastLen = this.#rx.length;
    }
    if (this.#rx.length === 0) return null;
    return parseLcusStatus(this.#rx);
  }

  async #pulse(channel: number, direction: Direction): Promise<GateResult> {
    if (!this.#link.isOpen) {
      this.#log.warn({ gate: this.id, direction, state: this.#status.state }, 'gate: open refused, relay not ready');
      return { ok: false, reason: 'gate_not_ready' };
    }
    try {
      await this.#send(lcusCommand(channel, true));
    } catch (err) {
      this.#log.error({ gate: this.id, direction, err: (err as Error).message }, 'gate: cannot write to relay');
      return { ok: false, reason: 'write_failed' };
    }
    const previous = this.#offTimers.get(channel);
    if (previous) clearTimeout(previous);
    const off = setTimeout(() => {
      this.#offTimers.delete(channel);
      const run = this.#queue.then(() => this.#send(lcusCommand(channel, false)));
      this.#queue = run.catch((err: Error) => this.#log.error({ gate: this.id, channel, err: err.message }, 'gate: cannot close relay channel'));
    }, this.config.pulseMs);
    this.#offTimers.set(channel, off);
    if (!this.config.confirm) return { ok: true, confirmed: false };
    let states: Map<number, boolean> | null;
    try {
      states = await this.#query();
    } catch (err) {
      this.#log.error({ gate: this.id, direction, err: (err as Error).message }, 'gate: status query failed');
      return { ok: false, reason: 'write_failed' };
    }
    if (!states) {
      this.#log.warn({ gate: this.id, direction, channel }, 'gate: relay did not answer the status query');
      return { ok: false, reason: 'no_answer' };
    }
    if (states.get(channel) !== true) {
      this.#log.warn({ gate: this.id, direction, channel, states: Object.fromEntries(states) }, 'gate: relay channel did not switch on');
      return { ok: false, reason: 'not_confirmed' };
    }
    return { ok: true, confirmed: true };
  }
}
