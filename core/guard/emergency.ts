import { v7 as uuidv7 } from 'uuid';
import type { EmergencyState } from '../../common/contract/guard.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Store } from '../store/index.ts';
import type { PassBook } from './pass-book.ts';
import type { Turnstile } from './turnstile.ts';

export interface EmergencyOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  book: PassBook;
  turnstile: Turnstile;
  /** How many people are inside now (the roll call), for the start event. */
  insideCount: () => number;
  changed: (state: EmergencyState) => void;
}

/**
 * Emergency mode: one guarded action holds both directions open and readies the roll call. It works
 * offline, never waits for a PIN, and survives a restart (the gate is held open again on start).
 */
export class Emergency {
  readonly #o: EmergencyOptions;
  #on: { id: string; startedAt: string; gateHeld: boolean } | null = null;

  constructor(options: EmergencyOptions) {
    this.#o = options;
  }

  active(): boolean {
    return this.#on !== null;
  }

  state(): EmergencyState {
    return { active: this.#on !== null, startedAt: this.#on?.startedAt ?? null, gateHeld: this.#on?.gateHeld ?? false, relay: this.#o.turnstile.hasRelay() };
  }

  /** An emergency that was on when the station stopped goes on: the gate is held open again. */
  resume(): void {
    const open = this.#o.store.guardLog.openEmergency();
    if (!open) return;
    this.#on = { id: open.id, startedAt: open.startedAt, gateHeld: false };
    this.#o.log.warn({ since: open.startedAt }, 'guard: emergency mode was on at start; holding the gate open again');
    void this.#o.turnstile.holdBoth(true).then((held) => {
      if (this.#on) this.#on.gateHeld = held;
      this.#o.changed(this.state());
    });
  }

  /** `operatorId` null means nobody was on duty, and the event says so. */
  async start(operatorId: string | null): Promise<EmergencyState> {
    if (this.#on) return this.state();
    const { store, clock, book, turnstile, log } = this.#o;
    const now = clock.now();
    const at = book.nowIso(now);
    const id = uuidv7();
    this.#on = { id, startedAt: at, gateHeld: false };
    const held = await turnstile.holdBoth(true);
    this.#on.gateHeld = held;
    // A post without a relay says nothing about a gate; a relay that did not hold raises the alarm.
    const gate = !turnstile.hasRelay() ? 'none' : held ? 'held_open' : 'not_opened';
    const insideCount = this.#o.insideCount();
    const view = book.view({
      kind: 'emergency',
      at,
      verdict: 'info',
      reason: 'emergency_started',
      alarm: true,
      gate,
      notices: gate === 'not_opened' ? ['gate_not_opened'] : [],
    });
    store.db.transaction(() => {
      store.guardLog.startEmergency(id, at, operatorId);
      book.record(
        view,
        book.schoolDate(now),
        () => store.outbox.append('emergency_start', { operatorId, insideCount, ...(operatorId === null ? { nobodyOnDuty: true } : {}) }).id,
      );
    })();
    log.error({ inside: insideCount, gateHeld: held, operatorId }, 'guard: EMERGENCY MODE started');
    this.#o.changed(this.state());
    return this.state();
  }

  async end(operatorId: string | null): Promise<EmergencyState> {
    const e = this.#on;
    if (!e) return this.state();
    const { store, clock, book, turnstile, log } = this.#o;
    const released = await turnstile.holdBoth(false);
    const now = clock.now();
    const view = book.view({ kind: 'emergency', at: book.nowIso(now), verdict: 'info', reason: 'emergency_ended', gate: 'none' });
    store.db.transaction(() => {
      store.guardLog.endEmergency(e.id, view.at, operatorId);
      book.record(view, book.schoolDate(now), () => store.outbox.append('emergency_end', { operatorId, startedAt: e.startedAt }).id);
    })();
    this.#on = null;
    log.warn({ released }, 'guard: emergency mode ended');
    this.#o.changed(this.state());
    return this.state();
  }
}
