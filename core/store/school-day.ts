import type { HolderKind } from '../../common/domain.ts';
import type { Direction } from '../../common/guard-rules.ts';
import type { DayFact, DayFigures, DayStation } from '../../common/sync-api.ts';
import type { Db } from './db.ts';

/** A pass another post of the school recorded, as this station keeps it. */
export interface SchoolPass {
  id: string;
  stationId: string;
  holderId: string;
  holderKind: HolderKind;
  at: string;
  direction: Direction;
  verdict: 'allow' | 'deny';
  manual: boolean;
}

/** A visitor another post of the school let in by hand (a name, no roster id), as this station keeps it. */
export interface SchoolVisitor {
  id: string;
  stationId: string;
  at: string;
  direction: Direction;
  visitorName: string;
  reason: string;
}

/** The sum of other tills' meal facts (after a seq) for one child's day. */
export interface MealSum {
  spent: number;
  subsidyMeals: number;
  offlineSpent: number;
}

export interface BaseFigures extends MealSum {
  asOf: number;
}

export interface SchoolStation extends DayStation {
  heardAt: string;
}

interface PassRow {
  id: string;
  station_id: string;
  holder_id: string;
  holder_kind: HolderKind;
  at: string;
  direction: Direction;
  verdict: 'allow' | 'deny';
  manual: number;
}

const toPass = (r: PassRow): SchoolPass => ({
  id: r.id,
  stationId: r.station_id,
  holderId: r.holder_id,
  holderKind: r.holder_kind,
  at: r.at,
  direction: r.direction,
  verdict: r.verdict,
  manual: r.manual === 1,
});

/**
 * The school's day as its other stations left it (`school_facts`, `school_figures`, `school_stations`,
 * migration 008; `school_visitors`, migration 009): merged here apart from the outbox. The only code
 * that touches those tables.
 */
export class SchoolDayLog {
  readonly #q;

  constructor(db: Db) {
    this.#q = {
      insert: db.prepare(
        `INSERT INTO school_facts (id, seq, event_id, kind, station_id, holder_id, holder_kind, school_date, at, direction, verdict, manual,
           meal, spent, subsidy_meals, offline_spent, received_at)
         VALUES (@id, @seq, @eventId, @kind, @stationId, @holderId, @holderKind, @schoolDate, @at, @direction, @verdict, @manual,
           @meal, @spent, @subsidyMeals, @offlineSpent, @receivedAt)
         ON CONFLICT (id) DO NOTHING`,
      ),
      insertVisitor: db.prepare(
        `INSERT INTO school_visitors (id, seq, station_id, school_date, at, direction, visitor_name, reason, received_at)
         VALUES (@id, @seq, @stationId, @schoolDate, @at, @direction, @visitorName, @reason, @receivedAt)
         ON CONFLICT (id) DO NOTHING`,
      ),
      visitors: db.prepare<[string], { id: string; station_id: string; at: string; direction: Direction; visitor_name: string; reason: string }>(
        'SELECT id, station_id, at, direction, visitor_name, reason FROM school_visitors WHERE school_date = ? ORDER BY at, seq',
      ),
      visitorCounts: db.prepare<[string], { entered: number; exited: number }>(
        `SELECT coalesce(sum(direction = 'in'), 0) AS entered, coalesce(sum(direction = 'out'), 0) AS exited FROM school_visitors WHERE school_date = ?`,
      ),
      dropVisitorsBefore: db.prepare<[string], never>('DELETE FROM school_visitors WHERE school_date < ?'),
      clearVisitors: db.prepare('DELETE FROM school_visitors'),
      passes: db.prepare<[string], PassRow>(
        "SELECT id, station_id, holder_id, holder_kind, at, direction, verdict, manual FROM school_facts WHERE school_date = ? AND kind = 'pass' ORDER BY at, seq",
      ),
      lastPass: db.prepare<[string, string], PassRow>(
        `SELECT id, station_id, holder_id, holder_kind, at, direction, verdict, manual FROM school_facts
          WHERE holder_id = ? AND school_date = ? AND kind = 'pass' AND verdict = 'allow' ORDER BY at DESC, seq DESC LIMIT 1`,
      ),
      hasEntry: db.prepare<[string, string], { x: number }>(
        "SELECT 1 AS x FROM school_facts WHERE holder_id = ? AND school_date = ? AND kind = 'pass' AND verdict = 'allow' AND direction = 'in' LIMIT 1",
      ),
      counts: db.prepare<[string], { entered: number; exited: number }>(
        `SELECT coalesce(sum(verdict = 'allow' AND direction = 'in'), 0) AS entered, coalesce(sum(verdict = 'allow' AND direction = 'out'), 0) AS exited
           FROM school_facts WHERE school_date = ? AND kind = 'pass'`,
      ),
      mealsAfter: db.prepare<[string, string, number], { spent: number; subsidy: number; offline: number }>(
        `SELECT coalesce(sum(spent), 0) AS spent, coalesce(sum(subsidy_meals), 0) AS subsidy, coalesce(sum(offline_spent), 0) AS offline
           FROM school_facts WHERE holder_id = ? AND school_date = ? AND kind = 'meal' AND seq > ?`,
      ),
      base: db.prepare<[string, string], { spent: number; subsidy_meals: number; offline_spent: number; as_of: number }>(
        'SELECT spent, subsidy_meals, offline_spent, as_of FROM school_figures WHERE holder_id = ? AND school_date = ?',
      ),
      putBase: db.prepare(
        `INSERT INTO school_figures (holder_id, school_date, spent, subsidy_meals, offline_spent, as_of) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (holder_id, school_date) DO UPDATE SET spent = excluded.spent, subsidy_meals = excluded.subsidy_meals,
           offline_spent = excluded.offline_spent, as_of = excluded.as_of WHERE excluded.as_of >= school_figures.as_of`,
      ),
      dropBefore: db.prepare<[string], never>('DELETE FROM school_facts WHERE school_date < ?'),
      dropFiguresBefore: db.prepare<[string], never>('DELETE FROM school_figures WHERE school_date < ?'),
      putStation: db.prepare(
        `INSERT INTO school_stations (id, name, role, last_seen_at, heard_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, last_seen_at = excluded.last_seen_at, heard_at = excluded.heard_at`,
      ),
      forgetFacts: db.prepare<[string], never>('DELETE FROM school_facts WHERE holder_id = ?'),
      forgetFigures: db.prepare<[string], never>('DELETE FROM school_figures WHERE holder_id = ?'),
      clearStations: db.prepare('DELETE FROM school_stations'),
      clearFacts: db.prepare('DELETE FROM school_facts'),
      clearFigures: db.prepare('DELETE FROM school_figures'),
      stations: db.prepare<[], { id: string; name: string; role: DayStation['role']; last_seen_at: string | null; heard_at: string }>(
        'SELECT id, name, role, last_seen_at, heard_at FROM school_stations ORDER BY name, id',
      ),
    };
  }

  /** Stores the facts not stored yet; returns the ones that were new (a fact is applied once). */
  add(facts: readonly DayFact[], receivedAt: string): DayFact[] {
    const fresh: DayFact[] = [];
    for (const f of facts) {
      if (f.kind === 'visitor') {
        const { id, seq, stationId, schoolDate, at, direction, visitorName, reason } = f;
        const n = this.#q.insertVisitor.run({ id, seq, stationId, schoolDate, at, direction, visitorName, reason, receivedAt }).changes;
        if (n > 0) fresh.push(f);
        continue;
      }
      const pass = f.kind === 'pass' ? f : null;
      const meal = f.kind === 'meal' ? f : null;
      const n = this.#q.insert.run({
        id: f.id,
        seq: f.seq,
        eventId: f.eventId,
        kind: f.kind,
        stationId: f.stationId,
        holderId: f.holderId,
        holderKind: pass?.holderKind ?? null,
        schoolDate: f.schoolDate,
        at: f.at,
        direction: pass?.direction ?? null,
        verdict: pass?.verdict ?? null,
        manual: pass?.manual ? 1 : 0,
        meal: meal?.meal ?? null,
        spent: meal?.spent ?? 0,
        subsidyMeals: meal?.subsidyMeals ?? 0,
        offlineSpent: meal?.offlineSpent ?? 0,
        receivedAt,
      }).changes;
      if (n > 0) fresh.push(f);
    }
    return fresh;
  }

  /** Other posts' passes of a school day, in time order. */
  passes(schoolDate: string): SchoolPass[] {
    return this.#q.passes.all(schoolDate).map(toPass);
  }

  /** Visitors other posts let in (or out) on a school day, in time order. */
  visitors(schoolDate: string): SchoolVisitor[] {
    return this.#q.visitors.all(schoolDate).map((r) => ({
      id: r.id,
      stationId: r.station_id,
      at: r.at,
      direction: r.direction,
      visitorName: r.visitor_name,
      reason: r.reason,
    }));
  }

  /** A holder's last allowed pass at another post on a school day. */
  lastPass(holderId: string, schoolDate: string): SchoolPass | null {
    const r = this.#q.lastPass.get(holderId, schoolDate);
    return r ? toPass(r) : null;
  }

  hasEntry(holderId: string, schoolDate: string): boolean {
    return this.#q.hasEntry.get(holderId, schoolDate) !== undefined;
  }

  /** Other posts' allowed entries and exits of a school day, visitors' included (as this post counts its own). */
  counts(schoolDate: string): { entered: number; exited: number } {
    const p = this.#q.counts.get(schoolDate) ?? { entered: 0, exited: 0 };
    const v = this.#q.visitorCounts.get(schoolDate) ?? { entered: 0, exited: 0 };
    return { entered: p.entered + v.entered, exited: p.exited + v.exited };
  }

  /** Other tills' meal facts of a child's day with a seq after `after`. */
  mealsAfter(holderId: string, schoolDate: string, after: number): MealSum {
    const r = this.#q.mealsAfter.get(holderId, schoolDate, after) ?? { spent: 0, subsidy: 0, offline: 0 };
    return { spent: r.spent, subsidyMeals: r.subsidy, offlineSpent: r.offline };
  }

  /** The school-wide figures the last roster page brought for a child's day; null when none came today. */
  base(holderId: string, schoolDate: string): BaseFigures | null {
    const r = this.#q.base.get(holderId, schoolDate);
    return r ? { spent: r.spent, subsidyMeals: r.subsidy_meals, offlineSpent: r.offline_spent, asOf: r.as_of } : null;
  }

  /**
   * A roster page's figures: every account in the page gets one (an account with no figure spent
   * nothing yet). A figure older than the one kept is ignored.
   */
  putFigures(schoolDate: string, asOf: number, holderIds: readonly string[], figures: readonly DayFigures[]): void {
    const byHolder = new Map(figures.map((f) => [f.holderId, f]));
    for (const id of new Set([...holderIds, ...byHolder.keys()])) {
      const f = byHolder.get(id);
      this.#q.putBase.run(id, schoolDate, f?.spent ?? 0, f?.subsidyMeals ?? 0, f?.offlineSpent ?? 0, asOf);
    }
  }

  /** A person the backend removed: the other stations' facts about them go too (ids only, but theirs). */
  forgetHolder(holderId: string): void {
    this.#q.forgetFacts.run(holderId);
    this.#q.forgetFigures.run(holderId);
  }

  /** Forgets days before `schoolDate` (the school's day is all these tables are for). */
  dropBefore(schoolDate: string): void {
    this.#q.dropBefore.run(schoolDate);
    this.#q.dropFiguresBefore.run(schoolDate);
    this.#q.dropVisitorsBefore.run(schoolDate);
  }

  /** Forgets the whole school's day (the station was enrolled with another backend: another school). */
  clear(): void {
    this.#q.clearFacts.run();
    this.#q.clearFigures.run();
    this.#q.clearVisitors.run();
    this.#q.clearStations.run();
  }

  /** The other stations as the backend listed them last. */
  setStations(stations: readonly DayStation[], heardAt: string): void {
    this.#q.clearStations.run();
    for (const s of stations) this.#q.putStation.run(s.id, s.name, s.role, s.lastSeenAt, heardAt);
  }

  stations(): SchoolStation[] {
    return this.#q.stations.all().map((r) => ({ id: r.id, name: r.name, role: r.role, lastSeenAt: r.last_seen_at, heardAt: r.heard_at }));
  }
}
