import type { ShiftReport } from '../../common/contract/cashier.ts';
import type { SaleContext } from '../../common/cashier-rules.ts';
import type { Db } from './db.ts';

/** A debit as stored: a sale, or one student's part of a group meal. */
export interface DebitRow {
  id: string;
  kind: 'sale' | 'group_meal';
  ref_id: string;
  event_id: string;
  shift_id: string | null;
  holder_id: string;
  school_date: string;
  occurred_at: string;
  total: number;
  subsidy_part: number;
  account_part: number;
  school_part: number;
  subsidy_kind: 'free' | 'discounted' | null;
  offline: number;
  verified: number;
  lines: string;
  void_event_id: string | null;
}

export interface NewDebit {
  id: string;
  kind: DebitRow['kind'];
  refId: string;
  eventId: string;
  shiftId: string | null;
  holderId: string;
  schoolDate: string;
  occurredAt: string;
  total: number;
  subsidyPart: number;
  accountPart: number;
  schoolPart: number;
  subsidyKind: DebitRow['subsidy_kind'];
  offline: boolean;
  verified: boolean;
  lines: string;
}

/** A group meal as the ledger holds it (its class and operator are in its event). */
export interface StoredGroupMeal {
  groupMealId: string;
  eventId: string;
  at: string;
  itemId: string;
  itemName: string;
  students: number;
  total: number;
}

/** What the sale rules need to know of a holder's debits (common/cashier-rules.ts `SaleContext`). */
export type HolderFigures = Pick<SaleContext, 'spentToday' | 'offlineSpentToday' | 'subsidyUsedToday' | 'unsyncedDebits' | 'unsyncedCredits'>;

/**
 * The till's ledger: debits (`cashier_debits`), refused taps and sales (`cashier_refusals`) and, read
 * only, where each account's synced balance stands in the outbox (`cashier_account_sync`, kept by the
 * triggers of migration 004). The only code that touches those tables.
 */
export class CashierLedger {
  readonly #q;

  constructor(db: Db) {
    this.#q = {
      debit: db.prepare<[string], DebitRow>('SELECT * FROM cashier_debits WHERE id = ?'),
      insertDebit: db.prepare(
        `INSERT INTO cashier_debits (id, kind, ref_id, event_id, shift_id, holder_id, school_date, occurred_at, total, subsidy_part,
           account_part, school_part, subsidy_kind, offline, verified, lines)
         VALUES (@id, @kind, @refId, @eventId, @shiftId, @holderId, @schoolDate, @occurredAt, @total, @subsidyPart,
           @accountPart, @schoolPart, @subsidyKind, @offline, @verified, @lines)`,
      ),
      voidDebit: db.prepare('UPDATE cashier_debits SET void_event_id = ?, voided_at = ? WHERE id = ? AND void_event_id IS NULL'),
      // The inputs of the balance rule (common/cashier-rules.ts `availableBalance`, the one place it is
      // stated): debits and voids after the outbox position the synced balance already includes.
      figures: db.prepare<{ holder: string; today: string }, { spent: number; offline: number; subsidy: number; debits: number; credits: number }>(
        `SELECT
           coalesce(sum(CASE WHEN d.school_date = @today AND d.void_event_id IS NULL THEN d.account_part END), 0) AS spent,
           coalesce(sum(CASE WHEN d.school_date = @today AND d.void_event_id IS NULL AND d.offline = 1 THEN d.account_part END), 0) AS offline,
           coalesce(max(CASE WHEN d.school_date = @today AND d.void_event_id IS NULL AND d.subsidy_part > 0 THEN 1 END), 0) AS subsidy,
           coalesce(sum(CASE WHEN o.seq > coalesce(a.after_seq, 0) THEN d.account_part END), 0) AS debits,
           coalesce(sum(CASE WHEN v.seq > coalesce(a.after_seq, 0) THEN d.account_part END), 0) AS credits
         FROM cashier_debits d
         JOIN outbox o ON o.id = d.event_id
         LEFT JOIN outbox v ON v.id = d.void_event_id
         LEFT JOIN cashier_account_sync a ON a.holder_id = d.holder_id
         WHERE d.holder_id = @holder`,
      ),
      // This till's debits and voids of a day after the outbox position the school-wide figure includes.
      notInFigure: db.prepare<{ holder: string; today: string }, { spent: number; offline: number; subsidy: number }>(
        `SELECT
           coalesce(sum(CASE WHEN o.seq > coalesce(a.after_seq, 0) THEN d.account_part ELSE 0 END), 0)
             - coalesce(sum(CASE WHEN v.seq > coalesce(a.after_seq, 0) THEN d.account_part ELSE 0 END), 0) AS spent,
           coalesce(sum(CASE WHEN d.offline = 1 AND o.seq > coalesce(a.after_seq, 0) THEN d.account_part ELSE 0 END), 0)
             - coalesce(sum(CASE WHEN d.offline = 1 AND v.seq > coalesce(a.after_seq, 0) THEN d.account_part ELSE 0 END), 0) AS offline,
           coalesce(sum(CASE WHEN d.subsidy_part > 0 AND o.seq > coalesce(a.after_seq, 0) THEN 1 ELSE 0 END), 0)
             - coalesce(sum(CASE WHEN d.subsidy_part > 0 AND v.seq > coalesce(a.after_seq, 0) THEN 1 ELSE 0 END), 0) AS subsidy
         FROM cashier_debits d
         JOIN outbox o ON o.id = d.event_id
         LEFT JOIN outbox v ON v.id = d.void_event_id
         LEFT JOIN cashier_account_sync a ON a.holder_id = d.holder_id
         WHERE d.holder_id = @holder AND d.school_date = @today`,
      ),
      insertRefusal: db.prepare('INSERT INTO cashier_refusals (shift_id, at, reason, holder_id) VALUES (?, ?, ?, ?)'),
      pruneDebits: db.prepare<[string], never>(
        "DELETE FROM cashier_debits WHERE school_date < ? AND event_id NOT IN (SELECT id FROM outbox WHERE status = 'pending')",
      ),
      pruneRefusals: db.prepare<[string], never>('DELETE FROM cashier_refusals WHERE at < ?'),
      shiftSales: db.prepare<[string, number], DebitRow>(
        "SELECT * FROM cashier_debits WHERE shift_id = ? AND kind = 'sale' ORDER BY occurred_at DESC, rowid DESC LIMIT ?",
      ),
      shiftDebits: db.prepare<[string], DebitRow>('SELECT * FROM cashier_debits WHERE shift_id = ?'),
      shiftRefusals: db.prepare<[string], { reason: string; n: number }>(
        'SELECT reason, count(*) AS n FROM cashier_refusals WHERE shift_id = ? GROUP BY reason ORDER BY reason',
      ),
      // Through the (holder_id, school_date) index: a class's students' group meals on a day. A group meal
      // feeds only students of its class, so each one found here is that class's.
      groupMealsOfHolders: db.prepare<
        [string, string],
        { ref_id: string; event_id: string; at: string; item_id: string; item_name: string; n: number; total: number }
      >(
        `SELECT d.ref_id, d.event_id, min(d.occurred_at) AS at, json_extract(d.lines, '$[0].itemId') AS item_id,
                json_extract(d.lines, '$[0].name') AS item_name,
                (SELECT count(*) FROM cashier_debits x WHERE x.ref_id = d.ref_id) AS n,
                (SELECT sum(total) FROM cashier_debits x WHERE x.ref_id = d.ref_id) AS total
           FROM cashier_debits d
          WHERE d.kind = 'group_meal' AND d.school_date = ? AND d.holder_id IN (SELECT value FROM json_each(?))
          GROUP BY d.ref_id ORDER BY at, min(d.rowid)`,
      ),
      groupMeal: db.prepare<[string], { event_id: string; n: number; total: number }>(
        'SELECT event_id, count(*) AS n, sum(total) AS total FROM cashier_debits WHERE ref_id = ? GROUP BY event_id',
      ),
    };
  }

  debit(id: string): DebitRow | null {
    return this.#q.debit.get(id) ?? null;
  }

  addDebit(d: NewDebit): void {
    this.#q.insertDebit.run({ ...d, offline: d.offline ? 1 : 0, verified: d.verified ? 1 : 0 });
  }

  voidDebit(id: string, voidEventId: string, at: string): void {
    this.#q.voidDebit.run(voidEventId, at, id);
  }

  /** One holder's figures for the sale rules on a school day. */
  figures(holderId: string, today: string): HolderFigures {
    const f = this.#q.figures.get({ holder: holderId, today }) ?? { spent: 0, offline: 0, subsidy: 0, debits: 0, credits: 0 };
    return { spentToday: f.spent, offlineSpentToday: f.offline, subsidyUsedToday: f.subsidy === 1, unsyncedDebits: f.debits, unsyncedCredits: f.credits };
  }

  /**
   * This till's debits of a day the server's school-wide figure does not include yet: those after the
   * outbox position the account's last sync marked (a void after it takes its debit back out).
   */
  notInSchoolFigure(holderId: string, today: string): { spent: number; offlineSpent: number; subsidyMeals: number } {
    const f = this.#q.notInFigure.get({ holder: holderId, today }) ?? { spent: 0, offline: 0, subsidy: 0 };
    return { spent: f.spent, offlineSpent: f.offline, subsidyMeals: f.subsidy };
  }

  addRefusal(shiftId: string | null, at: string, reason: string, holderId: string | null): void {
    this.#q.insertRefusal.run(shiftId, at, reason, holderId);
  }

  /** A shift's sales, newest first. */
  shiftSales(shiftId: string, limit: number): DebitRow[] {
    return this.#q.shiftSales.all(shiftId, limit);
  }

  shiftDebits(shiftId: string): DebitRow[] {
    return this.#q.shiftDebits.all(shiftId);
  }

  /** Retention: debits of school days before `date` whose event was sent, and refusals before `beforeIso`. */
  pruneBefore(date: string, beforeIso: string): number {
    return this.#q.pruneDebits.run(date).changes + this.#q.pruneRefusals.run(beforeIso).changes;
  }

  shiftRefusals(shiftId: string): ShiftReport['refusals'] {
    const out: ShiftReport['refusals'] = {};
    for (const x of this.#q.shiftRefusals.all(shiftId)) out[x.reason] = x.n;
    return out;
  }

  /** The group meals of a school day that fed any of these students, oldest first. */
  groupMealsOf(holderIds: readonly string[], schoolDate: string): StoredGroupMeal[] {
    if (holderIds.length === 0) return [];
    return this.#q.groupMealsOfHolders
      .all(schoolDate, JSON.stringify(holderIds))
      .map((r) => ({ groupMealId: r.ref_id, eventId: r.event_id, at: r.at, itemId: r.item_id, itemName: r.item_name, students: r.n, total: r.total }));
  }

  /** A group meal already stored under this id (the request is idempotent). */
  groupMeal(groupMealId: string): { eventId: string; students: number; total: number } | null {
    const r = this.#q.groupMeal.get(groupMealId);
    return r ? { eventId: r.event_id, students: r.n, total: r.total } : null;
  }
}
