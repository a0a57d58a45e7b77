import type { GateOutcome } from '../../common/contract/guard.ts';
import type { Direction } from '../../common/guard-rules.ts';
import type { Logger } from '../../common/logger.ts';
import type { Gate, GateResult } from '../../hardware/relay.ts';

/** The relay's answer as a promise that rejects with the reason when the gate did not open. */
async function opened(result: Promise<GateResult>): Promise<void> {
  const r = await result;
  if (!r.ok) throw new Error(r.reason);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`relay did not answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export interface TurnstileOptions {
  /** The turnstile; a function so a relay reconfigured in setup is picked up without a restart. */
  gate: () => Gate;
  log: Logger;
  /** How long the post waits for the relay before it counts the gate as not opened. */
  timeoutMs: number;
  /** Emergency mode holds both directions open: a pass then needs no pulse. */
  heldOpen: () => boolean;
  /** A pulse sent without waiting came back as a failure, after its pass was shown and stored. */
  notOpened: (passId: string) => void;
}

/** The guard post's commands to the relay, each bounded in time so a silent relay never hangs the post. */
export class Turnstile {
  readonly #o: TurnstileOptions;

  constructor(options: TurnstileOptions) {
    this.#o = options;
  }

  /**
   * Commands the relay for a pass without waiting (the paint must not wait for the serial port). The
   * answer comes back after the pass is stored; a failure is reported through `notOpened`.
   */
  pulse(direction: Direction, passId: string): GateOutcome {
    const gate = this.#o.gate();
    if (!gate.isConfigured()) return 'none';
    if (this.#o.heldOpen()) return 'held_open';
    if (!gate.isReady()) return 'not_opened';
    withTimeout(opened(gate.open(direction)), this.#o.timeoutMs).catch((err: unknown) => {
      this.#o.log.error({ direction, err: (err as Error).message }, 'guard: the relay did not open the gate');
      this.#o.notOpened(passId);
    });
    return 'opened';
  }

  /** Opens the relay and waits for its answer (bounded), so the guard learns whether the gate opened. */
  async pulseAndWait(direction: Direction): Promise<GateOutcome> {
    const gate = this.#o.gate();
    if (!gate.isConfigured()) return 'none';
    if (this.#o.heldOpen()) return 'held_open';
    if (!gate.isReady()) return 'not_opened';
    try {
      await withTimeout(opened(gate.open(direction)), this.#o.timeoutMs);
      return 'opened';
    } catch (err) {
      this.#o.log.error({ direction, err: (err as Error).message }, 'guard: the relay did not open the gate');
      return 'not_opened';
    }
  }

  /** Whether a relay is configured at this post at all. */
  hasRelay(): boolean {
    return this.#o.gate().isConfigured();
  }

  /** Holds both directions open (or releases them); true when the relay confirmed both, false with no relay. */
  async holdBoth(open: boolean): Promise<boolean> {
    const gate = this.#o.gate();
    if (!gate.isConfigured() || !gate.isReady()) return false;
    const results = await Promise.allSettled([
      withTimeout(opened(gate.hold('in', open)), this.#o.timeoutMs),
      withTimeout(opened(gate.hold('out', open)), this.#o.timeoutMs),
    ]);
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) this.#o.log.error({ open, errors: failed.map((f) => String((f as PromiseRejectedResult).reason)) }, 'guard: relay hold failed');
    return failed.length === 0;
  }
}
