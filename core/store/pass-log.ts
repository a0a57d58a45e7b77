import type { CanonicalCard } from '../../common/card-id.ts';
import { printedForms } from '../../common/card-id.ts';
import type { GateOutcome, GuardPassView, PassKind } from '../../common/contract/guard.ts';
import type { HolderKind } from '../../common/domain.ts';
import type { Direction, GuardNotice } from '../../common/guard-rules.ts';
import type { Db } from './db.ts';

interface PassRow {
  id: string;
  at: string;
  school_date: string;
  kind: PassKind;
  reader_id: string | null;
  direction: Direction | null;
  verdict: 'allow' | 'deny' | 'info';
  reason: string;
  alarm: number;
  notices: string;
  holder_kind: HolderKind | null;
  holder_id: string | null;
  full_name: string | null;
  group_name: string | null;
  photo_hash: string | null;
  technology: CanonicalCard['technology'] | null;
  uid: string | null;
  gate_opened: number;
  note: string | null;
  event_id: string | null;
}

const GATE_CODE: Record<GateOutcome, number> = { none: 0, opened: 1, not_opened: 2, held_open: 3 };
const GATE_FROM_CODE: GateOutcome[] = ['none', 'opened', 'not_opened', 'held_open'];

/**
 * The guard post's pass log (`guard_passes`): every tap, manual open, visitor, spare-card handover and
 * emergency, as the guard saw it. The only code that touches that table.
 */
export class PassLog {
  readonly #q;

  constructor(db: Db) {
    this.#q = {
      insert: db.prepare(
        `INSERT INTO guard_passes (id, at, school_date, kind, reader_id, direction, verdict, reason, alarm, notices,
           holder_kind, holder_id, full_name, group_name, photo_hash, technology, uid, gate_opened, note, event_id)
         VALUES (@id, @at, @school_date, @kind, @reader_id, @direction, @verdict, @reason, @alarm, @notices,
           @holder_kind, @holder_id, @full_name, @group_name, @photo_hash, @technology, @uid, @gate_opened, @note, @event_id)`,
      ),
      setGate: db.prepare<[number, string], never>('UPDATE guard_passes SET gate_opened = ? WHERE id = ?'),
      forgetHolder: db.prepare<[string], never>('DELETE FROM guard_passes WHERE holder_id = ?'),
      pruneBefore: db.prepare<[string, string], never>(
        'DELETE FROM guard_passes WHERE school_date < ? AND (event_id IS NULL OR event_id NOT IN (SELECT id FROM outbox WHERE status = ?))',
      ),
      lastDirection: db.prepare<[string, string], { direction: Direction; at: string }>(
        `SELECT direction, at FROM guard_passes
          WHERE holder_id = ? AND school_date = ? AND verdict = 'allow' AND direction IS NOT NULL
          ORDER BY id DESC LIMIT 1`,
      ),
      counts: db.prepare<[string], { entered: number; exited: number; alarms: number }>(
        `SELECT coalesce(sum(verdict = 'allow' AND direction = 'in'), 0) AS entered,
                coalesce(sum(verdict = 'allow' AND direction = 'out'), 0) AS exited,
                coalesce(sum(alarm), 0) AS alarms
           FROM guard_passes WHERE school_date = ?`,
      ),
      feed: db.prepare<[string, string, number], PassRow>('SELECT * FROM guard_passes WHERE school_date >= ? AND id < ? ORDER BY id DESC LIMIT ?'),
      feedAlarms: db.prepare<[string, string, number], PassRow>(
        'SELECT * FROM guard_passes WHERE school_date >= ? AND id < ? AND alarm = 1 ORDER BY id DESC LIMIT ?',
      ),
      moves: db.prepare<[string], PassRow>("SELECT * FROM guard_passes WHERE school_date = ? AND verdict = 'allow' AND direction IS NOT NULL ORDER BY id"),
    };
  }

  insert(view: GuardPassView, schoolDate: string, eventId: string | null): void {
    this.#q.insert.run({
      id: view.id,
      at: view.at,
      school_date: schoolDate,
      kind: view.kind,
      reader_id: view.readerId,
      direction: view.direction,
      verdict: view.verdict,
      reason: view.reason,
      alarm: view.alarm ? 1 : 0,
      notices: JSON.stringify(view.notices),
      holder_kind: view.holder?.kind ?? null,
      holder_id: view.holder?.id ?? null,
      // A visitor has no holder: the name column keeps the visitor's name.
      full_name: view.holder?.fullName ?? view.visitorName ?? null,
      group_name: view.holder?.group ?? null,
      photo_hash: view.holder?.photoHash ?? null,
      technology: view.card?.technology ?? null,
      uid: view.card?.uid ?? null,
      gate_opened: GATE_CODE[view.gate],
      note: view.note,
      event_id: eventId,
    });
  }

  /** The relay answered after the pass was stored. */
  setGate(passId: string, gate: GateOutcome): void {
    this.#q.setGate.run(GATE_CODE[gate], passId);
  }

  /** A holder's last allowed pass on a school day, its direction and time (anti-passback and its window). */
  lastPass(holderId: string, schoolDate: string): { direction: Direction; at: string } | null {
    return this.#q.lastDirection.get(holderId, schoolDate) ?? null;
  }

  /** The direction of a holder's last allowed pass on a school day (anti-passback, whereabouts). */
  lastDirection(holderId: string, schoolDate: string): Direction | null {
    return this.#q.lastDirection.get(holderId, schoolDate)?.direction ?? null;
  }

  counts(schoolDate: string): { entered: number; exited: number; alarms: number } {
    return this.#q.counts.get(schoolDate) ?? { entered: 0, exited: 0, alarms: 0 };
  }

  /** Passes from `since` on with an id below `before`, newest first. */
  feed(since: string, before: string, limit: number, alarmsOnly: boolean): GuardPassView[] {
    return (alarmsOnly ? this.#q.feedAlarms : this.#q.feed).all(since, before, limit).map(rowToView);
  }

  /** A school day's allowed passes with a direction, in order (the roll call). */
  moves(schoolDate: string): GuardPassView[] {
    return this.#q.moves.all(schoolDate).map(rowToView);
  }

  /**
   * How many people were forgotten since the store opened: what keeps today's passes in memory (the
   * guard post's inside-now) rebuilds when it changes, so a removed person leaves the screen at once.
   */
  #forgotten = 0;
  get forgotten(): number {
    return this.#forgotten;
  }

  /** A person the backend removed (they left the school): their passes here go with them, copied name and all. */
  forgetHolder(holderId: string): void {
    this.#q.forgetHolder.run(holderId);
    this.#forgotten++;
  }

  /** Retention: passes of school days before `date`, except one whose event still waits to be sent. */
  pruneBefore(date: string): number {
    return this.#q.pruneBefore.run(date, 'pending').changes;
  }
}

function rowToView(r: PassRow): GuardPassView {
  return {
    id: r.id,
    at: r.at,
    kind: r.kind,
    readerId: r.reader_id,
    direction: r.direction,
    verdict: r.verdict,
    reason: r.reason,
    alarm: r.alarm === 1,
    notices: JSON.parse(r.notices) as GuardNotice[],
    holder:
      r.holder_kind && r.holder_id
        ? { kind: r.holder_kind, id: r.holder_id, fullName: r.full_name ?? '', group: r.group_name ?? '', photoHash: r.photo_hash }
        : null,
    card: r.technology && r.uid ? { technology: r.technology, uid: r.uid } : null,
    printed: r.uid && (r.reason === 'unknown_card' || r.reason === 'spare_unbound') ? printedForms(r.uid) : null,
    gate: GATE_FROM_CODE[r.gate_opened] ?? 'none',
    ...visitorParts(r),
  };
}

/** A visitor's name and note; rows written before they were kept apart hold "name — note" in `note`. */
function visitorParts(r: PassRow): { note: string | null; visitorName: string | null } {
  if (r.kind !== 'visitor' || r.holder_id) return { note: r.note, visitorName: null };
  if (r.full_name !== null) return { note: r.note, visitorName: r.full_name };
  const [name = '', ...rest] = (r.note ?? '').split(' — ');
  return { visitorName: name, note: rest.length ? rest.join(' — ') : null };
}
