import { v7 as uuidv7 } from 'uuid';
import { eventPayloads, type StationEventPayload, type EventResult, type EventType, type StationEvent } from '../../common/events.ts';
import type { Clock } from '../../common/clock.ts';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';

export interface OutboxRow extends StationEvent {
  status: 'pending' | 'accepted' | 'duplicate' | 'anomaly' | 'invalid';
  attempts: number;
  lastError: string | null;
  resultMessage: string | null;
}

interface RawRow {
  seq: number;
  id: string;
  type: string;
  occurred_at: string;
  clock_offset_ms: number;
  payload: string;
  status: OutboxRow['status'];
  attempts: number;
  last_error: string | null;
  result_message: string | null;
}

/** Station sequence numbers from `from` to `to`, both included (events held for a decision). */
export interface SeqRange {
  from: number;
  to: number;
}

const notIn = (ranges: readonly SeqRange[]) => ranges.map(() => ' AND NOT (seq BETWEEN ? AND ?)').join('');
const bounds = (ranges: readonly SeqRange[]) => ranges.flatMap((r) => [r.from, r.to]);

export interface AttentionRow {
  id: string;
  seq: number;
  type: string;
  occurred_at: string;
  status: 'anomaly' | 'invalid';
  result_code: string | null;
  result_message: string | null;
}

function toRow(r: RawRow): OutboxRow {
  return {
    seq: r.seq,
    id: r.id,
    type: r.type,
    occurredAt: r.occurred_at,
    clockOffsetMs: r.clock_offset_ms,
    payload: JSON.parse(r.payload) as unknown,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    resultMessage: r.result_message,
  };
}

/**
 * The event outbox (`outbox`, the only code that touches it): facts appended in station order, pushed in batches, each with its own result.
 * An append is durable when it returns (synchronous=FULL). Callers that change domain rows in the same
 * step wrap both in `db.transaction` so the row and its event are written together.
 */
export class Outbox {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #insert;
  readonly #pending;
  readonly #count;
  readonly #result;
  readonly #attempt;
  readonly #bySeq;
  readonly #q;
  #listeners = new Set<() => void>();
  /** Statements that leave held ranges out, one per number of ranges (there are rarely more than one). */
  #except = new Map<string, Statement<unknown[], unknown>>();

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#insert = db.prepare<[string, string, string, number, string], never>(
      'INSERT INTO outbox (id, type, occurred_at, clock_offset_ms, payload) VALUES (?, ?, ?, ?, ?) RETURNING seq',
    );
    this.#pending = db.prepare<[number], RawRow>("SELECT * FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?");
    this.#count = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM outbox WHERE status = 'pending'");
    this.#result = db.prepare<[string, string | null, string, string], never>(
      'UPDATE outbox SET status = ?, result_message = ?, acked_at = ?, attempts = attempts + 1 WHERE id = ?',
    );
    this.#attempt = db.prepare<[string, string], never>('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?');
    this.#bySeq = db.prepare<[number, number], RawRow>('SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#q = {
      setCode: db.prepare<[string | null, string], never>('UPDATE outbox SET result_code = ? WHERE id = ?'),
      attention: db.prepare<[number], AttentionRow>(
        `SELECT id, seq, type, occurred_at, status, result_code, result_message FROM outbox
         WHERE status IN ('anomaly', 'invalid') AND attention_cleared_at IS NULL ORDER BY seq DESC LIMIT ?`,
      ),
      attentionCount: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM outbox WHERE status IN ('anomaly', 'invalid') AND attention_cleared_at IS NULL"),
      clearAttention: db.prepare<[string, string], never>('UPDATE outbox SET attention_cleared_at = ? WHERE id = ?'),
      lastBindStatus: db.prepare<[string, string], { status: OutboxRow['status'] }>(
        `SELECT status FROM outbox WHERE type = 'temp_card_bind'
           AND json_extract(payload, '$.card.technology') = ? AND json_extract(payload, '$.card.uid') = ?
         ORDER BY seq DESC LIMIT 1`,
      ),
      shiftUnsynced: db.prepare<[string, string], { pending: number; anomalies: number }>(
        `SELECT coalesce(sum(status = 'pending'), 0) AS pending, coalesce(sum(status = 'anomaly'), 0) AS anomalies
         FROM outbox
         WHERE type IN ('sale', 'void', 'group_meal', 'sale_rejected') AND occurred_at >= ?
           AND json_extract(payload, '$.shiftId') = ?`,
      ),
      payload: db.prepare<[string], { payload: string }>('SELECT payload FROM outbox WHERE id = ?'),
      retirePending: db.prepare<[string], never>("UPDATE outbox SET status = 'invalid', result_message = ? WHERE status = 'pending'"),
      // What the backend acknowledged before the cutoff; an anomaly or refusal only once someone dismissed it.
      prune: db.prepare<[string], never>(
        `DELETE FROM outbox WHERE acked_at IS NOT NULL AND acked_at < ?
           AND (status IN ('accepted', 'duplicate') OR (status IN ('anomaly', 'invalid') AND attention_cleared_at IS NOT NULL))`,
      ),
    };
  }

  /** Retention: deletes events the backend acknowledged before `beforeIso` (never one still waiting). */
  pruneAcknowledged(beforeIso: string): number {
    return this.#q.prune.run(beforeIso).changes;
  }

  /** Appends one event; throws if the payload does not match its type's schema. */
  append<T extends EventType>(type: T, payload: StationEventPayload<T>): { id: string; seq: number; occurredAt: string } {
    const parsed = eventPayloads[type].parse(payload);
    const id = uuidv7();
    const occurredAt = new Date(this.#clock.now()).toISOString();
    const { seq } = this.#insert.get(id, type, occurredAt, this.#clock.offsetMs(), JSON.stringify(parsed)) as unknown as { seq: number };
    this.#notify();
    return { id, seq, occurredAt };
  }

  /** The payload an event was stored with, or null when there is no such event (any more). */
  payloadOf(id: string): unknown {
    const r = this.#q.payload.get(id);
    return r ? (JSON.parse(r.payload) as unknown) : null;
  }

  /** The oldest events still waiting, in station order; those in `except` (held) are left out. */
  pendingBatch(limit: number, except: readonly SeqRange[] = []): OutboxRow[] {
    if (except.length === 0) return this.#pending.all(limit).map(toRow);
    const q = this.#stmt(`rows:${except.length}`, `SELECT * FROM outbox WHERE status = 'pending'${notIn(except)} ORDER BY seq LIMIT ?`);
    return (q.all(...bounds(except), limit) as RawRow[]).map(toRow);
  }

  pendingCount(except: readonly SeqRange[] = []): number {
    if (except.length === 0) return this.#count.get()?.n ?? 0;
    const q = this.#stmt(`count:${except.length}`, `SELECT count(*) AS n FROM outbox WHERE status = 'pending'${notIn(except)}`);
    return (q.get(...bounds(except)) as { n: number }).n;
  }

  /** The waiting events between two sequence numbers, in order. */
  pendingIn(range: SeqRange): OutboxRow[] {
    const q = this.#stmt('in', "SELECT * FROM outbox WHERE status = 'pending' AND seq BETWEEN ? AND ? ORDER BY seq");
    return (q.all(range.from, range.to) as RawRow[]).map(toRow);
  }

  /** The range of sequence numbers still waiting, or null when nothing waits. */
  pendingRange(): SeqRange | null {
    const q = this.#stmt('range', "SELECT min(seq) AS lo, max(seq) AS hi FROM outbox WHERE status = 'pending'");
    const r = q.get() as { lo: number | null; hi: number | null };
    return r.lo === null || r.hi === null ? null : { from: r.lo, to: r.hi };
  }

  /** The waiting events of a range are kept but never sent, with the reason and a code the attention list shows. */
  retirePendingIn(range: SeqRange, reason: string, code: string): number {
    const q = this.#stmt(
      'retireIn',
      "UPDATE outbox SET status = 'invalid', result_message = ?, result_code = ? WHERE status = 'pending' AND seq BETWEEN ? AND ?",
    );
    const n = q.run(reason, code, range.from, range.to).changes;
    this.#notify();
    return n;
  }

  #stmt(key: string, sql: string): Statement<unknown[], unknown> {
    let q = this.#except.get(key);
    if (!q) {
      q = this.#db.prepare<unknown[], unknown>(sql);
      this.#except.set(key, q);
    }
    return q;
  }

  /** Events after a sequence number, in order (for views and tests). */
  after(seq: number, limit: number): OutboxRow[] {
    return this.#bySeq.all(seq, limit).map(toRow);
  }

  /** Records the backend's answer for each event, all in one transaction. */
  recordResults(results: readonly EventResult[], at = new Date(this.#clock.now()).toISOString()): void {
    this.#db.transaction(() => {
      for (const r of results) this.#result.run(r.status, r.message ?? null, at, r.id);
    })();
    this.#notify();
  }

  /** Records a failed delivery attempt (network, server error) for a batch. */
  recordAttempt(ids: readonly string[], error: string): void {
    this.#db.transaction(() => {
      for (const id of ids) this.#attempt.run(error, id);
    })();
  }

  /** Records the backend's reason code beside each result (the attention list shows it). */
  recordResultCodes(codes: readonly { id: string; code: string | null }[]): void {
    this.#db.transaction(() => {
      for (const c of codes) this.#q.setCode.run(c.code, c.id);
    })();
  }

  /** Anomalies and invalid events nobody has dismissed yet, newest first. */
  attention(limit: number): AttentionRow[] {
    return this.#q.attention.all(limit);
  }

  attentionCount(): number {
    return this.#q.attentionCount.get()?.n ?? 0;
  }

  clearAttention(id: string, at = new Date(this.#clock.now()).toISOString()): void {
    this.#q.clearAttention.run(at, id);
  }

  /** The status of this station's latest temp_card_bind of a card (pending: the server has not seen it). */
  lastBindStatus(card: { technology: string; uid: string }): OutboxRow['status'] | null {
    return this.#q.lastBindStatus.get(card.technology, card.uid)?.status ?? null;
  }

  /** A till shift's money events still waiting or answered as anomalies. */
  shiftUnsynced(openedAt: string, shiftId: string): { pending: number; anomalies: number } {
    return this.#q.shiftUnsynced.get(openedAt, shiftId) ?? { pending: 0, anomalies: 0 };
  }

  /** Every waiting event is kept but never sent, with the reason (the demo school's events). */
  retirePending(reason: string): number {
    return this.#q.retirePending.run(reason).changes;
  }

  /** Called after every append or result, so the status bar's count follows. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(): void {
    for (const l of this.#listeners) l();
  }
}
