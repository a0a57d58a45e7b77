/**
 * One applier per event type, each with its checks beside it. An applier reads the batch state and
 * answers with a verdict and the changes to make; it writes nothing itself, so an event it refuses
 * changes nothing. Events are facts: a sale that breaks a school-wide rule (daily limit, subsidy
 * once a day, offline cap, the menu's prices) is applied and becomes an exception for the school's
 * administrator. An event that cannot be a fact (a total that is not its lines, a void of another
 * station's sale, another role's event) is refused as invalid, kept with its body, and blocks nothing.
 */
import {
  ANY_ROLE_EVENTS,
  BALANCE_LIMIT,
  ROLE_EVENTS,
  type StationEventPayload,
  type EventType,
  type StationEvent,
  type StationRole,
} from '../../common/events.ts';
import { formatMoney } from '../../common/money.ts';
import type { EventResultCode, ExceptionKind } from '../../common/sync-api.ts';
import { endOfSchoolDayMs } from '../../common/school-time.ts';
import { localTime } from '../school.ts';
import { BatchState, type ExceptionRow } from './state.ts';

export interface EvalInput<T extends EventType> {
  id: string;
  ev: StationEvent;
  payload: StationEventPayload<T>;
  stationId: string;
  /** The station's corrected time (occurredAt + clock offset), epoch ms. */
  at: number;
  schoolDate: string;
  state: BatchState;
}

export interface Verdict {
  status: 'accepted' | 'anomaly' | 'invalid';
  /** A code every station knows (common/sync-api.ts EventResultCode). */
  code?: EventResultCode;
  /** The rule that refused or flagged it, for newer stations and IT. */
  rule?: string;
  message?: string;
  holderId: string | null;
  amount: number;
  /** Run in order once the event is kept; they change the batch state and queue its rows. */
  effects: (() => void)[];
  exceptions: Omit<ExceptionRow, 'id'>[];
}

export interface Applier<T extends EventType> {
  evaluate(input: EvalInput<T>): Promise<Verdict> | Verdict;
}

/** A refusal: the event is kept with this answer and changes nothing. */
export function refuse(rule: string, message: string, holderId: string | null = null, code?: EventResultCode): Verdict {
  return { status: 'invalid', ...(code ? { code } : {}), rule, message, holderId, amount: 0, effects: [], exceptions: [] };
}

function accept(holderId: string | null, amount = 0, effects: (() => void)[] = []): Verdict {
  return { status: 'accepted', holderId, amount, effects, exceptions: [] };
}

/** Accepted, or an anomaly when something was flagged: the flags in words, the first rule as the rule. */
function withFlags(v: Verdict, flags: { rule: string; message: string; code?: EventResultCode }[]): Verdict {
  if (!flags.length) return v;
  const first = flags[0]!;
  return {
    ...v,
    status: 'anomaly',
    ...(first.code ? { code: first.code } : {}),
    rule: first.rule,
    message: `applied; ${flags.map((f) => f.message).join('; ')}`,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function notify(s: BatchState, eventId: string, holderId: string, kind: string, text: string): void {
  // Only a student's parents are told; the key on event_id makes a second row impossible.
  if (!s.isStudent(holderId)) return;
  s.notificationRows.push([eventId, holderId, kind, text, s.now]);
}

/** A pass the school's other posts count (inside now, anti-passback, the roll call). */
function passFact(
  s: BatchState,
  f: {
    id: string;
    stationId: string;
    at: number;
    schoolDate: string;
    holderId: string;
    holderKind: 'student' | 'staff';
    direction: 'in' | 'out';
    verdict: 'allow' | 'deny';
    manual: boolean;
  },
): void {
  s.facts.push({ kind: 'pass', ...f, eventId: f.id, at: iso(f.at) });
}

/** What a debit or a void changed in the child's day figures, for the school's other tills. */
function mealFact(
  s: BatchState,
  f: { id: string; eventId: string; stationId: string; at: number; schoolDate: string; holderId: string; meal: 'sale' | 'void' | 'group_meal' },
  spent: number,
  subsidyMeals: number,
  offlineSpent: number,
): void {
  s.facts.push({ kind: 'meal', ...f, at: iso(f.at), spent, subsidyMeals, offlineSpent });
}

/**
 * A visitor let in at this post, for the school's other posts (inside now, the roll call): the name is
 * what the roll call reads out. Like every fact, kept for the school day only (server/day.ts).
 */
function visitorFact(
  s: BatchState,
  f: { id: string; stationId: string; at: number; schoolDate: string; visitorName: string; reason: string; direction: 'in' | 'out' },
): void {
  s.facts.push({ kind: 'visitor', ...f, eventId: f.id, at: iso(f.at), reason: f.reason.slice(0, 200) });
}

/** Moves a balance and records it in the ledger (credit positive). */
function move(s: BatchState, ledgerId: string, holderId: string, delta: number, kind: string, atMs: number): void {
  const acc = s.accounts.get(holderId);
  if (!acc) return;
  acc.balance += delta;
  acc.touched = true;
  s.ledgerRows.push([ledgerId, holderId, delta, kind, iso(atMs)]);
}

const outOfRange = (balance: number) => balance < -BALANCE_LIMIT || balance > BALANCE_LIMIT;
const balanceRefusal = (holderId: string) =>
  refuse('balance_limit', `refused: it would take the balance of ${holderId} beyond ±${formatMoney(BALANCE_LIMIT)}`, holderId);

interface Exc {
  kind: ExceptionKind;
  message: string;
  chargeAmount: number;
}

/** The school-wide rules of one child's debit on one school day; the breaches, as exceptions. */
function dayRules(
  s: BatchState,
  holderId: string,
  date: string,
  debit: { accountPart: number; subsidyPart: number; offline: boolean },
): { breaches: Exc[]; apply: () => void } {
  const day = s.day(holderId, date);
  const acc = s.accounts.get(holderId);
  const breaches: Exc[] = [];
  if (acc?.dailyLimit != null && debit.accountPart > 0 && day.spent + debit.accountPart > acc.dailyLimit) {
    breaches.push({
      kind: 'daily_limit_exceeded',
      message: `daily limit ${formatMoney(acc.dailyLimit)} exceeded: ${formatMoney(day.spent + debit.accountPart)} spent on ${date} across the school's tills`,
      chargeAmount: 0,
    });
  }
  if (debit.subsidyPart > 0 && day.subsidyMeals >= 1) {
    breaches.push({ kind: 'second_subsidised_meal', message: `a second subsidised meal on ${date}`, chargeAmount: debit.subsidyPart });
  }
  if (debit.offline && debit.accountPart > 0 && day.offlineSpent + debit.accountPart > s.settings.offlineCapPerDay) {
    breaches.push({
      kind: 'offline_overdraft',
      message: `offline debits of ${formatMoney(day.offlineSpent + debit.accountPart)} on ${date} exceed the offline cap ${formatMoney(s.settings.offlineCapPerDay)}`,
      chargeAmount: 0,
    });
  }
  return {
    breaches,
    apply: () => {
      day.spent += debit.accountPart;
      if (debit.subsidyPart > 0) day.subsidyMeals += 1;
      if (debit.offline) day.offlineSpent += debit.accountPart;
      day.touched = true;
    },
  };
}

/**
 * A pupil fed on a school day with no entry at any of the school's posts yet, when the school asks for
 * the till's no-entry note. Not a flag on the sale (its answer stays as it is): the entry may still come
 * from a post that was offline, and then the backend resolves this itself. A staff member is never flagged.
 */
function noEntry(s: BatchState, holderId: string, date: string): Exc | null {
  const day = BatchState.dayKey(holderId, date);
  // One per pupil and day (the batch skips a second): the administrator's list is of children, and the view shows the day's sales.
  if (!s.settings.noEntryNoteAtTill || !s.isStudent(holderId) || s.entries.has(day) || s.noEntryFlagged.has(day)) return null;
  return { kind: 'sold_without_entry', message: `fed on ${date} with no entry at any of the school's posts that day`, chargeAmount: 0 };
}

/** An entry the canteen's no-entry check counts: the later sales are not flagged, the earlier flags are resolved. */
function entryEffect(s: BatchState, id: string, holderId: string, date: string, at: number): () => void {
  return () => s.entered(holderId, date, `the entry at ${localTime(at, s.settings.timeZone)} (event ${id}) arrived after the meal; resolved by the backend`);
}

const sale: Applier<'sale'> = {
  evaluate({ id, payload: p, stationId, at, schoolDate, state: s }) {
    const acc = s.accounts.get(p.holderId);
    if (!acc) return refuse('unknown_holder', `no account for holder ${p.holderId}`, p.holderId, 'unknown_holder');
    const lines = p.lines.reduce((sum, l) => sum + l.price * l.quantity, 0);
    if (lines !== p.total) return refuse('total_mismatch', `total ${p.total} is not the sum of its lines (${lines} kopecks)`, p.holderId);
    if (p.subsidyPart + p.accountPart !== p.total)
      return refuse('parts_mismatch', `subsidy part ${p.subsidyPart} + account part ${p.accountPart} is not the total ${p.total}`, p.holderId);
    const after = acc.balance - p.accountPart;
    if (outOfRange(after)) return balanceRefusal(p.holderId);

    const exceptions: Exc[] = [];
    const menu = s.menu.get(schoolDate);
    const off = p.lines.filter((l) => menu?.get(l.itemId) !== l.price);
    if (off.length) {
      const menuTotal = p.lines.reduce((sum, l) => sum + (menu?.get(l.itemId) ?? l.price) * l.quantity, 0);
      exceptions.push({
        kind: 'price_differs',
        message: `${off.map((l) => (menu?.has(l.itemId) ? `${l.itemId} at ${formatMoney(l.price)}, the menu says ${formatMoney(menu.get(l.itemId)!)}` : `${l.itemId} is not on the menu of ${schoolDate}`)).join(', ')}`,
        chargeAmount: Math.max(0, menuTotal - p.total),
      });
    }
    const rules = dayRules(s, p.holderId, schoolDate, { accountPart: p.accountPart, subsidyPart: p.subsidyPart, offline: p.offline });
    exceptions.push(...rules.breaches);
    const v = accept(p.holderId, p.accountPart, [
      () => {
        move(s, id, p.holderId, -p.accountPart, 'sale', at);
        rules.apply();
        s.sales.set(id, { stationId, holderId: p.holderId, amount: p.accountPart, subsidyPart: p.subsidyPart, offline: p.offline, schoolDate, voided: false });
        mealFact(
          s,
          { id, eventId: id, stationId, at, schoolDate, holderId: p.holderId, meal: 'sale' },
          p.accountPart,
          p.subsidyPart > 0 ? 1 : 0,
          p.offline ? p.accountPart : 0,
        );
        notify(s, id, p.holderId, 'sale', `Покупка на ${formatMoney(p.total)}: ${p.lines.map((l) => l.name).join(', ')}`);
      },
    ]);
    const unseen = noEntry(s, p.holderId, schoolDate);
    v.exceptions = [...exceptions, ...(unseen ? [unseen] : [])].map((e) => ({ ...e, holderId: p.holderId, schoolDate, eventIds: [id] }));
    const flags: { rule: string; message: string; code?: EventResultCode }[] = [];
    if (after < 0) flags.push({ rule: 'overdraft', code: 'overdraft', message: `balance went below zero (${after} kopecks)` });
    for (const e of exceptions) flags.push({ rule: e.kind, message: e.message });
    return withFlags(v, flags);
  },
};

const voidSale: Applier<'void'> = {
  evaluate({ id, payload: p, stationId, at, state: s }) {
    const target = s.sales.get(p.saleEventId);
    if (!target) return refuse('unknown_sale', `no applied sale ${p.saleEventId} to void`, p.holderId, 'unknown_sale');
    if (target.stationId !== stationId)
      return refuse('other_station', `sale ${p.saleEventId} was made at another station; only its own till may void it`, p.holderId);
    if (target.holderId !== p.holderId) return refuse('unknown_sale', `sale ${p.saleEventId} belongs to another holder`, p.holderId, 'unknown_sale');
    if (target.voided) return refuse('already_voided', `sale ${p.saleEventId} was voided before`, p.holderId, 'already_voided');
    if (p.amount > target.amount)
      return refuse('void_exceeds_sale', `void of ${p.amount} exceeds the sale's ${target.amount} kopecks`, p.holderId, 'void_exceeds_sale');
    const acc = s.accounts.get(p.holderId);
    if (!acc) return refuse('unknown_holder', `no account for holder ${p.holderId}`, p.holderId, 'unknown_holder');
    if (outOfRange(acc.balance + p.amount)) return balanceRefusal(p.holderId);
    return accept(p.holderId, p.amount, [
      () => {
        target.voided = true;
        s.voidRows.push([p.saleEventId, id]);
        move(s, id, p.holderId, p.amount, 'void', at);
        // The voided meal was not eaten: it no longer counts against today's limit, subsidy or cap.
        const day = s.day(p.holderId, target.schoolDate);
        day.spent -= p.amount;
        if (target.offline) day.offlineSpent -= p.amount;
        const subsidyBack = target.subsidyPart > 0 && day.subsidyMeals > 0;
        if (subsidyBack) day.subsidyMeals -= 1;
        day.touched = true;
        mealFact(
          s,
          { id, eventId: id, stationId, at, schoolDate: target.schoolDate, holderId: p.holderId, meal: 'void' },
          -p.amount,
          subsidyBack ? -1 : 0,
          target.offline ? -p.amount : 0,
        );
      },
    ]);
  },
};

const groupMeal: Applier<'group_meal'> = {
  evaluate({ id, payload: p, stationId, at, schoolDate, state: s }) {
    const ids = p.students.map((x) => x.holderId);
    if (new Set(ids).size !== ids.length) return refuse('duplicate_student', 'a student is listed twice in the group meal');
    const sum = p.students.reduce((t, x) => t + x.amount, 0);
    if (sum !== p.total) return refuse('total_mismatch', `total ${p.total} is not the sum of the students' amounts (${sum} kopecks)`);
    const exceptions: Omit<ExceptionRow, 'id'>[] = [];
    const flags: { rule: string; message: string }[] = [];
    const classKey = `${p.className}|${schoolDate}`;
    const firstMeal = s.classMeals.get(classKey);
    if (firstMeal) {
      const message = `class ${p.className} had a group meal on ${schoolDate} already`;
      exceptions.push({ kind: 'group_meal_twice', holderId: null, schoolDate, eventIds: [firstMeal, id], message, chargeAmount: 0 });
      flags.push({ rule: 'group_meal_twice', message });
    }
    const menuPrice = s.menu.get(schoolDate)?.get(p.itemId);
    if (menuPrice !== p.price) {
      const message =
        menuPrice === undefined
          ? `${p.itemId} is not on the menu of ${schoolDate}`
          : `${p.itemId} at ${formatMoney(p.price)}, the menu says ${formatMoney(menuPrice)}`;
      exceptions.push({ kind: 'price_differs', holderId: null, schoolDate, eventIds: [id], message, chargeAmount: 0 });
      flags.push({ rule: 'price_differs', message });
    }
    const effects: (() => void)[] = [
      () => {
        if (!s.classMeals.has(classKey)) {
          s.classMeals.set(classKey, id);
          s.newClassMeals.push([p.className, schoolDate, id]);
        }
      },
    ];
    let debited = 0;
    for (const st of p.students) {
      const acc = s.accounts.get(st.holderId);
      if (p.payer === 'accounts') {
        if (!acc) {
          flags.push({ rule: 'unknown_holder', message: `no account for ${st.holderId}` });
          continue;
        }
        if (outOfRange(acc.balance - st.amount)) return balanceRefusal(st.holderId);
        if (acc.balance - st.amount < 0) flags.push({ rule: 'overdraft', message: `${st.holderId} below zero (${acc.balance - st.amount} kopecks)` });
        debited += st.amount;
      }
      const subsidised = p.payer === 'subsidy' ? st.amount : 0;
      const rules = dayRules(s, st.holderId, schoolDate, { accountPart: p.payer === 'accounts' ? st.amount : 0, subsidyPart: subsidised, offline: false });
      for (const b of rules.breaches) {
        exceptions.push({ ...b, holderId: st.holderId, schoolDate, eventIds: [id] });
        flags.push({ rule: b.kind, message: `${st.holderId}: ${b.message}` });
      }
      const unseen = noEntry(s, st.holderId, schoolDate);
      if (unseen) exceptions.push({ ...unseen, holderId: st.holderId, schoolDate, eventIds: [id] });
      effects.push(() => {
        if (p.payer === 'accounts') move(s, `${id}:${st.holderId}`, st.holderId, -st.amount, 'group_meal', at);
        rules.apply();
        const fact = { id: `${id}:${st.holderId}`, eventId: id, stationId, at, schoolDate, holderId: st.holderId, meal: 'group_meal' as const };
        mealFact(s, fact, p.payer === 'accounts' ? st.amount : 0, subsidised > 0 ? 1 : 0, 0);
      });
    }
    const v = accept(null, debited, effects);
    v.exceptions = exceptions;
    return withFlags(v, flags);
  },
};

const pass: Applier<'pass'> = {
  evaluate({ id, payload: p, stationId, at, schoolDate, state: s }) {
    const holderId = p.holderKind === 'student' ? p.holderId : null;
    const time = localTime(at, s.settings.timeZone);
    // Worded without the child's gender: the message does not guess it.
    const text = p.verdict === 'allow' ? `${p.direction === 'in' ? 'Вход в школу' : 'Выход из школы'} в ${time}` : `Турникет не пропустил по карте в ${time}`;
    const effects: (() => void)[] = holderId ? [() => notify(s, id, holderId, 'pass', text)] : [];
    const { holderId: who, holderKind } = p;
    if (who && holderKind)
      effects.push(() => passFact(s, { id, stationId, at, schoolDate, holderId: who, holderKind, direction: p.direction, verdict: p.verdict, manual: false }));
    if (holderId && p.verdict === 'allow' && p.direction === 'in') effects.push(entryEffect(s, id, holderId, schoolDate, at));
    return accept(p.holderId, 0, effects);
  },
};

const manualOpen: Applier<'manual_open'> = {
  evaluate({ id, payload: p, stationId, at, schoolDate, state: s }) {
    // A child let through by hand is still a pass for the parents.
    const holderId = p.holderId;
    const text = `${p.direction === 'in' ? 'Вход в школу' : 'Выход из школы'} (пропуск охраной) в ${localTime(at, s.settings.timeZone)}`;
    if (!holderId) return accept(null);
    return accept(holderId, 0, [
      () => notify(s, id, holderId, 'pass', text),
      () =>
        passFact(s, {
          id,
          stationId,
          at,
          schoolDate,
          holderId,
          holderKind: s.isStudent(holderId) ? 'student' : 'staff',
          direction: p.direction,
          verdict: 'allow',
          manual: true,
        }),
      ...(p.direction === 'in' ? [entryEffect(s, id, holderId, schoolDate, at)] : []),
    ]);
  },
};

const visitorPass: Applier<'visitor_pass'> = {
  evaluate({ id, payload: p, stationId, at, schoolDate, state: s }) {
    return accept(null, 0, [() => visitorFact(s, { id, stationId, at, schoolDate, visitorName: p.visitorName, reason: p.reason, direction: p.direction })]);
  },
};

const tempCardBind: Applier<'temp_card_bind'> = {
  async evaluate({ id, ev, payload: p, at, schoolDate, state: s }) {
    const known = p.holderKind === 'student' ? s.students.get(p.holderId) : s.staff.get(p.holderId);
    if (typeof known !== 'string' && !Array.isArray(known)) return refuse('unknown_holder', `no ${p.holderKind} ${p.holderId}`, p.holderId, 'unknown_holder');
    const key = `${p.card.technology}:${p.card.uid}`;
    const refused = (rule: string, message: string): Verdict => {
      const v = refuse(rule, message, p.holderId);
      // The child may have the card in hand: the school hears of it even though the card does not work.
      v.exceptions = [{ kind: 'spare_card_refused', holderId: p.holderId, schoolDate, eventIds: [id], message, chargeAmount: 0 }];
      return v;
    };
    const before = await s.card(p.card.technology, p.card.uid);
    if (before && before.status !== 'temporary') return refused('own_card', `card ${key} is somebody's own ${before.status} card, not a spare card`);
    if (!(await s.isSpare(p.card.technology, p.card.uid))) return refused('not_spare', `card ${key} is not in the school's spare-card stock`);
    // The station ends the card's day by its own clock; the later of its two times bounds it.
    const dayEnd = Math.max(endOfSchoolDayMs(at, s.settings.timeZone), endOfSchoolDayMs(Date.parse(ev.occurredAt), s.settings.timeZone));
    if (Date.parse(p.validUntil) > dayEnd) return refused('past_day_end', `a spare card is bound until the end of the school day at most, not ${p.validUntil}`);
    return accept(p.holderId, 0, [
      () => {
        s.setCard(p.card.technology, p.card.uid, { holderId: p.holderId, status: 'temporary', validUntil: p.validUntil });
        s.cardOps.push(async () => s.upsertTemporaryCard(p));
        notify(s, id, p.holderId, 'temp_card', 'Выдана временная карта до конца дня');
      },
    ]);
  },
};

const tempCardReturn: Applier<'temp_card_return'> = {
  evaluate({ payload: p, state: s }) {
    return accept(p.holderId, 0, [
      () => {
        s.cardOps.push(async () => s.dropTemporaryCard(p.card.technology, p.card.uid, p.holderId));
        s.setCard(p.card.technology, p.card.uid, null);
      },
    ]);
  },
};

const guardDuty: Applier<'guard_duty_start' | 'guard_duty_end'> = {
  evaluate({ ev, payload: p, state: s }) {
    // Who was on duty, for the school's records. A fact: kept even when the server does not know the
    // person as a guard or supervisor (the station's roster may be older).
    const roles = s.staff.get(p.operatorId);
    if (ev.type === 'guard_duty_start' && !(roles && roles.some((r) => r === 'guard' || r === 'supervisor'))) {
      return withFlags(accept(null), [
        { rule: 'not_a_guard', message: `${p.operatorId} is ${roles ? 'not a guard or supervisor' : 'not on the staff list'} here` },
      ]);
    }
    return accept(null);
  },
};

const recorded: Applier<EventType> = { evaluate: () => accept(null) };

const itChange: Applier<'it_change'> = {
  evaluate({ payload: p, state: s }) {
    // Kept for the school's records either way (a fact); flagged when the person is not known here as
    // IT or a supervisor (the station's roster may be older than the server's).
    if (p.operatorId === null) return accept(null);
    const roles = s.staff.get(p.operatorId);
    if (!(roles && roles.some((r) => r === 'it' || r === 'supervisor'))) {
      return withFlags(accept(null), [
        { rule: 'not_it_staff', message: `${p.operatorId} is ${roles ? 'not IT or a supervisor' : 'not on the staff list'} here` },
      ]);
    }
    return accept(null);
  },
};

/** The table: every event type's applier. A type missing here does not compile. */
export const APPLIERS: { [T in EventType]: Applier<T> } = {
  pass,
  manual_open: manualOpen,
  sale,
  void: voidSale,
  sale_rejected: recorded,
  group_meal: groupMeal,
  visitor_pass: visitorPass,
  temp_card_bind: tempCardBind,
  temp_card_return: tempCardReturn,
  emergency_start: recorded,
  emergency_end: recorded,
  guard_duty_start: guardDuty,
  guard_duty_end: guardDuty,
  held_events_released: recorded,
  shift_open: recorded,
  shift_close: recorded,
  it_change: itChange,
};

/** The role that may send this type; null when any station may (IT's changes to the station itself). */
export function roleOf(type: EventType): StationRole | null {
  if (ANY_ROLE_EVENTS.includes(type)) return null;
  return ROLE_EVENTS.guard.includes(type) ? 'guard' : 'cashier';
}

/** Whether a station of this role may send the type. */
export function roleMaySend(role: StationRole, type: EventType): boolean {
  return ANY_ROLE_EVENTS.includes(type) || roleOf(type) === role;
}
