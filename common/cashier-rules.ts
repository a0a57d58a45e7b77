/**
 * The cashier's sale rules (docs/architecture.md), pure: the station gathers the figures from its
 * store and this module decides. The rules run in this order and the first that refuses wins:
 *   1. forbidden items: a line whose category the parents forbade or that contains one of the child's
 *      allergens (every offending line is named);
 *   2. subsidy (never refuses): a child in a subsidy category gets ONE unit of a complex meal paid by
 *      the subsidy once per school day: `free` → the whole price, `discounted` → `discountPercent` of
 *      the price rounded down to whole kopecks (the child's account pays the rest). When the cart holds
 *      several complex meals the dearest unit is subsidised. Already used today → nothing subsidised;
 *   3. parents' daily limit on what the ACCOUNT pays today (subsidy excluded): spent today + this sale
 *      ≤ limit (exactly at the limit is allowed);
 *   4. balance: the station's view = last synced balance − debits the server has not reflected yet
 *      + voids the server has not reflected yet; the account part must not exceed it (equal is allowed);
 *   5. offline only: what this child's account paid at this station today while offline + this sale
 *      ≤ the school's offline cap per child per day.
 * Every amount is integer kopecks. Refusals are codes; the renderer translates them.
 */
import { z } from 'zod';
import { cardExpired, type Account, type Card, type Holder } from './domain.ts';
import { cartTotal, lineTotal, type CartLine } from './cart.ts';
import type { Kopecks } from './money.ts';

/** Why a sale was refused after the cashier confirmed the photo. */
export const SaleRefusal = z.enum(['forbidden_items', 'daily_limit', 'insufficient_balance', 'offline_cap']);
export type SaleRefusal = z.infer<typeof SaleRefusal>;

/** Why a tap did not lead to a photo check at all. */
export const TapRefusal = z.enum([
  'card_unknown',
  'card_ambiguous',
  'card_blocked',
  'card_lost',
  'card_expired',
  'holder_unknown',
  'holder_inactive',
  'staff_no_account',
  'no_account',
]);
export type TapRefusal = z.infer<typeof TapRefusal>;

/**
 * Why a tap at the till opens no photo check, or null when it opens one. The first that applies wins:
 * a read several cards could be; no such card; the card blocked, lost or past its date; no such person, or one not active; no account to pay from.
 */
export function decideTillTap(facts: {
  card: Pick<Card, 'status' | 'validUntil'> | null;
  /** Several roster cards could be this read (a reader seeing only part of the number): refused, never guessed. */
  ambiguous?: boolean;
  holder: Pick<Holder, 'kind'> | null;
  /** The holder's own status: a pupil who left (or is suspended) buys nothing, whatever the card says. */
  personStatus?: 'active' | 'left' | 'suspended' | null;
  hasAccount: boolean;
  now: number;
}): TapRefusal | null {
  const { card, holder } = facts;
  if (facts.ambiguous) return 'card_ambiguous';
  if (!card) return 'card_unknown';
  if (card.status === 'blocked') return 'card_blocked';
  if (card.status === 'lost') return 'card_lost';
  if (cardExpired(card.validUntil, facts.now)) return 'card_expired';
  if (!holder) return 'holder_unknown';
  if (facts.personStatus && facts.personStatus !== 'active') return 'holder_inactive';
  if (!facts.hasAccount) return holder.kind === 'staff' ? 'staff_no_account' : 'no_account';
  return null;
}

export const OffendingLine = z.object({
  itemId: z.string(),
  name: z.string(),
  /** The line's category is one the parents forbade. */
  forbiddenCategory: z.boolean(),
  /** The child's allergens this line contains. */
  allergens: z.array(z.string()),
});
export type OffendingLine = z.infer<typeof OffendingLine>;

export interface SalePolicy {
  /** The school's offline cap per child per school day (kopecks). */
  offlineCapPerDay: Kopecks;
  /** Share of a complex meal the subsidy pays for the `discounted` category, 0–100. */
  subsidyDiscountPercent: number;
}

export const DEFAULT_SALE_POLICY: SalePolicy = { offlineCapPerDay: 300_00, subsidyDiscountPercent: 50 };

export interface SaleContext {
  account: Pick<Account, 'balance' | 'dailyLimit' | 'forbiddenCategories' | 'allergens' | 'subsidy'>;
  /** The account part of this child's purchases today at this station, synced or not, net of voids. */
  spentToday: Kopecks;
  /** The subsidy was already given today (a sale or a group meal paid by the subsidy). */
  subsidyUsedToday: boolean;
  /** Account debits the server's balance does not reflect yet. */
  unsyncedDebits: Kopecks;
  /** Voids (credits) the server's balance does not reflect yet. */
  unsyncedCredits: Kopecks;
  offline: boolean;
  /** The account part of this child's offline sales today, net of voids. */
  offlineSpentToday: Kopecks;
  policy: SalePolicy;
}

export interface SubsidyApplied {
  kind: 'free' | 'discounted';
  itemId: string;
  amount: Kopecks;
}

export interface SaleSplit {
  total: Kopecks;
  subsidyPart: Kopecks;
  accountPart: Kopecks;
  subsidy: SubsidyApplied | null;
}

export type SaleDetails = {
  dailyLimit?: Kopecks;
  spentToday?: Kopecks;
  /** The station's view of the balance; shown to the cashier only, never on the customer display. */
  available?: Kopecks;
  offlineCap?: Kopecks;
  offlineSpentToday?: Kopecks;
};

export type SaleVerdict = ({ ok: true } & SaleSplit) | ({ ok: false; reason: SaleRefusal; lines: OffendingLine[]; details: SaleDetails } & SaleSplit);

const norm = (s: string) => s.trim().toLocaleLowerCase('ru');

/** Rule 1: every line whose category is forbidden or which contains one of the child's allergens. */
export function forbiddenLines(lines: readonly CartLine[], account: Pick<Account, 'forbiddenCategories' | 'allergens'>): OffendingLine[] {
  const categories = new Set(account.forbiddenCategories.map(norm));
  const allergens = new Set(account.allergens.map(norm));
  const out: OffendingLine[] = [];
  for (const l of lines) {
    const forbiddenCategory = categories.has(norm(l.category));
    const hit = l.allergens.filter((a) => allergens.has(norm(a)));
    if (forbiddenCategory || hit.length > 0) out.push({ itemId: l.itemId, name: l.name, forbiddenCategory, allergens: hit });
  }
  return out;
}

/** Rule 2: how the total splits between the subsidy and the account. */
export function splitSale(
  lines: readonly CartLine[],
  subsidy: Account['subsidy'],
  subsidyUsedToday: boolean,
  policy: Pick<SalePolicy, 'subsidyDiscountPercent'>,
): SaleSplit {
  const total = cartTotal(lines);
  let applied: SubsidyApplied | null = null;
  if (subsidy !== 'none' && !subsidyUsedToday) {
    let dearest: CartLine | null = null;
    for (const l of lines) if (l.kind === 'complex' && l.price > 0 && (!dearest || l.price > dearest.price)) dearest = l;
    if (dearest) {
      const pct = Math.min(100, Math.max(0, policy.subsidyDiscountPercent));
      const amount = subsidy === 'free' ? dearest.price : Math.floor((dearest.price * pct) / 100);
      if (amount > 0) applied = { kind: subsidy, itemId: dearest.itemId, amount };
    }
  }
  const subsidyPart = applied?.amount ?? 0;
  return { total, subsidyPart, accountPart: total - subsidyPart, subsidy: applied };
}

/** The station's view of the balance (docs/architecture.md). */
export function availableBalance(ctx: Pick<SaleContext, 'account' | 'unsyncedDebits' | 'unsyncedCredits'>): Kopecks {
  return ctx.account.balance - ctx.unsyncedDebits + ctx.unsyncedCredits;
}

/** Applies the rules in order; the first refusal wins. An empty cart is the caller's concern. */
export function evaluateSale(lines: readonly CartLine[], ctx: SaleContext): SaleVerdict {
  const split = splitSale(lines, ctx.account.subsidy, ctx.subsidyUsedToday, ctx.policy);
  const refuse = (reason: SaleRefusal, offending: OffendingLine[], details: SaleDetails): SaleVerdict => ({
    ok: false,
    reason,
    lines: offending,
    details,
    ...split,
  });

  const offending = forbiddenLines(lines, ctx.account);
  if (offending.length > 0) return refuse('forbidden_items', offending, {});

  const pay = split.accountPart;
  const limit = ctx.account.dailyLimit;
  if (limit !== null && pay > 0 && ctx.spentToday + pay > limit) {
    return refuse('daily_limit', [], { dailyLimit: limit, spentToday: ctx.spentToday });
  }

  const available = availableBalance(ctx);
  if (pay > 0 && pay > available) return refuse('insufficient_balance', [], { available });

  if (ctx.offline && pay > 0 && ctx.offlineSpentToday + pay > ctx.policy.offlineCapPerDay) {
    return refuse('offline_cap', [], { offlineCap: ctx.policy.offlineCapPerDay, offlineSpentToday: ctx.offlineSpentToday });
  }
  return { ok: true, ...split };
}

export { lineTotal, cartTotal };
