import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { cardKey, isRandomUid, printedForms, type CanonicalCard } from '../../common/card-id.ts';
import type {
  EmergencyState,
  GateOutcome,
  GuardCounters,
  GuardPassView,
  InsideList,
  PassKind,
  PersonFound,
  SpareCardView,
} from '../../common/contract/guard.ts';
import type { Holder, HolderKind } from '../../common/domain.ts';
import {
  decideTap,
  DEFAULT_FLOOD,
  endOfSchoolDayUtc,
  groupInside,
  insideNow,
  TapFloodGuard,
  type Direction,
  type FloodSettings,
  type GuardNotice,
  type ManualOpenReason,
  type VisitorReason,
} from '../../common/guard-rules.ts';
import type { CardRead, ReaderRole } from '../../common/readers.ts';
import { DomainError } from '../bridge/router.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import type { Gate } from './gate.ts';
import { GuardDuty } from './guard-duty.ts';
import { renderInsideCsv, renderInsideHtml } from './inside-export.ts';

export interface GuardPostOptions {
  store: Store;
  clock: Clock;
  /** The turnstile; a function so a relay reconfigured in setup is picked up without a restart. */
  gate: () => Gate;
  log: Logger;
  /** Where roll-call exports are written (the data folder's `exports/`). */
  exportDir: string;
  timeZone?: string;
  flood?: FloodSettings;
  /** How long a manual open waits for the relay before telling the guard it did not open. */
  gateTimeoutMs?: number;
}

interface GuardPostEvents {
  pass: [{ pass: GuardPassView; counters: GuardCounters; receivedAtMs: number }];
  gate: [{ passId: string; gate: GateOutcome }];
  emergency: [EmergencyState];
}

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

interface LookupRow {
  status: 'active' | 'blocked' | 'lost' | 'temporary';
  valid_until: string | null;
  holder_kind: HolderKind;
  holder_id: string;
  full_name: string | null;
  group_name: string | null;
  photo_hash: string | null;
  person_status: 'active' | 'left' | 'suspended' | null;
}

interface PersonRow {
  full_name: string;
  group_name: string;
  photo_hash: string | null;
  status: string;
}

interface SpareRow {
  technology: CanonicalCard['technology'];
  uid: string;
  label: string;
  holder_kind: HolderKind | null;
  holder_id: string | null;
  bound_at: string | null;
  bound_until: string | null;
  /** IT removed it from the school's stock while it was handed out (migration 005): dropped when it comes back. */
  removed_at: string | null;
}

const GATE_CODE: Record<GateOutcome, number> = { none: 0, opened: 1, not_opened: 2, held_open: 3 };
const GATE_FROM_CODE: GateOutcome[] = ['none', 'opened', 'not_opened', 'held_open'];

/** Case- and ё-insensitive folding for name search (SQLite's LIKE folds ASCII only). */
function fold(text: string): string {
  return text.toLocaleLowerCase('ru').replaceAll('ё', 'е');
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`relay did not answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * The guard post (issue 5): every tap at an entry or exit reader gets its verdict from the local store
 * (never the network), is shown at once, opens the relay on allow and is recorded in the pass log and
 * the outbox in one transaction. Counters, feed, search, manual open, visitor pass, spare cards and
 * emergency mode all work from the store alone, so the post keeps working offline.
 */
export class GuardPost extends EventEmitter<GuardPostEvents> {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #gate: () => Gate;
  readonly #log: Logger;
  readonly #exportDir: string;
  readonly #timeZone: string;
  readonly #flood: TapFloodGuard;
  readonly #gateTimeoutMs: number;
  readonly #dateFormat: Intl.DateTimeFormat;
  readonly #offsetFormat: Intl.DateTimeFormat;
  readonly #photoNoted = new Set<string>();
  #counters: GuardCounters | null = null;
  #emergency: { id: string; startedAt: string; gateHeld: boolean } | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** Who is on duty: the operator of manual actions. Taps never look at it. */
  readonly duty: GuardDuty;
  readonly #q;

  constructor(options: GuardPostOptions) {
    super();
    this.#store = options.store;
    this.#clock = options.clock;
    this.#gate = options.gate;
    this.#log = options.log;
    this.#exportDir = options.exportDir;
    this.#timeZone = options.timeZone ?? 'Europe/Moscow';
    this.#flood = new TapFloodGuard(options.flood ?? DEFAULT_FLOOD);
    this.#gateTimeoutMs = options.gateTimeoutMs ?? 1_000;
    this.#dateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: this.#timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    this.#offsetFormat = new Intl.DateTimeFormat('en-US', { timeZone: this.#timeZone, timeZoneName: 'longOffset' });
    this.duty = new GuardDuty({
      store: this.#store,
      clock: this.#clock,
      log: this.#log,
      endOfDay: (now) => {
        const schoolDate = this.schoolDate(now);
        return { schoolDate, endsAt: endOfSchoolDayUtc(schoolDate, this.#utcOffsetMinutes(now)) };
      },
    });
    const db = this.#store.db;
    db.function('guard_fold', { deterministic: true }, (t: unknown) => (typeof t === 'string' ? fold(t) : null));
    this.#q = {
      lookup: db.prepare<[string, string], LookupRow>(
        `SELECT c.status, c.valid_until, c.holder_kind, c.holder_id,
                coalesce(s.full_name, t.full_name) AS full_name,
                coalesce(s.class_name, t.position) AS group_name,
                coalesce(s.photo_hash, t.photo_hash) AS photo_hash,
                coalesce(s.status, t.status) AS person_status
           FROM cards c
           LEFT JOIN students s ON c.holder_kind = 'student' AND s.id = c.holder_id
           LEFT JOIN staff t ON c.holder_kind = 'staff' AND t.id = c.holder_id
          WHERE c.technology = ? AND c.uid = ?`,
      ),
      spare: db.prepare<[string, string], SpareRow>('SELECT * FROM spare_cards WHERE technology = ? AND uid = ?'),
      lastDirection: db.prepare<[string, string], { direction: Direction }>(
        `SELECT direction FROM guard_passes
          WHERE holder_id = ? AND school_date = ? AND verdict = 'allow' AND direction IS NOT NULL
          ORDER BY id DESC LIMIT 1`,
      ),
      insert: db.prepare(
        `INSERT INTO guard_passes (id, at, school_date, kind, reader_id, direction, verdict, reason, alarm, notices,
           holder_kind, holder_id, full_name, group_name, photo_hash, technology, uid, gate_opened, note, event_id)
         VALUES (@id, @at, @school_date, @kind, @reader_id, @direction, @verdict, @reason, @alarm, @notices,
           @holder_kind, @holder_id, @full_name, @group_name, @photo_hash, @technology, @uid, @gate_opened, @note, @event_id)`,
      ),
      setGate: db.prepare<[number, string], never>('UPDATE guard_passes SET gate_opened = ? WHERE id = ?'),
      counts: db.prepare<[string], { entered: number; exited: number; alarms: number }>(
        `SELECT coalesce(sum(verdict = 'allow' AND direction = 'in'), 0) AS entered,
                coalesce(sum(verdict = 'allow' AND direction = 'out'), 0) AS exited,
                coalesce(sum(alarm), 0) AS alarms
           FROM guard_passes WHERE school_date = ?`,
      ),
      feed: db.prepare<[string, string, number], PassRow>(
        'SELECT * FROM guard_passes WHERE school_date >= ? AND id < ? ORDER BY id DESC LIMIT ?',
      ),
      feedAlarms: db.prepare<[string, string, number], PassRow>(
        'SELECT * FROM guard_passes WHERE school_date >= ? AND id < ? AND alarm = 1 ORDER BY id DESC LIMIT ?',
      ),
      today: db.prepare<[string], PassRow>(
        "SELECT * FROM guard_passes WHERE school_date = ? AND verdict = 'allow' AND direction IS NOT NULL ORDER BY id",
      ),
      student: db.prepare<[string], PersonRow>('SELECT full_name, class_name AS group_name, photo_hash, status FROM students WHERE id = ?'),
      staff: db.prepare<[string], PersonRow>('SELECT full_name, position AS group_name, photo_hash, status FROM staff WHERE id = ?'),
      searchStudents: db.prepare<[string, string, number], { id: string; full_name: string; grp: string; photo_hash: string | null; status: PersonFound['status'] }>(
        `SELECT id, full_name, class_name AS grp, photo_hash, status FROM students
          WHERE guard_fold(full_name) LIKE ? OR upper(replace(class_name, ' ', '')) = ?
          ORDER BY class_name, full_name LIMIT ?`,
      ),
      searchStaff: db.prepare<[string, number], { id: string; full_name: string; grp: string; photo_hash: string | null; status: PersonFound['status'] }>(
        'SELECT id, full_name, position AS grp, photo_hash, status FROM staff WHERE guard_fold(full_name) LIKE ? ORDER BY full_name LIMIT ?',
      ),
      spares: db.prepare<[], SpareRow>('SELECT * FROM spare_cards ORDER BY label, uid'),
      spareOf: db.prepare<[string], SpareRow>('SELECT * FROM spare_cards WHERE holder_id = ?'),
      expiredSpares: db.prepare<[string], SpareRow>('SELECT * FROM spare_cards WHERE bound_until IS NOT NULL AND bound_until <= ?'),
      bindSpare: db.prepare(
        'UPDATE spare_cards SET holder_kind = @holderKind, holder_id = @holderId, bound_at = @at, bound_until = @until WHERE technology = @technology AND uid = @uid',
      ),
      addSpare: db.prepare<[string, string, string], never>(
        "INSERT INTO spare_cards (technology, uid, label) VALUES (?, ?, ?) ON CONFLICT (technology, uid) DO UPDATE SET label = excluded.label",
      ),
      dropCard: db.prepare<[string, string], never>('DELETE FROM cards WHERE technology = ? AND uid = ?'),
      upsertTempCard: db.prepare(
        `INSERT INTO cards (technology, uid, holder_kind, holder_id, status, valid_until)
         VALUES (@technology, @uid, @holderKind, @holderId, 'temporary', @until)
         ON CONFLICT (technology, uid) DO UPDATE SET holder_kind = excluded.holder_kind, holder_id = excluded.holder_id,
           status = 'temporary', valid_until = excluded.valid_until, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
      ),
      emergencyOpen: db.prepare<[], { id: string; started_at: string }>(
        'SELECT id, started_at FROM guard_emergencies WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1',
      ),
      emergencyStart: db.prepare<[string, string, string | null], never>('INSERT INTO guard_emergencies (id, started_at, started_by) VALUES (?, ?, ?)'),
      emergencyEnd: db.prepare<[string, string | null, string], never>('UPDATE guard_emergencies SET ended_at = ?, ended_by = ? WHERE id = ?'),
    };
  }

  /** Resumes an emergency that was on when the station stopped, returns spent spare cards, starts the day timer. */
  start(): void {
    const open = this.#q.emergencyOpen.get();
    if (open) {
      this.#emergency = { id: open.id, startedAt: open.started_at, gateHeld: false };
      this.#log.warn({ since: open.started_at }, 'guard: emergency mode was on at start; holding the gate open again');
      void this.#holdBoth(true).then((held) => {
        if (this.#emergency) this.#emergency.gateHeld = held;
        this.emit('emergency', this.emergencyState());
      });
    }
    this.returnExpiredSpares();
    this.duty.expire();
    this.#timer = setInterval(() => {
      this.returnExpiredSpares();
      this.duty.expire();
    }, 60_000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  // ---- time -------------------------------------------------------------------------------------------

  #nowIso(now = this.#clock.now()): string {
    return new Date(now).toISOString();
  }

  schoolDate(now = this.#clock.now()): string {
    return this.#dateFormat.format(now);
  }

  /** The school's UTC offset in minutes at an instant (Europe/Moscow: +180). */
  #utcOffsetMinutes(now: number): number {
    const part = this.#offsetFormat.formatToParts(now).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part);
    if (!m) return 0;
    return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  }

  // ---- taps -------------------------------------------------------------------------------------------

  /**
   * One card from a reader. Synchronous up to the paint: verdict, relay command, event to the screen;
   * then the durable write (pass log + outbox in one transaction). Never throws into the reader.
   */
  onCard(read: CardRead, role: ReaderRole): GuardPassView | null {
    const receivedAtMs = performance.timeOrigin + performance.now();
    const now = this.#clock.now();
    const flood = this.#flood.check(read.readerId, now);
    if (flood.kind === 'dropped') {
      if (flood.dropped % 50 === 0) this.#log.warn({ reader: read.readerId, dropped: flood.dropped }, 'guard: reader still flooding; taps dropped');
      return null;
    }
    const at = this.#nowIso(now);
    const date = this.schoolDate(now);
    if (flood.kind === 'flood_started') {
      this.#log.error({ reader: read.readerId }, 'guard: reader floods taps (faulty reader?); taps from it are dropped until it is quiet');
      const view = this.#view({ kind: 'flood', at, readerId: read.readerId, verdict: 'deny', reason: 'rate_limited', alarm: true, card: read });
      this.#record(view, date, null, receivedAtMs);
      return view;
    }

    const card: CanonicalCard = { technology: read.technology, uid: read.uid };
    const row = isRandomUid(card) ? undefined : this.#q.lookup.get(card.technology, card.uid);
    const holder: Holder | null =
      row && row.full_name !== null
        ? { kind: row.holder_kind, id: row.holder_id, fullName: row.full_name, group: row.group_name ?? '', photoHash: row.photo_hash }
        : null;
    const settings = this.#store.settings.get().guard;
    const decision = decideTap(
      {
        role,
        card,
        found: row ? { status: row.status, validUntil: row.valid_until, holderKind: row.holder_kind, holderId: row.holder_id } : null,
        holder,
        personStatus: row?.person_status ?? null,
        spareInStock: !row && !isRandomUid(card) ? this.#q.spare.get(card.technology, card.uid) !== undefined : false,
        lastDirectionToday:
          row && settings.antiPassback !== 'off' ? (this.#q.lastDirection.get(row.holder_id, date)?.direction ?? null) : null,
        now,
      },
      settings,
    );
    if (decision.itNote) {
      const key = `${decision.reason}:${decision.itNote}`;
      if (!decision.notices.includes('no_photo') || !this.#photoNoted.has(key)) {
        this.#photoNoted.add(key);
        this.#log.warn({ reader: read.readerId, reason: decision.reason }, `guard: ${decision.itNote}`);
      }
    }

    const id = uuidv7();
    let gate: GateOutcome = 'none';
    const notices: GuardNotice[] = [...decision.notices];
    if (decision.verdict === 'allow' && decision.direction) {
      gate = this.#emergency ? 'held_open' : this.#pulse(decision.direction, id);
      if (gate === 'not_opened') notices.push('gate_not_opened');
    }
    const view = this.#view({
      id,
      kind: 'tap',
      at,
      readerId: read.readerId,
      direction: decision.direction,
      verdict: decision.verdict,
      reason: decision.reason,
      alarm: decision.alarm,
      notices,
      holder,
      card,
      printed: decision.printed,
      gate,
    });
    // Taps that identify no one and reach no door stay local: a phone's random id, a reader with no role.
    const toBackend = decision.direction !== null && decision.reason !== 'random_uid';
    this.#record(
      view,
      date,
      toBackend ? () => this.#passEvent(view, decision.direction as Direction, row?.holder_kind ?? null, row?.holder_id ?? null) : null,
      receivedAtMs,
    );
    return view;
  }

  #passEvent(view: GuardPassView, direction: Direction, holderKind: HolderKind | null, holderId: string | null): string {
    return this.#store.outbox.append('pass', {
      direction,
      verdict: view.verdict === 'allow' ? 'allow' : 'deny',
      reason: view.reason,
      readerId: view.readerId ?? '',
      gate: view.gate === 'opened' || view.gate === 'held_open' ? (direction === 'in' ? 'entry' : 'exit') : null,
      card: view.card as CanonicalCard,
      holderKind,
      holderId,
    }).id;
  }

  /**
   * Commands the relay for a pass without waiting (the paint must not wait for the serial port). The
   * answer comes back after the pass is stored; a failure marks the pass and tells the screen.
   */
  #pulse(direction: Direction, passId: string): GateOutcome {
    const gate = this.#gate();
    if (!gate.isReady()) return 'not_opened';
    withTimeout(gate.pulse(direction), this.#gateTimeoutMs).catch((err: unknown) => {
      this.#log.error({ direction, err: (err as Error).message }, 'guard: the relay did not open the gate');
      this.#q.setGate.run(GATE_CODE.not_opened, passId);
      this.emit('gate', { passId, gate: 'not_opened' });
    });
    return 'opened';
  }

  #view(p: Partial<GuardPassView> & Pick<GuardPassView, 'kind' | 'at' | 'verdict' | 'reason'> & { card?: CanonicalCard | null }): GuardPassView {
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
      ...p,
      card: p.card ? { technology: p.card.technology, uid: p.card.uid } : null,
    };
  }

  /** Shows the pass (event first: the screen must not wait for the disk), then stores it durably. */
  #record(view: GuardPassView, date: string, appendEvent: (() => string) | null, receivedAtMs = performance.timeOrigin + performance.now()): void {
    const counters = this.#bump(view, date);
    this.emit('pass', { pass: view, counters, receivedAtMs });
    try {
      this.#store.db.transaction(() => {
        const eventId = appendEvent ? appendEvent() : null;
        this.#insertRow(view, date, eventId);
      })();
    } catch (err) {
      this.#log.error({ err, pass: view.id }, 'guard: could not store a pass');
    }
  }

  #insertRow(view: GuardPassView, date: string, eventId: string | null): void {
    this.#q.insert.run({
      id: view.id,
      at: view.at,
      school_date: date,
      kind: view.kind,
      reader_id: view.readerId,
      direction: view.direction,
      verdict: view.verdict,
      reason: view.reason,
      alarm: view.alarm ? 1 : 0,
      notices: JSON.stringify(view.notices),
      holder_kind: view.holder?.kind ?? null,
      holder_id: view.holder?.id ?? null,
      full_name: view.holder?.fullName ?? null,
      group_name: view.holder?.group ?? null,
      photo_hash: view.holder?.photoHash ?? null,
      technology: view.card?.technology ?? null,
      uid: view.card?.uid ?? null,
      gate_opened: GATE_CODE[view.gate],
      note: view.note,
      event_id: eventId,
    });
  }

  // ---- counters and feed ------------------------------------------------------------------------------

  counters(): GuardCounters {
    const date = this.schoolDate();
    if (this.#counters?.schoolDate !== date) {
      const c = this.#q.counts.get(date) ?? { entered: 0, exited: 0, alarms: 0 };
      this.#counters = {
        schoolDate: date,
        enteredToday: c.entered,
        exitedToday: c.exited,
        alarmsToday: c.alarms,
        insideNow: insideNow(c.entered, c.exited),
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
    c.insideNow = insideNow(c.enteredToday, c.exitedToday);
    this.#counters = c;
    return { ...c };
  }

  /** Today's and yesterday's passes, newest first (the feed pages back across midnight once). */
  feed(options: { alarmsOnly: boolean; limit: number; before: string | null }): GuardPassView[] {
    const since = this.schoolDate(this.#clock.now() - 86_400_000);
    const before = options.before ?? '~';
    const rows = (options.alarmsOnly ? this.#q.feedAlarms : this.#q.feed).all(since, before, options.limit);
    return rows.map(rowToView);
  }

  // ---- search -----------------------------------------------------------------------------------------

  search(query: string, limit: number): PersonFound[] {
    const q = query.trim();
    const words = fold(q).split(/\s+/).filter(Boolean);
    const classKey = q.replaceAll(' ', '').toLocaleUpperCase('ru');
    const first = `%${words[0] ?? ''}%`;
    const rest = words.slice(1);
    const matches = (name: string) => rest.every((w) => fold(name).includes(w));
    const students = this.#q.searchStudents.all(first, classKey, limit * 4).filter((r) => matches(r.full_name) || rest.length === 0);
    const staff = this.#q.searchStaff.all(first, limit * 4).filter((r) => matches(r.full_name));
    const date = this.schoolDate();
    return [
      ...students.map((r) => ({ ...r, kind: 'student' as const })),
      ...staff.map((r) => ({ ...r, kind: 'staff' as const })),
    ]
      .slice(0, limit)
      .map((r) => {
        const last = this.#q.lastDirection.get(r.id, date)?.direction;
        const spare = this.#q.spareOf.get(r.id);
        return {
          kind: r.kind,
          id: r.id,
          fullName: r.full_name,
          group: r.grp,
          photoHash: r.photo_hash,
          status: r.status,
          whereabouts: last === 'in' ? 'inside' : last === 'out' ? 'outside' : 'unknown',
          spareCard:
            spare && spare.bound_until ? { technology: spare.technology, uid: spare.uid, label: spare.label, until: spare.bound_until } : null,
        };
      });
  }

  #person(kind: HolderKind, id: string): PersonRow | undefined {
    return (kind === 'student' ? this.#q.student : this.#q.staff).get(id);
  }

  #holder(kind: HolderKind, id: string): Holder | null {
    const p = this.#person(kind, id);
    return p ? { kind, id, fullName: p.full_name, group: p.group_name, photoHash: p.photo_hash } : null;
  }

  // ---- manual open and visitors ----------------------------------------------------------------------

  /** Opens the relay and waits for its answer (bounded), so the guard learns whether the gate opened. */
  async #pulseAndWait(direction: Direction): Promise<GateOutcome> {
    if (this.#emergency) return 'held_open';
    const gate = this.#gate();
    if (!gate.isReady()) return 'not_opened';
    try {
      await withTimeout(gate.pulse(direction), this.#gateTimeoutMs);
      return 'opened';
    } catch (err) {
      this.#log.error({ direction, err: (err as Error).message }, 'guard: the relay did not open the gate');
      return 'not_opened';
    }
  }

  async manualOpen(input: {
    direction: Direction;
    reason: ManualOpenReason;
    note: string;
    holderKind: HolderKind | null;
    holderId: string | null;
    operatorId: string | null;
  }): Promise<GuardPassView> {
    if (input.reason === 'other' && input.note.trim() === '') throw new DomainError('invalid_input', 'note_required', 'say why in the note');
    let holder: Holder | null = null;
    if (input.holderId) {
      holder = this.#holder(input.holderKind ?? 'student', input.holderId);
      if (!holder) throw new DomainError('not_found', 'person_not_found', `no person ${input.holderId}`);
    }
    const gate = await this.#pulseAndWait(input.direction);
    const now = this.#clock.now();
    const view = this.#view({
      kind: 'manual',
      at: this.#nowIso(now),
      direction: input.direction,
      verdict: 'allow',
      reason: input.reason,
      holder,
      gate,
      notices: gate === 'not_opened' ? ['gate_not_opened'] : [],
      note: input.note || null,
    });
    this.#log.info({ direction: input.direction, reason: input.reason, holder: input.holderId, gate }, 'guard: manual open');
    this.#record(view, this.schoolDate(now), () =>
      this.#store.outbox.append('manual_open', {
        direction: input.direction,
        reason: input.reason,
        note: input.note,
        operatorId: input.operatorId,
        holderId: input.holderId,
        gate: gate === 'opened' || gate === 'held_open' ? (input.direction === 'in' ? 'entry' : 'exit') : null,
      }).id,
    );
    return view;
  }

  async visitorPass(input: { visitorName: string; reason: VisitorReason; note: string; operatorId: string | null }): Promise<GuardPassView> {
    const gate = await this.#pulseAndWait('in');
    const now = this.#clock.now();
    const view = this.#view({
      kind: 'visitor',
      at: this.#nowIso(now),
      direction: 'in',
      verdict: 'allow',
      reason: input.reason,
      gate,
      notices: gate === 'not_opened' ? ['gate_not_opened'] : [],
      note: input.note ? `${input.visitorName} — ${input.note}` : input.visitorName,
    });
    this.#log.info({ reason: input.reason, gate }, 'guard: visitor pass');
    this.#record(view, this.schoolDate(now), () =>
      this.#store.outbox.append('visitor_pass', {
        visitorName: input.visitorName,
        reason: input.reason,
        note: input.note,
        direction: 'in',
        gate: gate === 'opened' || gate === 'held_open' ? 'entry' : null,
        operatorId: input.operatorId,
      }).id,
    );
    return view;
  }

  // ---- spare cards ------------------------------------------------------------------------------------

  /** Adds cards to the reserve stock (IT, or the demo school). */
  addSpareCards(cards: readonly (CanonicalCard & { label: string })[]): void {
    this.#store.db.transaction(() => {
      for (const c of cards) this.#q.addSpare.run(c.technology, c.uid, c.label);
    })();
  }

  spareCards(): SpareCardView[] {
    this.returnExpiredSpares();
    const now = this.#nowIso();
    return this.#q.spares.all().map((s) => {
      // Handed out here, or at another post of the school (the server's temporary card row came with the roster).
      const elsewhere = s.holder_id ? null : this.#boundElsewhere(s, now);
      const holder = s.holder_kind && s.holder_id ? this.#holder(s.holder_kind, s.holder_id) : elsewhere ? this.#holder(elsewhere.holder_kind, elsewhere.holder_id) : null;
      return {
        technology: s.technology,
        uid: s.uid,
        label: s.label,
        printed: s.technology === 'em4100' ? printedForms(s.uid).dec10 : s.uid,
        boundTo: holder ? { kind: holder.kind, id: holder.id, fullName: holder.fullName, group: holder.group } : null,
        boundUntil: s.bound_until ?? elsewhere?.valid_until ?? null,
      };
    });
  }

  /** A spare card's live temporary-card row when another station bound it (the stock is shared by the school). */
  #boundElsewhere(card: CanonicalCard, nowIso: string): LookupRow | null {
    const row = this.#q.lookup.get(card.technology, card.uid);
    if (!row || row.status !== 'temporary' || (row.valid_until !== null && row.valid_until <= nowIso)) return null;
    return row;
  }

  /**
   * Forgotten card: binds a spare card to a holder until the end of the school day. The card row is
   * written locally (so this post lets the child through at once) and a temp_card_bind event tells the
   * backend, which binds it for every station (the canteen too). The balance stays on the account.
   */
  bindSpareCard(input: { card: CanonicalCard; holderKind: HolderKind; holderId: string; operatorId: string | null }): {
    pass: GuardPassView;
    validUntil: string;
  } {
    this.returnExpiredSpares();
    const spare = this.#q.spare.get(input.card.technology, input.card.uid);
    if (!spare || (spare.removed_at && !spare.holder_id)) throw new DomainError('not_found', 'spare_not_in_stock', `card ${cardKey(input.card)} is not a spare card`);
    if (spare.holder_id && spare.holder_id !== input.holderId) {
      throw new DomainError('conflict', 'spare_already_bound', `card ${cardKey(input.card)} is bound to ${spare.holder_id}`);
    }
    const elsewhere = spare.holder_id ? null : this.#boundElsewhere(spare, this.#nowIso());
    if (elsewhere && elsewhere.holder_id !== input.holderId) {
      throw new DomainError('conflict', 'spare_already_bound', `card ${cardKey(input.card)} was handed out to ${elsewhere.holder_id} at another station`);
    }
    const holder = this.#holder(input.holderKind, input.holderId);
    if (!holder) throw new DomainError('not_found', 'person_not_found', `no ${input.holderKind} ${input.holderId}`);
    const status = this.#person(input.holderKind, input.holderId)?.status;
    if (status !== 'active') throw new DomainError('refused', 'person_inactive', `${input.holderId} is not active`);
    const existing = this.#q.spareOf.get(input.holderId);
    if (existing && cardKey(existing) !== cardKey(input.card)) {
      throw new DomainError('conflict', 'holder_has_spare', `${input.holderId} already has spare card ${cardKey(existing)}`);
    }
    const now = this.#clock.now();
    const date = this.schoolDate(now);
    const until = endOfSchoolDayUtc(date, this.#utcOffsetMinutes(now));
    const view = this.#view({
      kind: 'spare_bind',
      at: this.#nowIso(now),
      verdict: 'info',
      reason: 'spare_bound',
      holder,
      card: input.card,
      printed: { hex: input.card.uid, dec10: printedForms(input.card.uid).dec10 },
      note: spare.label || null,
    });
    this.#store.db.transaction(() => {
      this.#q.bindSpare.run({ ...input.card, holderKind: input.holderKind, holderId: input.holderId, at: view.at, until });
      this.#q.upsertTempCard.run({ ...input.card, holderKind: input.holderKind, holderId: input.holderId, until });
      this.#record(view, date, () =>
        this.#store.outbox.append('temp_card_bind', {
          card: input.card,
          holderKind: input.holderKind,
          holderId: input.holderId,
          validUntil: until,
          operatorId: input.operatorId,
        }).id,
      );
    })();
    this.#log.info({ card: cardKey(input.card), holder: input.holderId, until }, 'guard: spare card bound');
    return { pass: view, validUntil: until };
  }

  /** The spare card comes back to the stock: by hand (`returned`, taken by `operatorId`) or when its day is over. */
  returnSpareCard(card: CanonicalCard, cause: 'returned' | 'day_ended' = 'returned', operatorId: string | null = null): GuardPassView {
    const spare = this.#q.spare.get(card.technology, card.uid);
    if (!spare) throw new DomainError('not_found', 'spare_not_in_stock', `card ${cardKey(card)} is not a spare card`);
    // Handed out at another post and brought back here: the server's temporary card row names the holder.
    const elsewhere = spare.holder_id ? null : this.#boundElsewhere(spare, this.#nowIso());
    const holderKind = spare.holder_kind ?? elsewhere?.holder_kind ?? null;
    const holderId = spare.holder_id ?? elsewhere?.holder_id ?? null;
    if (!holderId || !holderKind) throw new DomainError('conflict', 'spare_not_bound', `card ${cardKey(card)} is in stock already`);
    const holder = this.#holder(holderKind, holderId);
    const now = this.#clock.now();
    const view = this.#view({
      kind: 'spare_return',
      at: this.#nowIso(now),
      verdict: 'info',
      reason: cause === 'returned' ? 'spare_returned' : 'spare_day_ended',
      holder,
      card,
      note: spare.label || null,
    });
    this.#store.db.transaction(() => {
      // IT removed it from the school's stock while it was out: now that it is back, it leaves the stock.
      this.#store.roster.spareBack(card, spare.removed_at !== null);
      this.#q.dropCard.run(card.technology, card.uid);
      this.#record(view, this.schoolDate(now), () => this.#store.outbox.append('temp_card_return', { card, holderId, cause, ...(cause === 'returned' ? { operatorId } : {}) }).id);
    })();
    if (spare.removed_at) {
      this.#log.info({ card: cardKey(card), holder: holderId, cause, removedAt: spare.removed_at }, 'guard: spare card returned and dropped: IT removed it from the stock');
    } else this.#log.info({ card: cardKey(card), holder: holderId, cause }, 'guard: spare card back in stock');
    return view;
  }

  /** Spare cards whose day has ended go back to the stock (called on start, every minute and on listing). */
  returnExpiredSpares(): number {
    const expired = this.#q.expiredSpares.all(this.#nowIso());
    for (const s of expired) {
      try {
        this.returnSpareCard({ technology: s.technology, uid: s.uid }, 'day_ended');
      } catch (err) {
        this.#log.error({ err, card: `${s.technology}:${s.uid}` }, 'guard: could not return an expired spare card');
      }
    }
    return expired.length;
  }

  // ---- emergency --------------------------------------------------------------------------------------

  emergencyState(): EmergencyState {
    return { active: this.#emergency !== null, startedAt: this.#emergency?.startedAt ?? null, gateHeld: this.#emergency?.gateHeld ?? false };
  }

  async #holdBoth(open: boolean): Promise<boolean> {
    const gate = this.#gate();
    if (!gate.isReady()) return false;
    const results = await Promise.allSettled([
      withTimeout(gate.hold('in', open), this.#gateTimeoutMs),
      withTimeout(gate.hold('out', open), this.#gateTimeoutMs),
    ]);
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) this.#log.error({ open, errors: failed.map((f) => String((f as PromiseRejectedResult).reason)) }, 'guard: relay hold failed');
    return failed.length === 0;
  }

  /**
   * One guarded action: both directions open and stay open; the roll call is ready. Works offline. Never
   * waits for a PIN: `operatorId` null means nobody was on duty, and the event says so.
   */
  async startEmergency(operatorId: string | null): Promise<EmergencyState> {
    if (this.#emergency) return this.emergencyState();
    const now = this.#clock.now();
    const at = this.#nowIso(now);
    const id = uuidv7();
    this.#emergency = { id, startedAt: at, gateHeld: false };
    const held = await this.#holdBoth(true);
    this.#emergency.gateHeld = held;
    const inside = this.insideList();
    const view = this.#view({
      kind: 'emergency',
      at,
      verdict: 'info',
      reason: 'emergency_started',
      alarm: true,
      gate: held ? 'held_open' : 'not_opened',
      notices: held ? [] : ['gate_not_opened'],
    });
    this.#store.db.transaction(() => {
      this.#q.emergencyStart.run(id, at, operatorId);
      this.#record(view, this.schoolDate(now), () =>
        this.#store.outbox.append('emergency_start', { operatorId, insideCount: inside.total, ...(operatorId === null ? { nobodyOnDuty: true } : {}) }).id,
      );
    })();
    this.#log.error({ inside: inside.total, gateHeld: held, operatorId }, 'guard: EMERGENCY MODE started');
    this.emit('emergency', this.emergencyState());
    return this.emergencyState();
  }

  async endEmergency(operatorId: string | null): Promise<EmergencyState> {
    const e = this.#emergency;
    if (!e) return this.emergencyState();
    const released = await this.#holdBoth(false);
    const now = this.#clock.now();
    const view = this.#view({ kind: 'emergency', at: this.#nowIso(now), verdict: 'info', reason: 'emergency_ended', gate: 'none' });
    this.#store.db.transaction(() => {
      this.#q.emergencyEnd.run(view.at, operatorId, e.id);
      this.#record(view, this.schoolDate(now), () => this.#store.outbox.append('emergency_end', { operatorId, startedAt: e.startedAt }).id);
    })();
    this.#emergency = null;
    this.#log.warn({ released }, 'guard: emergency mode ended');
    this.emit('emergency', this.emergencyState());
    return this.emergencyState();
  }

  // ---- roll call --------------------------------------------------------------------------------------

  /** Who is inside now by today's passes: each person's last allowed pass is an entry. */
  insideList(): InsideList {
    const now = this.#clock.now();
    const date = this.schoolDate(now);
    const last = new Map<string, PassRow>();
    const lastIn = new Map<string, string>();
    const visitors: InsideList['visitors'] = [];
    for (const r of this.#q.today.all(date)) {
      if (r.kind === 'visitor') {
        visitors.push({ name: (r.note ?? '').split(' — ')[0] ?? '', reason: r.reason, at: r.at });
        continue;
      }
      if (!r.holder_id || !r.holder_kind) continue;
      const key = `${r.holder_kind}:${r.holder_id}`;
      last.set(key, r);
      if (r.direction === 'in') lastIn.set(key, r.at);
    }
    const inside = [...last.entries()]
      .filter(([, r]) => r.direction === 'in')
      .map(([key, r]) => ({
        kind: r.holder_kind as HolderKind,
        id: r.holder_id as string,
        fullName: r.full_name ?? r.holder_id ?? '',
        group: r.group_name ?? '',
        since: lastIn.get(key) ?? r.at,
      }));
    const since = new Map(inside.map((p) => [`${p.kind}:${p.id}`, p.since]));
    const grouped = groupInside(inside);
    const withSince = <T extends { kind: HolderKind; id: string }>(p: T) => ({ ...p, since: since.get(`${p.kind}:${p.id}`) ?? '' });
    return {
      generatedAt: this.#nowIso(now),
      schoolDate: date,
      classes: grouped.classes.map((c) => ({ className: c.className, people: c.people.map(withSince) })),
      staff: grouped.staff.map(withSince),
      visitors,
      total: grouped.total,
    };
  }

  /** Writes the roll call to a file in the exports folder (works offline) and returns it for download too. */
  exportInside(format: 'csv' | 'html', locale: 'ru' | 'en'): { path: string; fileName: string; mime: string; content: string } {
    const list = this.insideList();
    const content = format === 'csv' ? renderInsideCsv(list, locale, this.#timeZone) : renderInsideHtml(list, locale, this.#timeZone);
    const stamp = list.generatedAt.replace(/[:.]/g, '-');
    const fileName = `inside-${stamp}.${format}`;
    mkdirSync(this.#exportDir, { recursive: true });
    const path = join(this.#exportDir, fileName);
    writeFileSync(path, format === 'csv' ? `\uFEFF${content}` : content);
    this.#log.info({ path, total: list.total }, 'guard: roll call exported');
    return { path, fileName, mime: format === 'csv' ? 'text/csv' : 'text/html', content };
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
    note: r.note,
  };
}
