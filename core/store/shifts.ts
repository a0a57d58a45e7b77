import type { ShiftInfo, ShiftReport } from '../../common/contract/cashier.ts';
import type { Db } from './db.ts';

/** The till's shifts (`cashier_shifts`): opened, closed with their report. The only code that touches that table. */
export class Shifts {
  readonly #q;

  constructor(db: Db) {
    this.#q = {
      open: db.prepare<[], { id: string; operator_id: string; operator_name: string; opened_at: string }>(
        'SELECT id, operator_id, operator_name, opened_at FROM cashier_shifts WHERE closed_at IS NULL ORDER BY opened_at DESC LIMIT 1',
      ),
      insert: db.prepare<[string, string, string, string, string], never>(
        'INSERT INTO cashier_shifts (id, operator_id, operator_name, opened_at, open_event_id) VALUES (?, ?, ?, ?, ?)',
      ),
      close: db.prepare<[string, string, string, string], never>('UPDATE cashier_shifts SET closed_at = ?, close_event_id = ?, report = ? WHERE id = ?'),
      prune: db.prepare<[string], never>('DELETE FROM cashier_shifts WHERE closed_at IS NOT NULL AND closed_at < ?'),
    };
  }

  /** Retention: shifts (and their reports) closed before `beforeIso`. */
  pruneClosedBefore(beforeIso: string): number {
    return this.#q.prune.run(beforeIso).changes;
  }

  /** The shift still open (it survives a restart), or null. */
  open(): ShiftInfo | null {
    const s = this.#q.open.get();
    return s ? { shiftId: s.id, operatorId: s.operator_id, operatorName: s.operator_name, openedAt: s.opened_at } : null;
  }

  opened(shift: ShiftInfo, eventId: string): void {
    this.#q.insert.run(shift.shiftId, shift.operatorId, shift.operatorName, shift.openedAt, eventId);
  }

  closed(shiftId: string, at: string, eventId: string, report: ShiftReport): void {
    this.#q.close.run(at, eventId, JSON.stringify(report), shiftId);
  }
}
