import { z } from 'zod';
import { CartLine } from '../cart.ts';
import { OffendingLine, SaleRefusal, TapRefusal } from '../cashier-rules.ts';
import { CardRef, CardStatus, Holder, MenuItem, SchoolDate, UtcInstant } from '../domain.ts';
import { Kopecks } from '../money.ts';
import { Pin } from '../pin-hash.ts';
import { ShiftMoney } from '../shift-totals.ts';
import { request } from './define.ts';

/**
 * The cashier's bridge area. The cart lives in the station process so that a card tap,
 * which arrives there from the reader, sees exactly the cart the cashier sees. Nothing here carries a
 * balance except a refusal's details, which only the cashier's own request reply contains: events are
 * broadcast to every window, including the customer display, so they never hold a balance or a reason.
 */

/** Reasons a cashier request is refused (BridgeError.reason); the renderer translates each. */
export const CashierErrorReason = z.enum([
  'no_shift',
  'shift_already_open',
  'pin_wrong',
  'pin_locked',
  'pin_wait',
  'role_missing',
  'cart_locked',
  'unknown_item',
  'cart_empty',
  'check_gone',
  'sale_not_found',
  'sale_not_in_shift',
  'sale_already_voided',
  'class_empty',
  'student_not_in_class',
  'not_complex_item',
  /** The class already had this meal today at this till: a second one needs a supervisor's PIN. */
  'group_meal_repeat',
]);
export type CashierErrorReason = z.infer<typeof CashierErrorReason>;

export const CashierCart = z.object({
  lines: z.array(CartLine),
  total: Kopecks,
  /** While a photo check is open the cart cannot change: the child pays for what they were shown. */
  locked: z.boolean(),
});
export type CashierCart = z.infer<typeof CashierCart>;

export const MenuView = z.object({
  date: SchoolDate,
  items: z.array(MenuItem),
  /** Menu rows that could not be read (corrupt), skipped and reported. */
  skipped: z.array(z.object({ id: z.string(), problem: z.string() })),
});
export type MenuView = z.infer<typeof MenuView>;

export const ShiftInfo = z.object({
  shiftId: z.string(),
  operatorId: z.string(),
  operatorName: z.string(),
  openedAt: UtcInstant,
});
export type ShiftInfo = z.infer<typeof ShiftInfo>;

export const StaffEntry = z.object({
  id: z.string(),
  fullName: z.string(),
  position: z.string(),
  roles: z.array(z.string()),
});

/** What the cashier sees after a tap: who it is, what to watch for. Never a balance. */
export const PhotoCheck = z.object({
  checkId: z.string(),
  readerId: z.string(),
  tapAt: UtcInstant,
  holder: Holder,
  cardStatus: CardStatus,
  allergens: z.array(z.string()),
  parentNote: z.string().nullable(),
  /** The child has allergies on record: the check plays its distinct sound. */
  allergyFlag: z.boolean(),
  lines: z.array(CartLine),
  total: Kopecks,
  /** A pupil with no entry at the school's guard posts today (a quiet note, by a school setting). */
  noEntryToday: z.boolean().optional(),
  /**
   * The holder's portrait as a `data:image/…` URL, sent with the check's event so the cashier sees the
   * photo without a second trip to the station (absent in request answers: the page loads it by hash).
   */
  portrait: z.string().startsWith('data:image/').nullable().optional(),
});
export type PhotoCheck = z.infer<typeof PhotoCheck>;

export const TapHint = z.enum(['cart_empty', 'busy', 'no_shift']);
export type TapHint = z.infer<typeof TapHint>;

/** A tap that did not open a photo check. */
export const TapOutcome = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('refused'), reason: TapRefusal, holder: Holder.nullable(), card: CardRef, readerId: z.string() }),
  z.object({ kind: z.literal('ignored'), hint: TapHint, readerId: z.string() }),
]);
export type TapOutcome = z.infer<typeof TapOutcome>;

export const Receipt = z.object({
  saleId: z.string(),
  eventId: z.string(),
  holder: Holder,
  lines: z.array(CartLine),
  total: Kopecks,
  subsidyPart: Kopecks,
  accountPart: Kopecks,
  subsidyKind: z.enum(['free', 'discounted']).nullable(),
  offline: z.boolean(),
  verifiedByPhoto: z.boolean(),
  at: UtcInstant,
  voided: z.boolean(),
});
export type Receipt = z.infer<typeof Receipt>;

export const ConfirmResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), receipt: Receipt }),
  z.object({
    ok: z.literal(false),
    reason: SaleRefusal,
    lines: z.array(OffendingLine),
    /** Figures that explain the refusal, for the cashier's screen only; empty unless settings.showBalance is `on_request`. */
    details: z.object({
      dailyLimit: Kopecks.optional(),
      spentToday: Kopecks.optional(),
      available: Kopecks.optional(),
      offlineCap: Kopecks.optional(),
      offlineSpentToday: Kopecks.optional(),
    }),
    total: Kopecks,
    subsidyPart: Kopecks,
    accountPart: Kopecks,
  }),
]);
export type ConfirmResult = z.infer<typeof ConfirmResult>;

/** The customer display: the cart, the total and paid / see the cashier. Nothing else, ever. */
export const CustomerDisplay = z.object({
  state: z.enum(['closed', 'idle', 'cart', 'checking', 'paid', 'see_cashier']),
  lines: z.array(z.object({ name: z.string(), quantity: z.number().int(), amount: Kopecks })),
  total: Kopecks,
});
export type CustomerDisplay = z.infer<typeof CustomerDisplay>;

export const GroupMealPayer = z.enum(['subsidy', 'accounts', 'school']);
export const GroupMealResult = z.object({
  groupMealId: z.string(),
  eventId: z.string(),
  className: z.string(),
  students: z.number().int(),
  total: Kopecks,
  payer: GroupMealPayer,
});

/** A group meal already recorded today, as the till shows it before a second one. */
export const GroupMealDone = z.object({
  groupMealId: z.string(),
  className: z.string(),
  itemId: z.string(),
  itemName: z.string(),
  at: UtcInstant,
  /** Who recorded it (the cashier, or the teacher with their PIN); null when the till no longer knows. */
  operatorName: z.string().nullable(),
  students: z.number().int(),
  total: Kopecks,
});
export type GroupMealDone = z.infer<typeof GroupMealDone>;

export const ShiftReport = z.object({
  shiftId: z.string(),
  operatorId: z.string(),
  operatorName: z.string(),
  openedAt: UtcInstant,
  closedAt: UtcInstant,
  sales: z.object({ count: z.number().int(), total: Kopecks, subsidy: Kopecks, account: Kopecks }),
  voids: z.object({ count: z.number().int(), total: Kopecks, account: Kopecks }),
  groupMeals: z.object({ count: z.number().int(), students: z.number().int(), subsidy: Kopecks, account: Kopecks, school: Kopecks }),
  /** Net of voids: what was actually sold, by menu category. */
  byCategory: z.array(z.object({ category: z.string(), quantity: z.number().int(), total: Kopecks })),
  /** Gross, voids, net, by payment and by category, adding up (common/shift-totals.ts). */
  money: ShiftMoney,
  refusals: z.record(z.string(), z.number().int()),
  pendingAtClose: z.number().int(),
  anomaliesAtClose: z.number().int(),
  override: z.object({ supervisorId: z.string(), supervisorName: z.string(), reason: z.string() }).nullable(),
  /** The report written to the exports folder: JSON (for IT and the backend's tools) and CSV (for a spreadsheet). */
  exportPath: z.string().nullable(),
  csvPath: z.string().nullable(),
});
export type ShiftReport = z.infer<typeof ShiftReport>;

export const CloseShiftResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), report: ShiftReport }),
  z.object({ ok: z.literal(false), reason: z.literal('shift_unsynced'), pending: z.number().int(), anomalies: z.number().int() }),
]);
export type CloseShiftResult = z.infer<typeof CloseShiftResult>;

export const CashierState = z.object({
  shift: ShiftInfo.nullable(),
  cart: CashierCart,
  check: PhotoCheck.nullable(),
});
export type CashierState = z.infer<typeof CashierState>;

const Empty = z.object({}).strict();
const Id = z.string().min(1).max(100);

export const cashierRequests = {
  'cashier.state': request(Empty, CashierState),
  'cashier.staff': request(Empty, z.array(StaffEntry)),
  'cashier.menu': request(Empty, MenuView),
  'cashier.openShift': request(z.object({ staffId: Id, pin: Pin }).strict(), ShiftInfo),
  'cashier.cart.add': request(z.object({ itemId: Id }).strict(), CashierCart),
  'cashier.cart.setQuantity': request(z.object({ itemId: Id, quantity: z.number().int().min(0).max(99) }).strict(), CashierCart),
  'cashier.cart.remove': request(z.object({ itemId: Id }).strict(), CashierCart),
  'cashier.cart.clear': request(Empty, CashierCart),
  /** "This is the child": the rules run and the sale is stored. saleId is generated by the renderer, so a double click is one sale. */
  'cashier.confirm': request(z.object({ checkId: Id, saleId: Id }).strict(), ConfirmResult),
  /** "Not this child": logged as its own event, nothing charged. */
  'cashier.reject': request(z.object({ checkId: Id, saleId: Id }).strict(), z.object({ ok: z.literal(true) })),
  'cashier.sales': request(z.object({ limit: z.number().int().min(1).max(500) }).strict(), z.array(Receipt)),
  'cashier.void': request(z.object({ saleId: Id, supervisorPin: Pin, reason: z.string().trim().min(1).max(200) }).strict(), Receipt),
  'cashier.classes': request(Empty, z.array(z.string())),
  /** A child's figures today over the whole school (every till), as the sale rules count them. */
  'cashier.schoolFigures': request(
    z.object({ holderId: Id }).strict(),
    z.object({ spentToday: Kopecks, offlineSpentToday: Kopecks, subsidyUsedToday: z.boolean() }),
  ),
  /**
   * A class's students; `presence` by the school's guard posts today (absent when the school has no post
   * this till hears from): the group meal ticks the ones inside and says why the others are not.
   */
  'cashier.classStudents': request(
    z.object({ className: Id }).strict(),
    z.array(Holder.extend({ presence: z.object({ state: z.enum(['inside', 'left', 'absent']), at: UtcInstant.nullable() }).optional() })),
  ),
  'cashier.groupMeal': request(
    z
      .object({
        groupMealId: Id,
        className: Id,
        itemId: Id,
        studentIds: z.array(Id).min(1).max(60),
        payer: GroupMealPayer,
        /** A class teacher records a group meal with their own PIN, with or without an open shift. */
        teacherPin: Pin.optional(),
        /** A second group meal for the same class, meal and day is recorded only with a supervisor's PIN. */
        supervisorPin: Pin.optional(),
      })
      .strict(),
    GroupMealResult,
  ),
  /** Today's group meals of a class at this till, oldest first. */
  'cashier.groupMealsToday': request(z.object({ className: Id }).strict(), z.array(GroupMealDone)),
  'cashier.closeShift': request(
    z
      .object({
        override: z
          .object({ supervisorPin: Pin, reason: z.string().trim().min(3).max(200) })
          .strict()
          .optional(),
      })
      .strict(),
    CloseShiftResult,
  ),
  'cashier.display': request(Empty, CustomerDisplay),
} as const;

export const cashierEvents = {
  'cashier.cart': CashierCart,
  'cashier.check': PhotoCheck.nullable(),
  'cashier.tap': TapOutcome,
  'cashier.display': CustomerDisplay,
  'cashier.shift': ShiftInfo.nullable(),
} as const;
