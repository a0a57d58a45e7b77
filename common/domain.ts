import { z } from 'zod';
import { CARD_TECHNOLOGIES } from './card-id.ts';
import { UID_PARTS } from './card-match.ts';
import { Kopecks } from './money.ts';

export const Uid = z.string().regex(/^(?:[0-9A-F]{2}){1,10}$/, 'upper-case hex uid of 1 to 10 bytes');
export const Technology = z.enum(CARD_TECHNOLOGIES);
/** How much of a card's uid a stored number or a read holds (common/card-match.ts); absent: the full uid. */
export const UidPartSchema = z.enum(UID_PARTS);
/** ISO-8601 UTC instant, e.g. 2026-09-01T07:45:00.000Z. */
export const UtcInstant = z.iso.datetime();
/** School day in the school's own calendar, YYYY-MM-DD. */
export const SchoolDate = z.iso.date();

/** A card as a tap, an event or a request names it: the technology and the canonical uid. */
export const CardRef = z.object({ technology: Technology, uid: Uid });
export type CardRef = z.infer<typeof CardRef>;

/** Which way a person goes through the gate; the reader's role and the relay channel follow from it. */
export const Direction = z.enum(['in', 'out']);
export type Direction = z.infer<typeof Direction>;

export const HolderKind = z.enum(['student', 'staff']);
export type HolderKind = z.infer<typeof HolderKind>;
export const PersonStatus = z.enum(['active', 'left', 'suspended']);
export const CardStatus = z.enum(['active', 'blocked', 'lost', 'temporary']);
export type CardStatus = z.infer<typeof CardStatus>;

export const Student = z.object({
  id: z.string().min(1),
  fullName: z.string().min(1),
  className: z.string().min(1),
  photoHash: z.string().nullable(),
  status: PersonStatus,
});
export type Student = z.infer<typeof Student>;

export const Staff = z.object({
  id: z.string().min(1),
  fullName: z.string().min(1),
  position: z.string(),
  photoHash: z.string().nullable(),
  status: PersonStatus,
  /**
   * Roles the staff member can take at a station (cashier, supervisor, teacher, guard); `it` (and a
   * supervisor) may open a station's setup with their PIN.
   */
  roles: z.array(z.enum(['cashier', 'supervisor', 'teacher', 'guard', 'admin', 'it'])),
});
export type Staff = z.infer<typeof Staff>;

export const Card = z.object({
  technology: Technology,
  uid: Uid,
  /** What part of the card's number `uid` is (a 10-digit print gives the last 4 bytes); absent: the full uid. */
  part: UidPartSchema.optional(),
  holderKind: HolderKind,
  holderId: z.string().min(1),
  status: CardStatus,
  validUntil: UtcInstant.nullable(),
});
export type Card = z.infer<typeof Card>;

export const SubsidyCategory = z.enum(['none', 'free', 'discounted']);
export const Account = z.object({
  holderId: z.string().min(1),
  balance: Kopecks,
  /** When the server computed `balance`. */
  balanceAt: UtcInstant,
  dailyLimit: Kopecks.nullable(),
  forbiddenCategories: z.array(z.string()),
  allergens: z.array(z.string()),
  subsidy: SubsidyCategory,
  parentNote: z.string().nullable(),
});
export type Account = z.infer<typeof Account>;

export const MenuItem = z.object({
  id: z.string().min(1),
  date: SchoolDate,
  name: z.string().min(1),
  category: z.string().min(1),
  kind: z.enum(['complex', 'buffet']),
  price: Kopecks.nonnegative(),
  allergens: z.array(z.string()),
});
export type MenuItem = z.infer<typeof MenuItem>;

/** The card holder as the station shows it on a tap: never a balance. */
export const Holder = z.object({
  kind: HolderKind,
  id: z.string(),
  fullName: z.string(),
  /** Class for a student, position for staff. */
  group: z.string(),
  photoHash: z.string().nullable(),
});
export type Holder = z.infer<typeof Holder>;

/**
 * A card whose validity ends now or earlier is expired: one rule for the turnstile and the till, so a
 * temporary card that expires at 23:59:59 is refused at both in the same second.
 */
export function cardExpired(validUntil: string | null | undefined, now: number): boolean {
  return validUntil !== null && validUntil !== undefined && Date.parse(validUntil) <= now;
}
