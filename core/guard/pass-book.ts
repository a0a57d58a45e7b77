import { v7 as uuidv7 } from 'uuid';
import type { CanonicalCard } from '../../common/card-id.ts';
import type { GuardCounters, GuardPassView } from '../../common/contract/guard.ts';
import { InsideNow } from '../../common/guard-rules.ts';
import { schoolDate, schoolDayEnd } from '../../common/school-time.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Store } from '../store/index.ts';

export type PassDraft = Partial<GuardPassView> & Pick<GuardPassView, 'kind' | 'at' | 'verdict' | 'reason'> & { card?: CanonicalCard | null };

export interface PassShown {
  pass: GuardPassView;
  counters: GuardCounters;
  receivedAtMs: number;
}

export interface PassBookOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** The pass goes to the screen before it is written. */
  shown: (e: PassShown) => void;
}

/**
 * What every feature of the guard post shares: the school's day and time, the shape of a pass, the
 * order "show, then store" and today's counters.
 */
export class PassBook {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #shown: PassBookOptions['shown'];
  #counters: GuardCounters | null = null;
  /** Today's inside-now, kept with the counters: the counter and the roll call read the same rule. */
  #inside: InsideNow | null = null;

  constructor(options: PassBookOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#shown = options.shown;
  }

  // ---- time -------------------------------------------------------------------------------------------

  nowIso(now = this.#clock.now()): string {
    return new Date(now).toISOString();
  }

  /** The school's time zone, as its backend set it (the default until a roster page brings it). */
  timeZone(): string {
    return this.#store.syncState.schoolSettings().timeZone;
  }

  schoolDate(now = this.#clock.now()): string {
    return schoolDate(now, this.timeZone());
  }

  /** The school day `now` falls in, and the UTC instant it ends (23:59:59.999 school time, across a DST change too). */
  endOfDay(now: number): { schoolDate: string; endsAt: string } {
    return schoolDayEnd(now, this.timeZone());
  }

  // ---- passes -----------------------------------------------------------------------------------------

  view(p: PassDraft): GuardPassView {
    return {
      id: uuidv7(),
      readerId: null,
      direction: null,
      alarm: false,
      notices: [],
      holder: null,
      printed: null,
      gate: 'none',
      note: null,
      visitorName: null,
      ...p,
      card: p.card ? { technology: p.card.technology, uid: p.card.uid } : null,
    };
  }

  /** Shows the pass (event first: the screen must not wait for the disk), then stores it durably with its event. */
  record(view: GuardPassView, date: string, appendEvent: (() => string) | null, receivedAtMs = performance.timeOrigin + performance.now()): void {
    const counters = this.#bump(view, date);
    this.#shown({ pass: view, counters, receivedAtMs });
    try {
      this.#store.db.transaction(() => {
        const eventId = appendEvent ? appendEvent() : null;
        this.#store.passes.insert(view, date, eventId);
      })();
    } catch (err) {
      this.#log.error({ err, pass: view.id }, 'guard: could not store a pass');
    }
  }

  // ---- counters and feed ------------------------------------------------------------------------------

  counters(): GuardCounters {
    const date = this.schoolDate();
    if (this.#counters?.schoolDate !== date) {
      const c = this.#store.passes.counts(date);
      this.#inside = new InsideNow(this.#store.passes.moves(date));
      this.#counters = {
        schoolDate: date,
        enteredToday: c.entered,
        exitedToday: c.exited,
        alarmsToday: c.alarms,
        insideNow: this.#inside.count(),
      };
    }
    return { ...this.#counters };
  }

  #bump(view: GuardPassView, date: string): GuardCounters {
    const c = this.counters();
    if (c.schoolDate !== date) return c;
    if (view.verdict === 'allow' && view.direction === 'in') c.enteredToday++;
    if (view.verdict === 'allow' && view.direction === 'out') c.exitedToday++;
    if (view.alarm) c.alarmsToday++;
    this.#inside?.apply(view);
    c.insideNow = this.#inside?.count() ?? 0;
    this.#counters = c;
    return { ...c };
  }

  /** Who is inside now (today's school day), the same figures the counter shows. */
  inside(): InsideNow {
    this.counters();
    return this.#inside ?? new InsideNow();
  }

  /** Today's and yesterday's passes, newest first (the feed pages back across midnight once). */
  feed(options: { alarmsOnly: boolean; limit: number; before: string | null }): GuardPassView[] {
    const since = this.schoolDate(this.#clock.now() - 86_400_000);
    return this.#store.passes.feed(since, options.before ?? '~', options.limit, options.alarmsOnly);
  }
}
