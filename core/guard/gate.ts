import type { Direction } from '../../common/guard-rules.ts';
import type { GateDirection } from '../../common/readers.ts';
import type { GateResult } from '../../hardware/relay.ts';

/**
 * The turnstile as the guard post sees it: one channel per direction. The LCUS relay driver in
 * hardware/ is adapted to this (core/guard/relay-gate.ts); tests may wire a real relay on a socat pty.
 */
export interface Gate {
  /**
   * False where the post has no relay at all (a manned door, a turnstile driven by its own controller):
   * then no pass says anything about a gate, and only a configured relay that fails raises the alarm.
   */
  isConfigured(): boolean;
  /** True while the relay is connected; false: passes are still recorded and the guard is told. */
  isReady(): boolean;
  /** Opens one direction for the configured pulse, then closes it. Rejects with the reason when it did not open. */
  pulse(direction: Direction): Promise<void>;
  /** Holds one direction open (emergency mode) or lets it close again. */
  hold(direction: Direction, open: boolean): Promise<void>;
  close?(): Promise<void>;
  /** Setup's relay test: one pulse with the relay's own answer. Only a real relay has it. */
  test?(direction: GateDirection): Promise<GateResult>;
}

/** No relay configured: the post opens nothing and says nothing about a gate. */
export const NO_GATE: Gate = {
  isConfigured: () => false,
  isReady: () => false,
  pulse: () => Promise.reject(new Error('no relay configured')),
  hold: () => Promise.reject(new Error('no relay configured')),
};
