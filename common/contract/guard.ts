import { z } from 'zod';
import { CARD_FORMATS } from '../card-id.ts';
import { CardRef, Holder, HolderKind, PersonStatus, SchoolDate, Technology, Uid, UtcInstant } from '../domain.ts';
import { Pin } from '../pin-hash.ts';
import { Direction, GuardNotice, ManualOpenReason, VisitorReason } from '../guard-rules.ts';
import { request } from './define.ts';

/**
 * The guard post's part of the bridge. Never a balance, a purchase, a limit or a meal here.
 * Reasons are codes (GuardReason, ManualOpenReason, VisitorReason, …) that the renderer translates.
 */

export const PassKind = z.enum(['tap', 'manual', 'visitor', 'flood', 'spare_bind', 'spare_return', 'emergency']);
export type PassKind = z.infer<typeof PassKind>;

/** What the relay did for this pass: opened, could not (no relay / failed), or nothing to do. */
export const GateOutcome = z.enum(['opened', 'not_opened', 'held_open', 'none']);
export type GateOutcome = z.infer<typeof GateOutcome>;

/** One line of the guard's feed, and the big card on a tap. */
export const GuardPassView = z.object({
  id: z.string(),
  at: UtcInstant,
  kind: PassKind,
  readerId: z.string().nullable(),
  direction: Direction.nullable(),
  verdict: z.enum(['allow', 'deny', 'info']),
  /** GuardReason for taps; the manual/visitor reason code otherwise. */
  reason: z.string(),
  alarm: z.boolean(),
  notices: z.array(GuardNotice),
  holder: Holder.nullable(),
  card: CardRef.nullable(),
  /** The card's printed forms (unknown cards, spare cards), so the guard can read the number to IT. */
  printed: z.partialRecord(z.enum(CARD_FORMATS), z.string()).nullable(),
  gate: GateOutcome,
  /** Free text: a manual open's note, a visitor's note (never the visitor's name). */
  note: z.string().nullable(),
  /** A visitor's name, apart from the note so a note never breaks into the name heading. */
  visitorName: z.string().nullable().default(null),
});
export type GuardPassView = z.infer<typeof GuardPassView>;

export const GuardCounters = z.object({
  schoolDate: SchoolDate,
  insideNow: z.number().int().nonnegative(),
  enteredToday: z.number().int().nonnegative(),
  exitedToday: z.number().int().nonnegative(),
  alarmsToday: z.number().int().nonnegative(),
});
export type GuardCounters = z.infer<typeof GuardCounters>;

export const EmergencyState = z.object({
  active: z.boolean(),
  startedAt: UtcInstant.nullable(),
  /** Whether the relay is holding both directions open. */
  gateHeld: z.boolean(),
  /** Whether this post has a relay at all; without one nothing is said about the gate. */
  relay: z.boolean(),
});
export type EmergencyState = z.infer<typeof EmergencyState>;

export const PersonFound = z.object({
  kind: HolderKind,
  id: z.string(),
  fullName: z.string(),
  group: z.string(),
  photoHash: z.string().nullable(),
  status: PersonStatus,
  /** From today's passes: inside (last pass in), outside (last pass out) or unknown (no pass today). */
  whereabouts: z.enum(['inside', 'outside', 'unknown']),
  /** A spare card bound to this person today, if any. */
  spareCard: z.object({ technology: Technology, uid: Uid, label: z.string(), until: UtcInstant }).nullable(),
});
export type PersonFound = z.infer<typeof PersonFound>;

export const InsidePersonView = z.object({
  kind: HolderKind,
  id: z.string(),
  fullName: z.string(),
  group: z.string(),
  since: UtcInstant,
});
export const InsideList = z.object({
  generatedAt: UtcInstant,
  schoolDate: SchoolDate,
  classes: z.array(z.object({ className: z.string(), people: z.array(InsidePersonView) })),
  staff: z.array(InsidePersonView),
  /** Visitors let in today; `post`: the other post of the school they came in at (null: this one). */
  visitors: z.array(z.object({ name: z.string(), reason: z.string(), at: UtcInstant, post: z.string().nullable().default(null) })),
  total: z.number().int().nonnegative(),
  /**
   * The school's other guard posts, whose passes are in this list, each with when the backend last heard
   * from it (null: never): the guard knows how far to trust the list.
   */
  posts: z.array(z.object({ id: z.string(), name: z.string(), heardAt: UtcInstant.nullable() })).default([]),
});
export type InsideList = z.infer<typeof InsideList>;

export const SpareCardView = z.object({
  technology: Technology,
  uid: Uid,
  label: z.string(),
  printed: z.string(),
  boundTo: z.object({ kind: HolderKind, id: z.string(), fullName: z.string(), group: z.string() }).nullable(),
  boundUntil: UtcInstant.nullable(),
});
export type SpareCardView = z.infer<typeof SpareCardView>;

/** The guard or supervisor on duty at the post; the guard's manual actions carry their id. */
export const GuardOnDuty = z.object({
  dutyId: z.string(),
  staffId: z.string(),
  fullName: z.string(),
  position: z.string(),
  since: UtcInstant,
  /** The end of the school day: the duty ends by itself then. */
  until: UtcInstant,
});
export type GuardOnDuty = z.infer<typeof GuardOnDuty>;

const Empty = z.object({}).strict();
/**
 * The operator of a manual action is the guard on duty; the station decides, the renderer never names one.
 * With nobody on duty the action carries the person chosen and their PIN (refused `pin_required` without
 * one), which signs that person in; the wrong PINs are counted for that person.
 */
const Operator = { pin: Pin.optional(), staffId: z.string().min(1).max(64).optional() };

export const guardRequests = {
  'guard.feed': request(
    z
      .object({
        alarmsOnly: z.boolean().default(false),
        limit: z.number().int().min(1).max(200).default(50),
        /** Page back from this pass id (exclusive). */
        before: z.string().max(64).nullable().default(null),
      })
      .strict(),
    z.object({ items: z.array(GuardPassView) }),
  ),
  'guard.counters': request(Empty, GuardCounters),
  'guard.search': request(
    z.object({ query: z.string().trim().min(1).max(100), limit: z.number().int().min(1).max(100).default(30) }).strict(),
    z.object({ people: z.array(PersonFound) }),
  ),
  'guard.manualOpen': request(
    z
      .object({
        direction: Direction,
        reason: ManualOpenReason,
        note: z.string().trim().max(500).default(''),
        holderKind: HolderKind.nullable().default(null),
        holderId: z.string().min(1).max(64).nullable().default(null),
        ...Operator,
      })
      .strict(),
    z.object({ pass: GuardPassView }),
  ),
  'guard.visitorPass': request(
    z
      .object({
        visitorName: z.string().trim().min(1).max(200),
        reason: VisitorReason,
        note: z.string().trim().max(500).default(''),
        ...Operator,
      })
      .strict(),
    z.object({ pass: GuardPassView }),
  ),
  'guard.spareCards': request(Empty, z.object({ cards: z.array(SpareCardView) })),
  'guard.bindSpareCard': request(
    z.object({ card: CardRef, holderKind: HolderKind, holderId: z.string().min(1).max(64), ...Operator }).strict(),
    z.object({ pass: GuardPassView, validUntil: UtcInstant }),
  ),
  'guard.returnSpareCard': request(z.object({ card: CardRef, ...Operator }).strict(), z.object({ pass: GuardPassView })),
  'guard.emergency': request(
    z.discriminatedUnion('action', [
      z.object({ action: z.literal('status') }).strict(),
      /**
       * Starting is a guarded action: the renderer asks twice and sends confirm: true. Never a PIN: with
       * nobody on duty it starts without an operator (and the event says so).
       */
      z.object({ action: z.literal('start'), confirm: z.literal(true) }).strict(),
      z.object({ action: z.literal('end'), ...Operator }).strict(),
    ]),
    EmergencyState,
  ),
  /**
   * Who is on duty; sign in with a guard's or supervisor's PIN (refused `pin_wrong`), for the person
   * chosen on screen (`staffId`; without it, whoever's PIN it is); sign out.
   */
  'guard.duty': request(
    z.discriminatedUnion('action', [
      z.object({ action: z.literal('status') }).strict(),
      z.object({ action: z.literal('signIn'), pin: Pin, staffId: z.string().min(1).max(64).optional() }).strict(),
      z.object({ action: z.literal('signOut') }).strict(),
    ]),
    z.object({ onDuty: GuardOnDuty.nullable() }),
  ),
  /** Who may go on duty here (guards and supervisors with a PIN): the sign-in dialog names its person first. */
  'guard.dutyStaff': request(Empty, z.object({ people: z.array(z.object({ staffId: z.string(), fullName: z.string(), position: z.string() })) })),
  'guard.insideList': request(Empty, InsideList),
  'guard.export': request(
    z.object({ format: z.enum(['csv', 'html']).default('csv') }).strict(),
    z.object({ path: z.string(), fileName: z.string(), mime: z.string(), content: z.string() }),
  ),
} as const;

export const guardEvents = {
  /** A tap (or manual open, visitor, flood alarm) the guard must see now, with the counters after it. */
  'guard.pass': z.object({
    pass: GuardPassView,
    counters: GuardCounters,
    /**
     * The holder's portrait as a `data:image/…` URL, so the page paints it without a second trip to the
     * station; null when there is none (the page falls back to the photo URL by hash).
     */
    portrait: z.string().startsWith('data:image/').nullable(),
  }),
  /** The relay's answer arrived after the pass was shown (it failed: the gate did not open). */
  'guard.gate': z.object({ passId: z.string(), gate: GateOutcome }),
  'guard.emergency': EmergencyState,
  /** The duty changed: signed in or out (here or by a PIN typed for an action), or the school day ended. */
  'guard.duty': z.object({ onDuty: GuardOnDuty.nullable() }),
  /** Passes at the school's other posts came in: the counters (and the roll call) changed. */
  'guard.counters': GuardCounters,
  /**
   * People the roster removed (they left the school): their passes are gone from the station, and a
   * screen drops every row and card that names them, then reads the feed and counters again.
   */
  'guard.forgotten': z.object({ holderIds: z.array(z.string().min(1)).min(1) }),
} as const;
