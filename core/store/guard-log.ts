import type { Db } from './db.ts';

/** A guard's duty as stored: who, and from when until the end of that school day. */
export interface DutyRow {
  id: string;
  staff_id: string;
  full_name: string;
  position: string;
  started_at: string;
  ends_at: string;
}

export type DutyEndCause = 'signed_out' | 'replaced' | 'day_ended' | 'not_allowed';

/**
 * The guard post's own records besides the pass log: duties (`guard_duties`) and emergencies
 * (`guard_emergencies`), each kept so it survives a restart. The only code that touches those tables.
 */
export class GuardLog {
  readonly #q;

  constructor(db: Db) {
    this.#q = {
      openDuty: db.prepare<[], DutyRow>(
        'SELECT id, staff_id, full_name, position, started_at, ends_at FROM guard_duties WHERE ended_at IS NULL ORDER BY started_at DESC LIMIT 1',
      ),
      insertDuty: db.prepare(
        `INSERT INTO guard_duties (id, staff_id, full_name, position, school_date, started_at, ends_at)
         VALUES (@id, @staff_id, @full_name, @position, @school_date, @started_at, @ends_at)`,
      ),
      endDuty: db.prepare<[string, string, string], never>('UPDATE guard_duties SET ended_at = ?, end_cause = ? WHERE id = ? AND ended_at IS NULL'),
      forgetStaff: db.prepare<[string], never>("UPDATE guard_duties SET full_name = '', position = '' WHERE staff_id = ?"),
      pruneDuties: db.prepare<[string], never>('DELETE FROM guard_duties WHERE ended_at IS NOT NULL AND ended_at < ?'),
      pruneEmergencies: db.prepare<[string], never>('DELETE FROM guard_emergencies WHERE ended_at IS NOT NULL AND ended_at < ?'),
      openEmergency: db.prepare<[], { id: string; started_at: string }>(
        'SELECT id, started_at FROM guard_emergencies WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1',
      ),
      startEmergency: db.prepare<[string, string, string | null], never>('INSERT INTO guard_emergencies (id, started_at, started_by) VALUES (?, ?, ?)'),
      endEmergency: db.prepare<[string, string | null, string], never>('UPDATE guard_emergencies SET ended_at = ?, ended_by = ? WHERE id = ?'),
    };
  }

  /** A staff member the backend removed: the duties they kept here lose the copied name. */
  forgetStaff(staffId: string): void {
    this.#q.forgetStaff.run(staffId);
  }

  /** Retention: duties and emergencies that ended before `beforeIso`. */
  pruneBefore(beforeIso: string): number {
    return this.#q.pruneDuties.run(beforeIso).changes + this.#q.pruneEmergencies.run(beforeIso).changes;
  }

  openDuty(): DutyRow | null {
    return this.#q.openDuty.get() ?? null;
  }

  startDuty(row: DutyRow, schoolDate: string): void {
    this.#q.insertDuty.run({ ...row, school_date: schoolDate });
  }

  endDuty(id: string, at: string, cause: DutyEndCause): void {
    this.#q.endDuty.run(at, cause, id);
  }

  /** The emergency that was on when the station stopped, if any. */
  openEmergency(): { id: string; startedAt: string } | null {
    const r = this.#q.openEmergency.get();
    return r ? { id: r.id, startedAt: r.started_at } : null;
  }

  startEmergency(id: string, at: string, operatorId: string | null): void {
    this.#q.startEmergency.run(id, at, operatorId);
  }

  endEmergency(id: string, at: string, operatorId: string | null): void {
    this.#q.endEmergency.run(at, operatorId, id);
  }
}
