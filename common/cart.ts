import { z } from 'zod';
import type { MenuItem } from './domain.ts';
import { Kopecks } from './money.ts';

/**
 * One line of the cashier's cart. The price is the one the cart showed when the item was added: a
 * price change arriving by sync while the child stands at the till does not change what they pay.
 */
export const CartLine = z.object({
  itemId: z.string().min(1),
  name: z.string().min(1),
  category: z.string().min(1),
  kind: z.enum(['complex', 'buffet']),
  price: Kopecks.nonnegative(),
  quantity: z.number().int().positive().max(99),
  allergens: z.array(z.string()),
});
export type CartLine = z.infer<typeof CartLine>;

export const MAX_QUANTITY = 99;

export function lineTotal(line: Pick<CartLine, 'price' | 'quantity'>): Kopecks {
  return line.price * line.quantity;
}

export function cartTotal(lines: readonly Pick<CartLine, 'price' | 'quantity'>[]): Kopecks {
  let total = 0;
  for (const l of lines) total += lineTotal(l);
  return total;
}

export function cartCount(lines: readonly Pick<CartLine, 'quantity'>[]): number {
  let n = 0;
  for (const l of lines) n += l.quantity;
  return n;
}

/** Adds one of `item`; an item already in the cart keeps the price it was added at. */
export function addItem(lines: readonly CartLine[], item: Pick<MenuItem, 'id' | 'name' | 'category' | 'kind' | 'price' | 'allergens'>): CartLine[] {
  const at = lines.findIndex((l) => l.itemId === item.id);
  if (at >= 0) return setQuantity(lines, item.id, (lines[at]?.quantity ?? 0) + 1);
  return [
    ...lines,
    { itemId: item.id, name: item.name, category: item.category, kind: item.kind, price: item.price, quantity: 1, allergens: [...item.allergens] },
  ];
}

/** Sets a line's quantity (capped at 99); zero or less removes the line. */
export function setQuantity(lines: readonly CartLine[], itemId: string, quantity: number): CartLine[] {
  if (!Number.isInteger(quantity) || quantity <= 0) return removeLine(lines, itemId);
  const q = Math.min(quantity, MAX_QUANTITY);
  return lines.map((l) => (l.itemId === itemId ? { ...l, quantity: q } : l));
}

export function removeLine(lines: readonly CartLine[], itemId: string): CartLine[] {
  return lines.filter((l) => l.itemId !== itemId);
}
