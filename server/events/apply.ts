/**
 * The events path: a batch from one station, in one transaction, answered event by event. Each event
 * is parsed, checked against its station's role and the time bounds, then given to its type's applier
 * (server/events/appliers.ts) against what the batch knows so far; a refused event gets its own
 * `invalid`, is kept with its body and blocks nothing behind it. The rows go out in a few multi-row
 * statements at the end, so PostgreSQL sees a handful of round trips per batch instead of several per event.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { eventPayloadError, isEventType, StationEvent, type StationEventPayload, type EventType, type StationRole } from '../../common/events.ts';
import { EventResultCode, type PushResult, type SchoolSettings } from '../../common/sync-api.ts';
import { schoolDate as schoolDateOf } from '../../common/school-time.ts';
import type { Param, Tx } from '../storage/sql.ts';
import { canonicalJson } from '../tokens.ts';
import { APPLIERS, refuse, roleMaySend, roleOf, type Verdict } from './appliers.ts';
import { allIn, BACKEND_RESOLVER, BatchState, insertMany, placeholders, updateMany, type CardWriter, type SeenEvent } from './state.ts';

/** No school's events are older than this; an earlier corrected time is a broken clock or a forgery. */
const EARLIEST_MS = Date.parse('2020-01-01T00:00:00.000Z');
/** How far past the server's clock a corrected time may be (a station's offset may be a little stale). */
const FUTURE_SLACK_MS = 86_400_000;

interface Prepared {
  raw: Record<string, unknown>;
  id: string;
  bodyHash: string;
  ev: StationEvent | null;
  at: number;
  schoolDate: string | null;
  /** Refused before any applier saw it. */
  early: Verdict | null;
}

export interface BatchStation {
  id: string;
  /** Null: enrolled before stations had roles (either role's events until IT sets one). */
  role: StationRole | null;
}

const LEGACY_CODES = new Set<string>(EventResultCode.options);

function prepare(raw: Record<string, unknown>, station: BatchStation, settings: SchoolSettings, nowMs: number): Prepared {
  const id = String(raw.id);
  const bodyHash = createHash('sha256').update(canonicalJson(raw)).digest('hex');
  const base = { raw, id, bodyHash, ev: null, at: nowMs, schoolDate: null };
  const parsed = StationEvent.safeParse(raw);
  if (!parsed.success) return { ...base, early: refuse('schema', z.prettifyError(parsed.error), null, 'schema') };
  const ev = parsed.data;
  const payloadError = eventPayloadError(ev.type, ev.payload);
  if (payloadError) {
    const unknown = !isEventType(ev.type);
    return { ...base, ev, early: refuse(unknown ? 'unknown_type' : 'schema', payloadError, null, unknown ? 'unknown_type' : 'schema') };
  }
  const type = ev.type as EventType;
  if (station.role && !roleMaySend(station.role, type)) {
    return { ...base, ev, early: refuse('wrong_role', `a ${station.role} station may not send ${type} events (those come from a ${roleOf(type)} station)`) };
  }
  const at = Date.parse(ev.occurredAt) + ev.clockOffsetMs;
  if (at < EARLIEST_MS || at > nowMs + FUTURE_SLACK_MS) {
    return {
      ...base,
      ev,
      early: refuse('time_bounds', `the corrected time ${new Date(at).toISOString()} is before 2020 or more than a day ahead of the server's clock`),
    };
  }
  return { ...base, ev, at, schoolDate: schoolDateOf(at, settings.timeZone), early: null };
}

/** What the batch must know up front, in one query per kind. */
async function prefetch(s: BatchState, items: readonly Prepared[]): Promise<void> {
  const holders = new Set<string>();
  const staff = new Set<string>();
  const saleIds = new Set<string>();
  const dates = new Set<string>();
  /** Holders fed in this batch (is there an entry that day?) and holders entering (which flags does it clear?). */
  const fed = new Set<string>();
  const entering = new Set<string>();
  for (const it of items) {
    if (it.early || !it.ev || s.seen.has(it.id)) continue;
    const p = it.ev.payload as Record<string, unknown>;
    switch (it.ev.type as EventType) {
      case 'sale':
      case 'pass':
      case 'manual_open':
        if (typeof p.holderId === 'string') {
          holders.add(p.holderId);
          if (it.ev.type === 'sale') fed.add(p.holderId);
          else if (p.direction === 'in') entering.add(p.holderId);
        }
        dates.add(it.schoolDate!);
        break;
      case 'void':
        holders.add((p as StationEventPayload<'void'>).holderId);
        saleIds.add((p as StationEventPayload<'void'>).saleEventId);
        break;
      case 'group_meal':
        for (const st of (p as StationEventPayload<'group_meal'>).students) {
          holders.add(st.holderId);
          fed.add(st.holderId);
        }
        dates.add(it.schoolDate!);
        break;
      case 'temp_card_bind':
        holders.add((p as StationEventPayload<'temp_card_bind'>).holderId);
        staff.add((p as StationEventPayload<'temp_card_bind'>).holderId);
        break;
      case 'guard_duty_start':
      case 'guard_duty_end':
        staff.add((p as StationEventPayload<'guard_duty_start'>).operatorId);
        break;
      case 'it_change': {
        const operatorId = (p as StationEventPayload<'it_change'>).operatorId;
        if (operatorId) staff.add(operatorId);
        break;
      }
      default:
        break;
    }
  }
  const tx = s.tx;
  for (const h of holders) {
    s.accounts.set(h, null);
    s.students.set(h, null);
  }
  for (const r of await allIn<{ holder_id: string; balance: number; daily_limit: number | null; subsidy: string }>(
    tx,
    'SELECT holder_id, balance, daily_limit, subsidy FROM accounts WHERE holder_id',
    [...holders],
  )) {
    s.accounts.set(r.holder_id, {
      balance: Number(r.balance),
      dailyLimit: r.daily_limit === null ? null : Number(r.daily_limit),
      subsidy: r.subsidy,
      touched: false,
    });
  }
  for (const r of await allIn<{ id: string; class_name: string }>(tx, 'SELECT id, class_name FROM students WHERE id', [...holders]))
    s.students.set(r.id, r.class_name);
  for (const id of staff) s.staff.set(id, null);
  for (const r of await allIn<{ id: string; roles: string }>(tx, 'SELECT id, roles FROM staff WHERE id', [...staff]))
    s.staff.set(r.id, JSON.parse(r.roles) as string[]);

  if (saleIds.size) {
    const voided = new Set(
      (await allIn<{ sale_event_id: string }>(tx, 'SELECT sale_event_id FROM voids WHERE sale_event_id', [...saleIds])).map((r) => r.sale_event_id),
    );
    const rows = await allIn<{
      id: string;
      station_id: string;
      holder_id: string;
      amount: number;
      status: string;
      type: string;
      body: string;
      occurred_at: string;
      clock_offset_ms: number;
      school_date: string | null;
    }>(tx, 'SELECT id, station_id, holder_id, amount, status, type, body, occurred_at, clock_offset_ms, school_date FROM events WHERE id', [...saleIds]);
    for (const id of saleIds) s.sales.set(id, null);
    for (const r of rows) {
      if (r.type !== 'sale' || (r.status !== 'accepted' && r.status !== 'anomaly')) continue;
      const body = JSON.parse(r.body) as { payload?: { subsidyPart?: number; offline?: boolean } };
      const schoolDate = r.school_date ?? schoolDateOf(Date.parse(r.occurred_at) + Number(r.clock_offset_ms), s.settings.timeZone);
      dates.add(schoolDate);
      s.sales.set(r.id, {
        stationId: r.station_id,
        holderId: r.holder_id,
        amount: Number(r.amount),
        subsidyPart: Number(body.payload?.subsidyPart ?? 0),
        offline: body.payload?.offline === true,
        schoolDate,
        voided: voided.has(r.id),
      });
    }
  }
  if (!dates.size) return;
  const dateList = [...dates];
  for (const r of await allIn<{ date: string; id: string; price: number }>(tx, 'SELECT date, id, price FROM menu_items WHERE date', dateList)) {
    let m = s.menu.get(r.date);
    if (!m) s.menu.set(r.date, (m = new Map()));
    m.set(r.id, Number(r.price));
  }
  for (const r of await allIn<{ class_name: string; school_date: string; event_id: string }>(
    tx,
    'SELECT class_name, school_date, event_id FROM class_meals WHERE school_date',
    dateList,
  )) {
    s.classMeals.set(`${r.class_name}|${r.school_date}`, r.event_id);
  }
  if (holders.size) {
    const rows = await allIn<{ holder_id: string; school_date: string; spent: number; subsidy_meals: number; offline_spent: number }>(
      tx,
      'SELECT holder_id, school_date, spent, subsidy_meals, offline_spent FROM daily_figures WHERE holder_id',
      [...holders],
      dateList,
      ` AND school_date IN ${placeholders(dateList.length)}`,
    );
    for (const r of rows) {
      const d = s.day(r.holder_id, r.school_date);
      d.spent = Number(r.spent);
      d.subsidyMeals = Number(r.subsidy_meals);
      d.offlineSpent = Number(r.offline_spent);
    }
  }
  await prefetchEntries(s, fed, entering, dateList);
}

/**
 * Who already entered on the batch's dates and who was flagged already (only when the school asks for
 * the no-entry note), and the open sold_without_entry exceptions an entry in this batch resolves
 * (whatever the setting is now: the flag was raised under it).
 */
async function prefetchEntries(s: BatchState, fed: ReadonlySet<string>, entering: ReadonlySet<string>, dateList: readonly string[]): Promise<void> {
  const inDates = ` AND school_date IN ${placeholders(dateList.length)}`;
  if (s.settings.noEntryNoteAtTill && fed.size) {
    const rows = await allIn<{ holder_id: string; school_date: string; type: string; body: string }>(
      s.tx,
      'SELECT holder_id, school_date, type, body FROM events WHERE holder_id',
      [...fed],
      dateList,
      `${inDates} AND type IN ('pass', 'manual_open') AND status IN ('accepted', 'anomaly')`,
    );
    for (const r of rows) {
      const p = (JSON.parse(r.body) as { payload?: { direction?: string; verdict?: string } }).payload;
      if (p?.direction === 'in' && (r.type === 'manual_open' || p.verdict === 'allow')) s.entries.add(BatchState.dayKey(r.holder_id, r.school_date));
    }
  }
  const flaggable = s.settings.noEntryNoteAtTill ? [...fed, ...entering] : [...entering];
  if (flaggable.length) {
    const rows = await allIn<{ id: string; holder_id: string; school_date: string; resolved_at: string | null }>(
      s.tx,
      "SELECT id, holder_id, school_date, resolved_at FROM exceptions WHERE kind = 'sold_without_entry' AND holder_id",
      flaggable,
      dateList,
      inDates,
    );
    for (const r of rows) {
      const key = BatchState.dayKey(r.holder_id, r.school_date);
      s.noEntryFlagged.add(key);
      if (r.resolved_at === null) s.openNoEntry.set(key, [...(s.openNoEntry.get(key) ?? []), r.id]);
    }
  }
}

function toResult(id: string, v: Verdict): PushResult {
  return {
    id,
    status: v.status,
    ...(v.code ? { code: v.code } : {}),
    ...(v.rule && v.rule !== v.code ? { rule: v.rule } : {}),
    ...(v.message ? { message: v.message } : {}),
  };
}

function firstAnswer(seen: SeenEvent): NonNullable<PushResult['first']> {
  const legacy = seen.code !== null && LEGACY_CODES.has(seen.code);
  return {
    status: seen.status,
    ...(legacy ? { code: seen.code as EventResultCode } : {}),
    ...(seen.code && !legacy ? { rule: seen.code } : {}),
    ...(seen.message ? { message: seen.message } : {}),
  };
}

export async function applyBatch(
  tx: Tx,
  station: BatchStation,
  events: readonly Record<string, unknown>[],
  settings: SchoolSettings,
  cardWriter: CardWriter,
): Promise<PushResult[]> {
  const nowMs = Date.now();
  const now = new Date(nowMs).toISOString();
  await tx.run('UPDATE stations SET last_seen_at = ? WHERE id = ?', [now, station.id]);
  const s = new BatchState(tx, settings, now, cardWriter);
  for (const r of await allIn<SeenEvent & { id: string }>(
    tx,
    'SELECT id, body_hash, status, code, message FROM events WHERE id',
    events.map((e) => String(e.id)),
  )) {
    s.seen.set(r.id, r);
  }
  const items = events.map((raw) => prepare(raw, station, settings, nowMs));
  await prefetch(s, items);
  const removed = await removedPeople(tx, items, s);

  const results: PushResult[] = [];
  for (const it of items) {
    const seen = s.seen.get(it.id);
    if (seen) {
      if (seen.body_hash !== it.bodyHash) {
        results.push({
          id: it.id,
          status: 'invalid',
          code: 'conflict',
          message: 'an event with this id and a different body was received before; this one is refused',
        });
      } else {
        results.push({ id: it.id, status: 'duplicate', message: 'already received; nothing changed', first: firstAnswer(seen) });
      }
      continue;
    }
    let v = it.early;
    // An event about a person who left the school (a station offline when they were removed): nothing of
    // it is applied, and it is kept with the person's id and card numbers replaced by a pseudonym.
    let body = JSON.stringify(it.raw);
    const gone = !v && it.ev ? removed.scrub(it.raw) : null;
    if (gone) {
      v = refuse('person_removed', 'the person was removed from the school; this event applies nothing and is kept under a pseudonym', gone.pseudonym);
      body = gone.body;
    }
    if (!v) {
      const ev = it.ev!;
      try {
        const applier = APPLIERS[ev.type as EventType] as { evaluate(i: unknown): Promise<Verdict> | Verdict };
        v = await applier.evaluate({ id: it.id, ev, payload: ev.payload, stationId: station.id, at: it.at, schoolDate: it.schoolDate!, state: s });
      } catch (err) {
        v = refuse('server_error', `the server could not check this event (${(err as Error).message}); it is kept for IT`);
      }
    }
    if (v.status !== 'invalid') for (const e of v.effects) e();
    for (const x of v.exceptions) {
      if (x.kind === 'sold_without_entry' && x.holderId) {
        const day = BatchState.dayKey(x.holderId, x.schoolDate);
        if (s.noEntryFlagged.has(day)) continue;
        s.noEntryFlagged.add(day);
      }
      s.exceptionRows.push({ ...x, id: `${it.id}:${x.kind}${x.holderId && v.holderId !== x.holderId ? `:${x.holderId}` : ''}` });
    }
    const ev = it.ev;
    s.eventRows.push([
      it.id,
      station.id,
      typeof it.raw.seq === 'number' && Number.isSafeInteger(it.raw.seq) ? it.raw.seq : 0,
      typeof it.raw.type === 'string' ? it.raw.type.slice(0, 64) : '?',
      ev?.occurredAt ??
        (typeof it.raw.occurredAt === 'string' && !Number.isNaN(Date.parse(it.raw.occurredAt)) ? new Date(Date.parse(it.raw.occurredAt)).toISOString() : now),
      ev && Number.isSafeInteger(ev.clockOffsetMs) ? ev.clockOffsetMs : 0,
      body,
      it.bodyHash,
      v.holderId,
      v.amount,
      v.status,
      v.rule ?? v.code ?? null,
      v.message ?? null,
      now,
      it.schoolDate,
    ]);
    s.seen.set(it.id, { body_hash: it.bodyHash, status: v.status, code: v.rule ?? v.code ?? null, message: v.message ?? null });
    results.push(toResult(it.id, v));
  }
  await write(s);
  return results;
}

const PERSON_KEYS = new Set(['holderId', 'operatorId', 'staffId', 'approvedBy', 'supervisorId']);

/** The person ids an event's payload names (holders, operators, a class's pupils), by their keys. */
function idsIn(value: unknown, out: Set<string>, depth = 0): void {
  if (depth > 6 || !value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) idsIn(v, out, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') {
      if (PERSON_KEYS.has(k) && v.length > 0 && v.length <= 64) out.add(v);
    } else idsIn(v, out, depth + 1);
  }
}

/**
 * The people of the batch's events whom the school removed (a tombstone of a student or an employee),
 * and a scrubber: an event naming one of them comes back with each such id replaced by a pseudonym
 * made for this batch (the link to the person is kept nowhere) and every card number blanked.
 */
async function removedPeople(
  tx: Tx,
  items: readonly Prepared[],
  s: BatchState,
): Promise<{ scrub(raw: Record<string, unknown>): { pseudonym: string; body: string } | null }> {
  const ids = new Set<string>();
  for (const it of items) if (!it.early && it.ev && !s.seen.has(it.id)) idsIn(it.ev.payload, ids);
  const gone = new Map<string, string>();
  if (ids.size) {
    for (const r of await allIn<{ id: string }>(tx, "SELECT id FROM tombstones WHERE kind IN ('student', 'staff') AND id", [...ids])) {
      gone.set(r.id, `gone-${randomUUID()}`);
    }
  }
  return {
    scrub(raw) {
      if (gone.size === 0) return null;
      let pseudonym: string | null = null;
      const walk = (value: unknown, key: string | null): unknown => {
        if (typeof value === 'string') {
          const p = gone.get(value);
          if (p) {
            pseudonym ??= p;
            return p;
          }
          return key === 'uid' ? '' : value;
        }
        if (Array.isArray(value)) return value.map((v) => walk(v, null));
        if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
        return value;
      };
      const payload = walk(raw.payload, null);
      return pseudonym ? { pseudonym, body: JSON.stringify({ ...raw, payload }) } : null;
    },
  };
}

async function write(s: BatchState): Promise<void> {
  const tx = s.tx;
  await insertMany(
    tx,
    'INSERT INTO events (id, station_id, seq, type, occurred_at, clock_offset_ms, body, body_hash, holder_id, amount, status, code, message, received_at, school_date)',
    ['text', 'text', 'bigint', 'text', 'text', 'bigint', 'text', 'text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'text'],
    s.eventRows,
  );
  const touched: Param[][] = [];
  for (const [holderId, a] of s.accounts) if (a?.touched) touched.push([holderId, a.balance, await tx.nextRev()]);
  await updateMany(
    tx,
    'accounts',
    'balance = v.column2, balance_at = ?, rev = v.column3',
    'accounts.holder_id = v.column1',
    ['text', 'bigint', 'bigint'],
    touched,
    [s.now],
  );
  await insertMany(tx, 'INSERT INTO ledger (event_id, holder_id, delta, kind, at)', ['text', 'text', 'bigint', 'text', 'text'], s.ledgerRows);
  await insertMany(
    tx,
    'INSERT INTO notifications (event_id, holder_id, kind, text, created_at)',
    ['text', 'text', 'text', 'text', 'text'],
    s.notificationRows,
    ' ON CONFLICT (event_id) DO NOTHING',
  );
  await insertMany(tx, 'INSERT INTO voids (sale_event_id, void_event_id)', ['text', 'text'], s.voidRows);
  const days: Param[][] = [];
  for (const [key, d] of s.days) {
    if (!d.touched) continue;
    const bar = key.lastIndexOf('|');
    days.push([key.slice(0, bar), key.slice(bar + 1), d.spent, d.subsidyMeals, d.offlineSpent]);
  }
  await insertMany(
    tx,
    'INSERT INTO daily_figures (holder_id, school_date, spent, subsidy_meals, offline_spent)',
    ['text', 'text', 'bigint', 'bigint', 'bigint'],
    days,
    ' ON CONFLICT (holder_id, school_date) DO UPDATE SET spent = excluded.spent, subsidy_meals = excluded.subsidy_meals, offline_spent = excluded.offline_spent',
  );
  await insertMany(
    tx,
    'INSERT INTO class_meals (class_name, school_date, event_id)',
    ['text', 'text', 'text'],
    s.newClassMeals,
    ' ON CONFLICT (class_name, school_date) DO NOTHING',
  );
  await insertMany(
    tx,
    'INSERT INTO exceptions (id, kind, holder_id, school_date, event_ids, message, charge_amount, created_at, resolution, note, resolved_by, resolved_at, correction)',
    ['text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'text', 'bigint'],
    s.exceptionRows.map((x) => [
      x.id,
      x.kind,
      x.holderId,
      x.schoolDate,
      JSON.stringify(x.eventIds),
      x.message,
      x.chargeAmount,
      s.now,
      x.resolution?.resolution ?? null,
      x.resolution?.note ?? null,
      x.resolution?.by ?? null,
      x.resolution ? s.now : null,
      x.resolution ? 0 : null,
    ]),
    ' ON CONFLICT (id) DO NOTHING',
  );
  // An accepted exception changes no balance; the condition is Exceptions.resolve's "once": one already resolved stays as it was.
  await updateMany(
    tx,
    'exceptions',
    "resolution = 'accept', note = v.column2, resolved_by = ?, resolved_at = ?, correction = 0",
    'exceptions.id = v.column1 AND exceptions.resolved_at IS NULL',
    ['text', 'text'],
    s.noEntryResolved,
    [BACKEND_RESOLVER, s.now],
  );
  for (const op of s.cardOps) await op();
  // Revisions are taken in commit order (the batch is a roster transaction): a fact's seq is its place.
  const facts: Param[][] = [];
  for (const f of s.facts) facts.push([await tx.nextRev(), f.id, f.stationId, f.schoolDate, JSON.stringify(f)]);
  await insertMany(
    tx,
    'INSERT INTO day_facts (seq, id, station_id, school_date, body)',
    ['bigint', 'text', 'text', 'text', 'text'],
    facts,
    ' ON CONFLICT (id) DO NOTHING',
  );
}
