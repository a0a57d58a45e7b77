import { MenuItem } from '../../common/domain.ts';
import type { Store } from '../store/index.ts';

export type MenuRowResult = { ok: true; item: MenuItem } | { ok: false; problem: string };

/** A stored menu row read as a menu item, or what is wrong with it (rows come from the backend: trust none). */
export function parseMenuRow(row: Record<string, unknown>): MenuRowResult {
  let allergens: unknown;
  try {
    allergens = JSON.parse(String(row.allergens ?? '[]'));
  } catch {
    return { ok: false, problem: 'allergens are not a JSON list' };
  }
  const r = MenuItem.safeParse({ id: row.id, date: row.date, name: row.name, category: row.category, kind: row.kind, price: row.price, allergens });
  if (r.success) return { ok: true, item: r.data };
  const issue = r.error.issues[0];
  return { ok: false, problem: issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid row' };
}

/** One item of a day's menu, parsed; null when the menu has no such item. */
export function menuItemOn(store: Store, date: string, itemId: string): MenuRowResult | null {
  const row = store.roster.menuRow(date, itemId);
  return row ? parseMenuRow(row) : null;
}
