/**
 * What one events batch knows and changes: read up front in one query per kind (not one per event),
 * changed in memory event by event, and written at the end in a few multi-row statements. An event's
 * changes are staged and kept only once its checks passed, so a refused event leaves nothing behind:
 * the batch-wide equivalent of a savepoint per event, without a round trip per event.
 */
import type { Card } from '../../common/domain.ts';
import type { SchoolSettings } from '../../common/sync-api.ts';
import type { Param, Sql, Tx } from '../storage/sql.ts';
import type { FactDraft } from '../day.ts';

export interface AccountState {
  balance: number;
  dailyLimit: number | null;
  subsidy: string;
  touched: boolean;
}

export interface SaleState {
  stationId: string;
  holderId: string;
  /** The account part debited. */
  amount: number;
  subsidyPart: number;
  offline: boolean;
  schoolDate: string;
  voided: boolean;
}

export interface DayState {
  spent: number;
  subsidyMeals: number;
  offlineSpent: number;
  touched: boolean;
}

export interface CardState {
  holderId: string;
  status: Card['status'];
  validUntil: string | null;
}

export interface SeenEvent {
  body_hash: string;
  status: 'accepted' | 'anomaly' | 'invalid';
  code: string | null;
  message: string | null;
}

export interface ExceptionRow {
  id: string;
  kind: string;
  holderId: string | null;
  schoolDate: string;
  eventIds: string[];
  message: string;
  chargeAmount: number;
  /** Set when the same batch already resolved it (an entry behind the sale it flagged). */
  resolution?: { resolution: 'accept'; note: string; by: string };
}

/** Who resolves a sale-without-entry exception when the entry arrives after it. */
export const BACKEND_RESOLVER = 'backend';

/** A placeholder list `(?, ?, …)` for `n` values. */
export const placeholders = (n: number) => `(${Array.from({ length: n }, () => '?').join(', ')})`;

/** Runs `SELECT … WHERE col IN (…)` over `values` in chunks the drivers accept. */
export async function allIn<T>(sql: Sql, head: string, values: readonly string[], extra: readonly Param[] = [], tail = ''): Promise<T[]> {
  const out: T[] = [];
  const unique = [...new Set(values)];
  for (let i = 0; i < unique.length; i += 500) {
    const part = unique.slice(i, i + 500);
    out.push(...(await sql.all<T>(`${head} IN ${placeholders(part.length)}${tail}`, [...part, ...extra])));
  }
  return out;
}

export type ColumnType = 'text' | 'bigint';

/**
 * Rows as a table to read from: `(VALUES …)` on SQLite; on PostgreSQL `unnest` of one array per column,
 * which PostgreSQL parses and plans several times faster than thousands of separate parameters.
 * Either way its columns are named column1, column2, …
 */
function rowsSource(sql: Sql, types: readonly ColumnType[], rows: readonly Param[][]): { from: string; params: Param[] } {
  if (sql.dialect === 'postgres') {
    const columns = types.map((_, c) => rows.map((r) => r[c] ?? null));
    return {
      from: `unnest(${types.map((t) => `CAST(? AS ${t}[])`).join(', ')}) AS v(${types.map((_, c) => `column${c + 1}`).join(', ')})`,
      params: columns as unknown as Param[],
    };
  }
  const one = `(${types.map((t) => (t === 'bigint' ? 'CAST(? AS BIGINT)' : '?')).join(', ')})`;
  return { from: `(VALUES ${rows.map(() => one).join(', ')}) AS v`, params: rows.flat() };
}

/** Chunks of rows small enough for SQLite's and PostgreSQL's cap on one statement's parameters. */
function chunks<T>(rows: readonly T[], columns: number): T[][] {
  const per = Math.max(1, Math.floor(30_000 / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += per) out.push(rows.slice(i, i + per));
  return out;
}

/** `INSERT INTO t (a, b, …)` of many rows in a few statements; `types` names each column's type. */
export async function insertMany(sql: Sql, head: string, types: readonly ColumnType[], rows: readonly Param[][], tail = ''): Promise<void> {
  for (const part of chunks(rows, types.length)) {
    const src = rowsSource(sql, types, part);
    await sql.run(`${head} SELECT ${types.map((_, c) => `v.column${c + 1}`).join(', ')} FROM ${src.from}${tail ? ` WHERE true${tail}` : ''}`, src.params);
  }
}

/** `UPDATE t SET … FROM rows AS v WHERE …` over many rows; `set` and `where` name v.column1, … */
export async function updateMany(
  sql: Sql,
  table: string,
  set: string,
  where: string,
  types: readonly ColumnType[],
  rows: readonly Param[][],
  leading: readonly Param[] = [],
): Promise<void> {
  for (const part of chunks(rows, types.length)) {
    const src = rowsSource(sql, types, part);
    await sql.run(`UPDATE ${table} SET ${set} FROM ${src.from} WHERE ${where}`, [...leading, ...src.params]);
  }
}

/** How a batch changes card rows (server/repo.ts owns the roster tables and their revisions). */
export interface CardWriter {
  upsert(card: Card): Promise<void>;
  /** Removes a temporary card of that holder, leaving a tombstone; nothing when there is none. */
  dropTemporary(technology: string, uid: string, holderId: string): Promise<void>;
}

export class BatchState {
  readonly tx: Tx;
  readonly settings: SchoolSettings;
  readonly now: string;
  readonly seen = new Map<string, SeenEvent>();
  readonly accounts = new Map<string, AccountState | null>();
  /** Student id → class; null: not a student. */
  readonly students = new Map<string, string | null>();
  readonly staff = new Map<string, string[] | null>();
  readonly sales = new Map<string, SaleState | null>();
  /** date → item id → price. */
  readonly menu = new Map<string, Map<string, number>>();
  readonly days = new Map<string, DayState>();
  /** `class|date` → the first group meal's event id that day. */
  readonly classMeals = new Map<string, string>();
  /** `holder|date` of the pupils with an entry that day (an allowed pass in, or a manual opening in). */
  readonly entries = new Set<string>();
  /** `holder|date` → its open sold_without_entry exceptions from earlier batches. */
  readonly openNoEntry = new Map<string, string[]>();
  /** `holder|date` with a sold_without_entry exception already, open or resolved: one per pupil and day. */
  readonly noEntryFlagged = new Set<string>();
  readonly #cards = new Map<string, CardState | null>();
  readonly #spare = new Map<string, boolean>();

  // Rows written at the end of the batch.
  readonly eventRows: Param[][] = [];
  readonly ledgerRows: Param[][] = [];
  readonly notificationRows: Param[][] = [];
  readonly voidRows: Param[][] = [];
  readonly exceptionRows: ExceptionRow[] = [];
  readonly newClassMeals: Param[][] = [];
  /** [exception id, note]: earlier sold_without_entry exceptions an entry in this batch resolves. */
  readonly noEntryResolved: Param[][] = [];
  /** The school-day facts the kept events leave for the school's other stations (server/day.ts). */
  readonly facts: FactDraft[] = [];
  /** Card changes, run in event order after the rows above. */
  readonly cardOps: (() => Promise<void>)[] = [];

  readonly #cardWriter: CardWriter;

  constructor(tx: Tx, settings: SchoolSettings, now: string, cardWriter: CardWriter) {
    this.tx = tx;
    this.settings = settings;
    this.now = now;
    this.#cardWriter = cardWriter;
  }

  upsertTemporaryCard(p: {
    card: { technology: Card['technology']; uid: string };
    holderKind: Card['holderKind'];
    holderId: string;
    validUntil: string;
  }): Promise<void> {
    return this.#cardWriter.upsert({ ...p.card, holderKind: p.holderKind, holderId: p.holderId, status: 'temporary', validUntil: p.validUntil });
  }

  dropTemporaryCard(technology: string, uid: string, holderId: string): Promise<void> {
    return this.#cardWriter.dropTemporary(technology, uid, holderId);
  }

  static dayKey(holderId: string, date: string): string {
    return `${holderId}|${date}`;
  }

  /** The child's day figures (zero when nothing was recorded yet). */
  day(holderId: string, date: string): DayState {
    const key = BatchState.dayKey(holderId, date);
    let d = this.days.get(key);
    if (!d) {
      d = { spent: 0, subsidyMeals: 0, offlineSpent: 0, touched: false };
      this.days.set(key, d);
    }
    return d;
  }

  /**
   * A pupil entered on `date`: later sales that day are not flagged, and the day's open sold_without_entry
   * exceptions (earlier batches' and this one's) are resolved as accepted, with no balance change.
   */
  entered(holderId: string, date: string, note: string): void {
    const key = BatchState.dayKey(holderId, date);
    this.entries.add(key);
    for (const id of this.openNoEntry.get(key) ?? []) this.noEntryResolved.push([id, note]);
    this.openNoEntry.delete(key);
    // Only a day flagged already has a row to look for (the scan stays off a guard post's batch of passes).
    if (!this.noEntryFlagged.has(key)) return;
    for (const x of this.exceptionRows) {
      if (x.kind === 'sold_without_entry' && x.holderId === holderId && x.schoolDate === date && !x.resolution)
        x.resolution = { resolution: 'accept', note, by: BACKEND_RESOLVER };
    }
  }

  isStudent(holderId: string): boolean {
    return typeof this.students.get(holderId) === 'string';
  }

  async card(technology: string, uid: string): Promise<CardState | null> {
    const key = `${technology}:${uid}`;
    if (!this.#cards.has(key)) {
      const r = await this.tx.get<{ holder_id: string; status: Card['status']; valid_until: string | null }>(
        'SELECT holder_id, status, valid_until FROM cards WHERE technology = ? AND uid = ?',
        [technology, uid],
      );
      this.#cards.set(key, r ? { holderId: r.holder_id, status: r.status, validUntil: r.valid_until } : null);
    }
    return this.#cards.get(key)!;
  }

  setCard(technology: string, uid: string, card: CardState | null): void {
    this.#cards.set(`${technology}:${uid}`, card);
  }

  async isSpare(technology: string, uid: string): Promise<boolean> {
    const key = `${technology}:${uid}`;
    if (!this.#spare.has(key)) {
      this.#spare.set(key, !!(await this.tx.get('SELECT 1 AS x FROM spare_cards WHERE technology = ? AND uid = ?', [technology, uid])));
    }
    return this.#spare.get(key)!;
  }
}
