import { z } from 'zod';
import { CardRef, Direction, HolderKind, UtcInstant } from './domain.ts';
import { Kopecks } from './money.ts';

/**
 * Station events: append-only facts kept in the outbox and pushed to the backend (docs/architecture.md).
 * Each has a UUIDv7 id (its idempotency key), the station's sequence number, the UTC time it happened
 * by the station's clock, and the clock offset the station knew (server time − station time).
 * Feature issues add their event types here, one schema each; the server validates with the same map.
 */
/**
 * Bounds a real event stays far inside; anything beyond them is refused by the backend as not a fact.
 * A canteen line costs less than 10 000 ₽, a sale has at most 100 lines of at most 100 each.
 */
export const MAX_PRICE = 1_000_000;
export const MAX_QUANTITY = 100;
export const MAX_SALE_LINES = 100;
export const MAX_SALE_TOTAL = 10_000_000;
export const MAX_GROUP_STUDENTS = 200;
/** A station's clock may be wrong by a lot (a dead CMOS battery), but not by more than a year. */
export const MAX_CLOCK_OFFSET_MS = 366 * 86_400_000;
/**
 * Balances stay within ±1 000 000 000 ₽: far inside what every station's schema takes (a safe integer),
 * so one absurd row can never stop a station's roster sync.
 */
export const BALANCE_LIMIT = 100_000_000_000;

const Price = Kopecks.nonnegative().max(MAX_PRICE);
const Amount = Kopecks.nonnegative().max(MAX_SALE_TOTAL);

export const eventPayloads = {
  pass: z.object({
    direction: Direction,
    verdict: z.enum(['allow', 'deny']),
    reason: z.string(),
    readerId: z.string(),
    gate: z.string().nullable(),
    card: CardRef,
    holderKind: HolderKind.nullable(),
    holderId: z.string().nullable(),
  }),
  manual_open: z.object({
    direction: Direction,
    reason: z.string().min(1),
    note: z.string(),
    operatorId: z.string().nullable(),
    holderId: z.string().nullable(),
    /** The relay channel that was opened; null when no relay answered (the guard was told). */
    gate: z.string().nullable().optional(),
  }),
  sale: z.object({
    saleId: z.string(),
    holderId: z.string(),
    card: CardRef.nullable(),
    lines: z
      .array(
        z.object({
          itemId: z.string(),
          name: z.string(),
          category: z.string(),
          price: Price,
          quantity: z.number().int().positive().max(MAX_QUANTITY),
        }),
      )
      .min(1)
      .max(MAX_SALE_LINES),
    total: Amount,
    subsidyPart: Amount,
    accountPart: Amount,
    verifiedByPhoto: z.boolean(),
    offline: z.boolean(),
    shiftId: z.string().nullable(),
    operatorId: z.string().nullable(),
  }),
  void: z.object({
    saleEventId: z.string(),
    holderId: z.string(),
    amount: Amount,
    supervisorId: z.string(),
    reason: z.string(),
    shiftId: z.string().nullable(),
  }),
  /** The cashier said "not this child" at the photo check: nothing was charged. */
  sale_rejected: z.object({
    saleId: z.string(),
    holderId: z.string(),
    card: CardRef.nullable(),
    reason: z.enum(['not_this_child']),
    shiftId: z.string().nullable(),
    operatorId: z.string().nullable(),
  }),
  /** A class fed together without card taps; `accounts` debits each student's account by `amount`. */
  group_meal: z.object({
    groupMealId: z.string(),
    className: z.string().min(1),
    itemId: z.string(),
    itemName: z.string(),
    price: Price,
    payer: z.enum(['subsidy', 'accounts', 'school']),
    students: z
      .array(z.object({ holderId: z.string().min(1), amount: Price }))
      .min(1)
      .max(MAX_GROUP_STUDENTS),
    total: Amount,
    shiftId: z.string().nullable(),
    operatorId: z.string().nullable(),
    /** A second group meal for the same class, meal and day at this till: the first one, and the supervisor who allowed it. */
    repeatOf: z.string().nullable().optional(),
    approvedBy: z.string().nullable().optional(),
  }),
  /** Guard post: a visitor let in by hand, once. */
  visitor_pass: z.object({
    visitorName: z.string().min(1).max(200),
    reason: z.string().min(1),
    note: z.string(),
    direction: Direction,
    gate: z.string().nullable(),
    operatorId: z.string().nullable(),
  }),
  /** A spare card from the school's reserve stock bound to a holder until validUntil (end of the school day). */
  temp_card_bind: z.object({
    card: CardRef,
    holderKind: HolderKind,
    holderId: z.string().min(1),
    validUntil: UtcInstant,
    operatorId: z.string().nullable(),
  }),
  /** The spare card went back to the stock (returned by hand or the day ended); it identifies no one now. */
  temp_card_return: z.object({
    card: CardRef,
    holderId: z.string().min(1),
    cause: z.enum(['returned', 'day_ended']),
    /** Who took it back (null when its day ended by itself); absent in events from before the guard's duty. */
    operatorId: z.string().nullable().optional(),
  }),
  /** Emergency mode: both directions held open for evacuation; insideCount from today's passes. */
  emergency_start: z.object({
    operatorId: z.string().nullable(),
    insideCount: z.number().int().nonnegative(),
    /** True when nobody was on duty: a fire does not wait for a PIN, so it started without an operator. */
    nobodyOnDuty: z.boolean().optional(),
  }),
  emergency_end: z.object({ operatorId: z.string().nullable(), startedAt: UtcInstant }),
  /**
   * The guard post's duty: a guard or supervisor signed in with their PIN (`sign_in`), or typed it for a
   * manual action while nobody was on duty (`action`). Manual actions carry this operator until the duty ends.
   */
  guard_duty_start: z.object({ dutyId: z.string().min(1), operatorId: z.string().min(1), via: z.enum(['sign_in', 'action']) }),
  /** The duty ended: signed out, another guard signed in, the school day ended, or the person may no longer be on duty. */
  guard_duty_end: z.object({
    dutyId: z.string().min(1),
    operatorId: z.string().min(1),
    startedAt: UtcInstant,
    cause: z.enum(['signed_out', 'replaced', 'day_ended', 'not_allowed']),
  }),
  /**
   * IT changed the station (setup, enrollment, an update action, starting over after a damaged database,
   * the setup PIN) under an IT session opened with a PIN: who (a staff member, or the station's own setup
   * PIN) and what, each setting with its value before and after. Secrets are never in it: a PIN or an
   * enrollment code is said as changed, not given.
   */
  it_change: z.object({
    /** The staff member whose PIN opened the session; null when it was the station's setup PIN. */
    operatorId: z.string().min(1).max(64).nullable(),
    via: z.enum(['staff_pin', 'setup_pin']),
    action: z.enum(['settings', 'enroll', 'update_check', 'update_install', 'fault_recovery', 'setup_pin']),
    changes: z.array(z.object({ setting: z.string().min(1).max(100), from: z.string().max(2000).nullable(), to: z.string().max(2000).nullable() })).max(100),
    /** How it ended, in a word (e.g. an enrollment refused as `bad_code`); null when it simply happened. */
    result: z.string().max(200).nullable(),
  }),
  /**
   * IT decided that events made for the station's previous backend (kept back when the station was
   * enrolled with this one) go to this backend after all; they follow this event's predecessors in the
   * outbox. Who decided: the IT session's holder (a staff id, or `setup_pin` for the station's setup PIN).
   */
  held_events_released: z.object({
    fromBackendId: z.string().min(1).max(100),
    fromSchoolName: z.string().max(200),
    count: z.number().int().positive(),
    firstSeq: z.number().int().positive(),
    lastSeq: z.number().int().positive(),
    decidedBy: z.string().min(1).max(100),
  }),
  shift_open: z.object({ shiftId: z.string(), operatorId: z.string() }),
  shift_close: z.object({
    shiftId: z.string(),
    operatorId: z.string(),
    totals: z.record(z.string(), z.number()),
  }),
} as const;

export type EventType = keyof typeof eventPayloads;
export const EVENT_TYPES = Object.keys(eventPayloads) as EventType[];

/** A station is enrolled for one role; its token may send only that role's events. */
export const StationRole = z.enum(['guard', 'cashier']);
export type StationRole = z.infer<typeof StationRole>;
export const ROLE_EVENTS: Record<StationRole, readonly EventType[]> = {
  guard: [
    'pass',
    'manual_open',
    'visitor_pass',
    'temp_card_bind',
    'temp_card_return',
    'emergency_start',
    'emergency_end',
    'guard_duty_start',
    'guard_duty_end',
  ],
  cashier: ['shift_open', 'shift_close', 'sale', 'sale_rejected', 'void', 'group_meal'],
};
/** Events a station of either role may send (decisions about the station itself, not its post). */
export const ANY_ROLE_EVENTS: readonly EventType[] = ['it_change', 'held_events_released'];
export type StationEventPayload<T extends EventType> = z.infer<(typeof eventPayloads)[T]>;

export const StationEvent = z.object({
  id: z.uuid({ version: 'v7' }),
  seq: z.number().int().positive(),
  type: z.string(),
  occurredAt: UtcInstant,
  clockOffsetMs: z.number().int().min(-MAX_CLOCK_OFFSET_MS).max(MAX_CLOCK_OFFSET_MS),
  payload: z.unknown(),
});
export type StationEvent = z.infer<typeof StationEvent>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventPayloads, type);
}

/** Validates an event's payload against its type's schema; returns the error text or null. */
export function eventPayloadError(type: string, payload: unknown): string | null {
  if (!isEventType(type)) return `unknown event type "${type}"`;
  const r = eventPayloads[type].safeParse(payload);
  return r.success ? null : z.prettifyError(r.error);
}

export const EventResultStatus = z.enum(['accepted', 'duplicate', 'anomaly', 'invalid']);
export type EventResultStatus = z.infer<typeof EventResultStatus>;
export const EventResult = z.object({
  id: z.string(),
  status: EventResultStatus,
  message: z.string().optional(),
});
export type EventResult = z.infer<typeof EventResult>;
export { UtcInstant };
