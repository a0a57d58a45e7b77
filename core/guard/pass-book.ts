import { v7 as uuidv7 } from 'uuid';
import type { CanonicalCard } from '../../common/card-id.ts';
import type { GuardCounters, GuardPassView } from '../../common/contract/guard.ts';
import { InsideNow, type Direction, type InsideMove } from '../../common/guard-rules.ts';
import type { HolderKind } from '../../common/domain.ts';
import { schoolDate, schoolDayEnd } from '../../common/school-time.ts';
import type { SchoolPass, SchoolVisitor } from '../store/school-day.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Store } from '../store/index.ts';

export type PassDraft = Partial<GuardPassView> & Pick<GuardPassView, 'kind' | 'at' | 'verdict' | 'reason'> & { card?: CanonicalCard | null };

export interface PassShown {
  pass: GuardPassView;
  counters: GuardCounters;
  /** A tap's: when the station process got the reader's card event (epoch ms, sub-ms), for the log line of its way to the screen. */
  cardAt?: number;
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
  /** `store.passes.forgotten` when the counters were last built. */
  #forgotten = 0;

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
  record(view: GuardPassView, date: string, appendEvent: (() => string) | null, cardAt?: number): void {
    const counters = this.#bump(view, date);
    this.#shown(cardAt === undefined ? { pass: view, counters } : { pass: view, counters, cardAt });
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

  /**
   * Today's counters over the whole school: this post's passes and the ones the school's other posts
   * left (merged by the school-day sync), one inside-now rule over both. Alarms are this post's own.
   */
  counters(): GuardCounters {
    const date = this.schoolDate();
    // Rebuilt for a new school day, and when the roster removed a person (their passes were forgotten).
    if (this.#counters?.schoolDate !== date || this.#forgotten !== this.#store.passes.forgotten) {
      this.#forgotten = this.#store.passes.forgotten;
      const own = this.#store.passes.counts(date);
      const school = this.#store.schoolDay.counts(date);
      const moves: InsideMove[] = [
        ...this.#store.passes.moves(date).map((v) => this.#corrected(v)),
        ...this.#store.schoolDay.passes(date).flatMap((p) => this.#move(p)),
        ...this.#store.schoolDay.visitors(date).map((v) => this.#visitorMove(v)),
      ];
      // The last pass is the latest by time, whichever post saw it.
      moves.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      this.#inside = new InsideNow(moves);
      this.#counters = {
        schoolDate: date,
        enteredToday: own.entered + school.entered,
        exitedToday: own.exited + school.exited,
        alarmsToday: own.alarms,
        insideNow: this.#inside.count(),
      };
    }
    return { ...this.#counters };
  }

  /** This post's pass on the school's time line: its time corrected by the clock offset, as other posts' are. */
  #corrected<T extends InsideMove>(m: T): T {
    const offset = this.#clock.offsetMs();
    return offset === 0 ? m : { ...m, at: new Date(Date.parse(m.at) + offset).toISOString() };
  }

  /** Another post's pass as a move, named from this station's roster (the fact carries only the id). */
  #move(p: SchoolPass): InsideMove[] {
    if (p.verdict !== 'allow') return [];
    const who = this.#store.roster.holder(p.holderKind, p.holderId);
    return [
      {
        kind: p.manual ? 'manual' : 'tap',
        verdict: 'allow',
        direction: p.direction,
        at: p.at,
        holder: { kind: p.holderKind, id: p.holderId, fullName: who?.fullName ?? p.holderId, group: who?.group ?? '' },
        reason: 'ok',
        note: null,
      },
    ];
  }

  /** A visitor another post let in, as a move (the fact carries the name the desk wrote). */
  #visitorMove(v: SchoolVisitor): InsideMove {
    return {
      kind: 'visitor',
      verdict: 'allow',
      direction: v.direction,
      at: v.at,
      holder: null,
      reason: v.reason,
      note: null,
      visitorName: v.visitorName,
      stationId: v.stationId,
    };
  }

  #bump(view: GuardPassView, date: string): GuardCounters {
    const c = this.counters();
    if (c.schoolDate !== date) return c;
    if (view.verdict === 'allow' && view.direction === 'in') c.enteredToday++;
    if (view.verdict === 'allow' && view.direction === 'out') c.exitedToday++;
    if (view.alarm) c.alarmsToday++;
    this.#inside?.apply(this.#corrected(view));
    c.insideNow = this.#inside?.count() ?? 0;
    this.#counters = c;
    return { ...c };
  }

  /**
   * Passes and visitors the school's other posts left, just merged into the store: counted in (each
   * once, by the store's key) and put on the inside-now list. Returns the counters after them.
   */
  mergeSchool(passes: readonly SchoolPass[], date: string, visitors: readonly SchoolVisitor[] = []): GuardCounters {
    // Counters built now (first use, or a new day) were read from the store, these passes included.
    const built = this.#counters?.schoolDate === date;
    const c = this.counters();
    if (!built || c.schoolDate !== date) return c;
    for (const p of passes) {
      if (p.verdict !== 'allow') continue;
      if (p.direction === 'in') c.enteredToday++;
      else c.exitedToday++;
      for (const m of this.#move(p)) this.#inside?.apply(m);
    }
    for (const v of visitors) {
      if (v.direction === 'in') c.enteredToday++;
      else c.exitedToday++;
      this.#inside?.apply(this.#visitorMove(v));
    }
    c.insideNow = this.#inside?.count() ?? 0;
    this.#counters = c;
    return { ...c };
  }

  /** Who is inside now (today's school day), the same figures the counter shows. */
  inside(): InsideNow {
    this.counters();
    return this.#inside ?? new InsideNow();
  }

  /** A person's last allowed direction today at any post of the school (anti-passback, whereabouts). */
  lastDirection(kind: HolderKind, id: string): Direction | null {
    return this.inside().lastDirection(kind, id);
  }

  /**
   * A person's last allowed pass today at any post of the school, the latest by time: its direction and
   * when it was on this station's clock (anti-passback and its window compare it with this clock's now).
   */
  lastPass(kind: HolderKind, id: string): { direction: Direction; at: number } | null {
    const last = this.inside().lastPass(kind, id);
    // The school's time line is this clock corrected by its offset (see #corrected): back to this clock.
    return last ? { direction: last.direction, at: Date.parse(last.at) - this.#clock.offsetMs() } : null;
  }

  /** Today's and yesterday's passes, newest first (the feed pages back across midnight once). */
  feed(options: { alarmsOnly: boolean; limit: number; before: string | null }): GuardPassView[] {
    const since = this.schoolDate(this.#clock.now() - 86_400_000);
    return this.#store.passes.feed(since, options.before ?? '~', options.limit, options.alarmsOnly);
  }
}
