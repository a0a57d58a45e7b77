import type { GuardPassView } from '../../common/contract/guard.ts';
import type { Holder, HolderKind } from '../../common/domain.ts';
import type { Direction, ManualOpenReason, VisitorReason } from '../../common/guard-rules.ts';
import { DomainError } from '../../common/errors.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Store } from '../store/index.ts';
import type { PassBook } from './pass-book.ts';
import type { Turnstile } from './turnstile.ts';

export interface ManualPassesOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  book: PassBook;
  turnstile: Turnstile;
}

/** The note a relay test carries to the backend (the school's records are read in Russian). */
export const RELAY_TEST_NOTE = 'проверка реле';

/** The guard opens the gate by hand: for a person without a card, or for a visitor. Each waits for the relay. */
export class ManualPasses {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #book: PassBook;
  readonly #turnstile: Turnstile;

  constructor(options: ManualPassesOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#book = options.book;
    this.#turnstile = options.turnstile;
  }

  async manualOpen(input: {
    direction: Direction;
    reason: ManualOpenReason;
    note: string;
    holderKind: HolderKind | null;
    holderId: string | null;
    operatorId: string | null;
  }): Promise<GuardPassView> {
    if (input.reason === 'other' && input.note.trim() === '') throw new DomainError('invalid_input', 'note_required', 'say why in the note');
    let holder: Holder | null = null;
    if (input.holderId) {
      holder = this.#store.roster.holder(input.holderKind ?? 'student', input.holderId);
      if (!holder) throw new DomainError('not_found', 'person_not_found', `no person ${input.holderId}`);
    }
    const gate = await this.#turnstile.pulseAndWait(input.direction);
    const now = this.#clock.now();
    const view = this.#book.view({
      kind: 'manual',
      at: this.#book.nowIso(now),
      direction: input.direction,
      verdict: 'allow',
      reason: input.reason,
      holder,
      gate,
      notices: gate === 'not_opened' ? ['gate_not_opened'] : [],
      note: input.note || null,
    });
    this.#log.info({ direction: input.direction, reason: input.reason, holder: input.holderId, gate }, 'guard: manual open');
    this.#book.record(
      view,
      this.#book.schoolDate(now),
      () =>
        this.#store.outbox.append('manual_open', {
          direction: input.direction,
          reason: input.reason,
          note: input.note,
          operatorId: input.operatorId,
          holderId: input.holderId,
          gate: gate === 'opened' || gate === 'held_open' ? (input.direction === 'in' ? 'entry' : 'exit') : null,
        }).id,
    );
    return view;
  }

  /**
   * Setup's relay test is a manual open of the gate by IT: recorded (feed, pass log, a `manual_open`
   * event) with the IT person as operator and reason `relay_test`, so nobody can pulse the turnstile
   * without a trace. It lets nobody in: no holder, no direction counted, nothing for parents.
   */
  recordRelayTest(direction: Direction, operatorId: string | null, opened: boolean): GuardPassView {
    const now = this.#clock.now();
    const view = this.#book.view({
      kind: 'manual',
      at: this.#book.nowIso(now),
      verdict: 'info',
      reason: 'relay_test',
      gate: opened ? 'opened' : 'not_opened',
      note: RELAY_TEST_NOTE,
    });
    this.#log.info({ direction, operatorId, opened }, 'guard: relay test (recorded as a manual open)');
    this.#book.record(
      view,
      this.#book.schoolDate(now),
      () =>
        this.#store.outbox.append('manual_open', {
          direction,
          reason: 'relay_test',
          note: RELAY_TEST_NOTE,
          operatorId,
          holderId: null,
          gate: opened ? (direction === 'in' ? 'entry' : 'exit') : null,
        }).id,
    );
    return view;
  }

  async visitorPass(input: { visitorName: string; reason: VisitorReason; note: string; operatorId: string | null }): Promise<GuardPassView> {
    const gate = await this.#turnstile.pulseAndWait('in');
    const now = this.#clock.now();
    const view = this.#book.view({
      kind: 'visitor',
      at: this.#book.nowIso(now),
      direction: 'in',
      verdict: 'allow',
      reason: input.reason,
      gate,
      notices: gate === 'not_opened' ? ['gate_not_opened'] : [],
      visitorName: input.visitorName,
      note: input.note || null,
    });
    this.#log.info({ reason: input.reason, gate }, 'guard: visitor pass');
    this.#book.record(
      view,
      this.#book.schoolDate(now),
      () =>
        this.#store.outbox.append('visitor_pass', {
          visitorName: input.visitorName,
          reason: input.reason,
          note: input.note,
          direction: 'in',
          gate: gate === 'opened' || gate === 'held_open' ? 'entry' : null,
          operatorId: input.operatorId,
        }).id,
    );
    return view;
  }
}
