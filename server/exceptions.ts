/**
 * Exceptions: school-wide rules an applied event broke (a second subsidised meal, the daily limit, the
 * offline cap, a class fed twice, a price off the menu, a spare card refused). The administrator sees
 * each with its events, child, stations and times, and resolves it once with a note: charge it as a
 * paid meal, accept it as it is, or void it. The resolution is recorded with who and when, corrects the
 * balance through the ledger (a key per exception: never twice) and tells the parents once.
 */
import { BALANCE_LIMIT } from '../common/events.ts';
import { formatMoney } from '../common/money.ts';
import type { ExceptionKind, ExceptionResolution, ExceptionView } from '../common/sync-api.ts';
import type { Database, Tx } from './storage/sql.ts';

interface ExceptionRow {
  id: string;
  kind: ExceptionKind;
  holder_id: string | null;
  school_date: string;
  event_ids: string;
  message: string;
  charge_amount: number;
  created_at: string;
  resolution: ExceptionResolution | null;
  note: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  correction: number | null;
}

export class ResolveRefused extends RangeError {
  override name = 'ResolveRefused';
}

const iso = () => new Date().toISOString();

export class Exceptions {
  readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async list(status: 'open' | 'resolved' | 'all' = 'open', limit = 500): Promise<ExceptionView[]> {
    const where = status === 'open' ? 'WHERE resolved_at IS NULL' : status === 'resolved' ? 'WHERE resolved_at IS NOT NULL' : '';
    const rows = await this.db.all<ExceptionRow>(`SELECT * FROM exceptions ${where} ORDER BY created_at, id LIMIT ?`, [limit]);
    return Promise.all(rows.map((r) => this.#view(r)));
  }

  async get(id: string): Promise<ExceptionView | null> {
    const r = await this.db.get<ExceptionRow>('SELECT * FROM exceptions WHERE id = ?', [id]);
    return r ? this.#view(r) : null;
  }

  async #view(r: ExceptionRow): Promise<ExceptionView> {
    const ids = JSON.parse(r.event_ids) as string[];
    // The child's other money events that day belong to the story (the first meal of two, the sales before the limit).
    const related = r.holder_id
      ? await this.db.all<{ id: string }>(
          "SELECT id FROM events WHERE holder_id = ? AND school_date = ? AND type IN ('sale', 'void') AND status IN ('accepted', 'anomaly')",
          [r.holder_id, r.school_date],
        )
      : [];
    const all = [...new Set([...ids, ...related.map((x) => x.id)])];
    const events = all.length
      ? await this.db.all<{ id: string; type: string; station_id: string; occurred_at: string; clock_offset_ms: number; amount: number }>(
          `SELECT id, type, station_id, occurred_at, clock_offset_ms, amount FROM events WHERE id IN (${all.map(() => '?').join(', ')})`,
          all,
        )
      : [];
    return {
      id: r.id,
      kind: r.kind,
      holderId: r.holder_id,
      schoolDate: r.school_date,
      events: events
        .map((e) => ({
          id: e.id,
          type: e.type,
          stationId: e.station_id,
          occurredAt: new Date(Date.parse(e.occurred_at) + Number(e.clock_offset_ms)).toISOString(),
          amount: Number(e.amount),
        }))
        .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt)),
      message: r.message,
      chargeAmount: Number(r.charge_amount),
      createdAt: r.created_at,
      resolution: r.resolution,
      note: r.note,
      resolvedBy: r.resolved_by,
      resolvedAt: r.resolved_at,
      correction: r.correction === null ? null : Number(r.correction),
    };
  }

  /**
   * Resolves an open exception once. `charge_paid` debits what the rule says the meal costs, `void`
   * credits back what the event debited (and marks a sale voided, so a later void from the till is
   * refused), `accept` changes no balance.
   */
  async resolve(id: string, resolution: ExceptionResolution, note: string, by: string): Promise<ExceptionView> {
    await this.db.tx(
      async (tx) => {
        const r = await tx.get<ExceptionRow>('SELECT * FROM exceptions WHERE id = ?', [id]);
        if (!r) throw new ResolveRefused(`no exception ${id}`);
        if (r.resolved_at) throw new ResolveRefused(`exception ${id} was resolved on ${r.resolved_at} by ${r.resolved_by}`);
        const now = iso();
        const credits = await this.#credits(tx, r, resolution);
        // The conditional update is the "once": a second resolution of the same exception changes no row.
        const total = credits.reduce((t, c) => t + c.delta, 0);
        const n = await tx.run(
          'UPDATE exceptions SET resolution = ?, note = ?, resolved_by = ?, resolved_at = ?, correction = ? WHERE id = ? AND resolved_at IS NULL',
          [resolution, note, by, now, total, id],
        );
        if (n === 0) throw new ResolveRefused(`exception ${id} was resolved meanwhile`);
        for (const c of credits) {
          if (c.delta === 0) continue;
          const acc = await tx.get<{ balance: number }>('SELECT balance FROM accounts WHERE holder_id = ?', [c.holderId]);
          if (!acc) continue;
          const after = Number(acc.balance) + c.delta;
          if (after < -BALANCE_LIMIT || after > BALANCE_LIMIT) throw new ResolveRefused(`the correction would take the balance of ${c.holderId} out of range`);
          const rev = await tx.nextRev();
          await tx.run('UPDATE accounts SET balance = balance + ?, balance_at = ?, rev = ? WHERE holder_id = ?', [c.delta, now, rev, c.holderId]);
          const key = credits.length > 1 ? `exception:${id}:${c.holderId}` : `exception:${id}`;
          await tx.run('INSERT INTO ledger (event_id, holder_id, delta, kind, at) VALUES (?, ?, ?, ?, ?)', [
            key,
            c.holderId,
            c.delta,
            `exception:${resolution}`,
            now,
          ]);
          if (await tx.get('SELECT 1 AS x FROM students WHERE id = ?', [c.holderId])) {
            const [y, m, d] = r.school_date.split('-');
            const text =
              c.delta < 0
                ? `Исправление по питанию за ${d}.${m}.${y}: списано ${formatMoney(-c.delta)}`
                : `Исправление по питанию за ${d}.${m}.${y}: возвращено ${formatMoney(c.delta)}`;
            await tx.run('INSERT INTO notifications (event_id, holder_id, kind, text, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING', [
              key,
              c.holderId,
              'correction',
              text,
              now,
            ]);
          }
        }
      },
      { roster: true },
    );
    return (await this.get(id))!;
  }

  async #credits(tx: Tx, r: ExceptionRow, resolution: ExceptionResolution): Promise<{ holderId: string; delta: number }[]> {
    if (resolution === 'accept') return [];
    const trigger = (JSON.parse(r.event_ids) as string[]).at(-1)!;
    if (resolution === 'charge_paid') {
      if (!r.holder_id || Number(r.charge_amount) <= 0) throw new ResolveRefused(`exception ${r.id} has nothing to charge; accept or void it`);
      return [{ holderId: r.holder_id, delta: -Number(r.charge_amount) }];
    }
    const ev = await tx.get<{ type: string; body: string; holder_id: string | null; amount: number; status: string }>(
      'SELECT type, body, holder_id, amount, status FROM events WHERE id = ?',
      [trigger],
    );
    if (!ev || ev.status === 'invalid' || (ev.type !== 'sale' && ev.type !== 'group_meal')) return [];
    // A group meal is voided for the one child the exception names, or for the whole class.
    const marker = ev.type === 'group_meal' && r.holder_id ? `${trigger}:${r.holder_id}` : trigger;
    if (
      (await tx.get('SELECT 1 AS x FROM voids WHERE sale_event_id = ?', [marker])) ||
      (marker !== trigger && (await tx.get('SELECT 1 AS x FROM voids WHERE sale_event_id = ?', [trigger])))
    ) {
      throw new ResolveRefused(`event ${trigger} was voided already`);
    }
    await tx.run('INSERT INTO voids (sale_event_id, void_event_id) VALUES (?, ?)', [marker, `exception:${r.id}`]);
    if (ev.type === 'sale') return [{ holderId: ev.holder_id!, delta: Number(ev.amount) }];
    const p = (JSON.parse(ev.body) as { payload: { payer: string; students: { holderId: string; amount: number }[] } }).payload;
    if (p.payer !== 'accounts') return [];
    return p.students.filter((s) => !r.holder_id || s.holderId === r.holder_id).map((s) => ({ holderId: s.holderId, delta: s.amount }));
  }
}
