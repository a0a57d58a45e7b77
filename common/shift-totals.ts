import { z } from 'zod';
import { Kopecks } from './money.ts';

/**
 * The money of a till's shift as a cashier and a supervisor add it up, in integer kopecks:
 *   gross  = every charge the shift made (sales, voided or not, and each student of a group meal);
 *   voids  = the sales annulled since (a void annuls the whole sale, its subsidy part too);
 *   net    = gross − voids;
 *   by payment: a sale's account part and subsidy part, a group meal by who pays (the subsidy, the
 *               students' accounts, the school), voided sales left out — they add up to net;
 *   by category: the menu lines of what was not voided — they add up to net too.
 * Pure: the station hands in its debit rows. One place states the rule, so the screen, the printout,
 * the exported file and the shift_close event cannot disagree.
 */

export const PaymentKind = z.enum(['sale_account', 'sale_subsidy', 'group_subsidy', 'group_accounts', 'group_school']);
export type PaymentKind = z.infer<typeof PaymentKind>;

export const ShiftMoney = z.object({
  gross: z.object({ count: z.number().int(), total: Kopecks }),
  voids: z.object({ count: z.number().int(), total: Kopecks }),
  net: z.object({ count: z.number().int(), total: Kopecks }),
  /** Every payment kind in a fixed order, zero rows included, so a printout always has the same lines. */
  byPayment: z.array(z.object({ kind: PaymentKind, count: z.number().int(), total: Kopecks })),
  byCategory: z.array(z.object({ category: z.string(), quantity: z.number().int(), total: Kopecks })),
  /** Σ byPayment = net and Σ byCategory = net. False only when a stored row's lines do not add up to its total. */
  reconciled: z.boolean(),
});
export type ShiftMoney = z.infer<typeof ShiftMoney>;

/** One charge as the till stored it. */
export interface ShiftCharge {
  kind: 'sale' | 'group_meal';
  total: Kopecks;
  subsidyPart: Kopecks;
  accountPart: Kopecks;
  schoolPart: Kopecks;
  voided: boolean;
  lines: readonly { category: string; price: Kopecks; quantity: number }[];
}

const PAYMENT_ORDER = PaymentKind.options;

/** Who paid a student's group meal, from its parts (a group meal charges exactly one of them). */
function groupPayer(c: ShiftCharge): PaymentKind {
  if (c.schoolPart > 0) return 'group_school';
  if (c.accountPart > 0) return 'group_accounts';
  return 'group_subsidy';
}

export function shiftMoney(charges: readonly ShiftCharge[], collator: (a: string, b: string) => number = (a, b) => a.localeCompare(b, 'ru')): ShiftMoney {
  const gross = { count: 0, total: 0 };
  const voids = { count: 0, total: 0 };
  const pay = new Map<PaymentKind, { count: number; total: number }>(PAYMENT_ORDER.map((k) => [k, { count: 0, total: 0 }]));
  const cats = new Map<string, { quantity: number; total: number }>();
  const add = (kind: PaymentKind, amount: Kopecks) => {
    const p = pay.get(kind)!;
    p.count++;
    p.total += amount;
  };
  for (const c of charges) {
    gross.count++;
    gross.total += c.total;
    if (c.voided) {
      voids.count++;
      voids.total += c.total;
      continue;
    }
    if (c.kind === 'sale') {
      if (c.accountPart > 0 || c.subsidyPart === 0) add('sale_account', c.accountPart);
      if (c.subsidyPart > 0) add('sale_subsidy', c.subsidyPart);
    } else add(groupPayer(c), c.total);
    for (const l of c.lines) {
      const cat = cats.get(l.category) ?? { quantity: 0, total: 0 };
      cat.quantity += l.quantity;
      cat.total += l.price * l.quantity;
      cats.set(l.category, cat);
    }
  }
  const net = { count: gross.count - voids.count, total: gross.total - voids.total };
  const byPayment = PAYMENT_ORDER.map((kind) => ({ kind, ...pay.get(kind)! }));
  const byCategory = [...cats].map(([category, c]) => ({ category, ...c })).sort((a, b) => collator(a.category, b.category));
  const sum = (xs: readonly { total: number }[]) => xs.reduce((s, x) => s + x.total, 0);
  return { gross, voids, net, byPayment, byCategory, reconciled: sum(byPayment) === net.total && sum(byCategory) === net.total };
}
