import { describe, expect, it } from 'vitest';
import { addItem, cartTotal, removeLine, setQuantity, type CartLine } from '../../common/cart.ts';
import { availableBalance, DEFAULT_SALE_POLICY, evaluateSale, forbiddenLines, splitSale, type SaleContext } from '../../common/cashier-rules.ts';
import type { MenuItem } from '../../common/domain.ts';
import { formatMoney } from '../../common/money.ts';

const item = (id: string, over: Partial<MenuItem> = {}): MenuItem => ({
  id,
  date: '2026-11-23',
  name: `Item ${id}`,
  category: 'Выпечка',
  kind: 'buffet',
  price: 30_00,
  allergens: [],
  ...over,
});
const LUNCH = item('lunch', { name: 'Комплексный обед', category: 'Комплекс', kind: 'complex', price: 145_00 });
const BREAKFAST = item('bf', { name: 'Комплексный завтрак', category: 'Комплекс', kind: 'complex', price: 95_50, allergens: ['молоко'] });
const BUN = item('bun', { name: 'Булочка', price: 35_00, allergens: ['глютен'] });
const CHOC = item('choc', { name: 'Шоколад', category: 'Сладкое', price: 55_50, allergens: ['Орехи', 'молоко'] });
const JUICE = item('juice', { name: 'Сок', category: 'Напитки', price: 40_00 });

const cart = (...items: MenuItem[]): CartLine[] => items.reduce<CartLine[]>((c, i) => addItem(c, i), []);

const ctx = (over: Partial<SaleContext> = {}, account: Partial<SaleContext['account']> = {}): SaleContext => ({
  account: { balance: 500_00, dailyLimit: null, forbiddenCategories: [], allergens: [], subsidy: 'none', ...account },
  spentToday: 0,
  subsidyUsedToday: false,
  unsyncedDebits: 0,
  unsyncedCredits: 0,
  offline: false,
  offlineSpentToday: 0,
  policy: DEFAULT_SALE_POLICY,
  ...over,
});

describe('cart', () => {
  it('adds, counts up, sets quantities, removes; totals in integer kopecks', () => {
    let c = cart(BUN, JUICE, BUN);
    expect(c.map((l) => [l.itemId, l.quantity])).toEqual([
      ['bun', 2],
      ['juice', 1],
    ]);
    expect(cartTotal(c)).toBe(110_00);
    c = addItem(c, CHOC);
    expect(cartTotal(c)).toBe(165_50);
    expect(formatMoney(cartTotal(setQuantity(c, 'choc', 20)))).toBe('1\u00a0220,00\u00a0₽');
    expect(setQuantity(c, 'bun', 0).map((l) => l.itemId)).toEqual(['juice', 'choc']);
    expect(setQuantity(c, 'bun', 500).find((l) => l.itemId === 'bun')?.quantity).toBe(99);
    expect(removeLine(c, 'juice').map((l) => l.itemId)).toEqual(['bun', 'choc']);
  });

  it('keeps the price a line was added at when the menu price changes', () => {
    const c = cart(BUN);
    const dearer = { ...BUN, price: 99_00 };
    const after = addItem(c, dearer);
    expect(after[0]?.price).toBe(35_00);
    expect(cartTotal(after)).toBe(70_00);
  });
});

describe('rule 1: forbidden categories and allergens', () => {
  it('names every offending line, with the category and each allergen matched case-insensitively', () => {
    const lines = cart(BUN, CHOC, JUICE, BREAKFAST);
    const v = evaluateSale(lines, ctx({}, { forbiddenCategories: ['сладкое'], allergens: ['орехи', 'Молоко'] }));
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.reason).toBe('forbidden_items');
    expect(v.lines).toEqual([
      { itemId: 'choc', name: 'Шоколад', forbiddenCategory: true, allergens: ['Орехи', 'молоко'] },
      { itemId: 'bf', name: 'Комплексный завтрак', forbiddenCategory: false, allergens: ['молоко'] },
    ]);
  });

  it('comes before the balance: a broke child with a forbidden line hears about the line', () => {
    const v = evaluateSale(cart(CHOC), ctx({}, { balance: 0, forbiddenCategories: ['Сладкое'] }));
    expect(!v.ok && v.reason).toBe('forbidden_items');
  });

  it('passes a cart with nothing forbidden', () => {
    expect(forbiddenLines(cart(BUN, JUICE), { forbiddenCategories: ['Сладкое'], allergens: ['орехи'] })).toEqual([]);
  });
});

describe('rule 2: subsidy once per school day', () => {
  it('free: the dearest complex meal unit is paid by the subsidy, the rest by the account', () => {
    const s = splitSale(cart(BREAKFAST, LUNCH, LUNCH, JUICE), 'free', false, DEFAULT_SALE_POLICY);
    expect(s.total).toBe(95_50 + 2 * 145_00 + 40_00);
    expect(s.subsidy).toEqual({ kind: 'free', itemId: 'lunch', amount: 145_00 });
    expect(s.subsidyPart).toBe(145_00);
    expect(s.accountPart).toBe(s.total - 145_00);
  });

  it('discounted: the subsidy pays the discount share rounded down to whole kopecks', () => {
    const s = splitSale(cart(BREAKFAST), 'discounted', false, { subsidyDiscountPercent: 50 });
    expect(s.subsidyPart).toBe(47_75);
    expect(s.accountPart).toBe(47_75);
    const odd = splitSale(cart(item('x', { kind: 'complex', price: 101 })), 'discounted', false, { subsidyDiscountPercent: 50 });
    expect([odd.subsidyPart, odd.accountPart]).toEqual([50, 51]);
  });

  it('already used today: nothing subsidised, the whole total goes to the account', () => {
    const s = splitSale(cart(LUNCH), 'free', true, DEFAULT_SALE_POLICY);
    expect([s.subsidyPart, s.accountPart, s.subsidy]).toEqual([0, 145_00, null]);
  });

  it('buffet only, or no subsidy category: no subsidy', () => {
    expect(splitSale(cart(BUN), 'free', false, DEFAULT_SALE_POLICY).subsidyPart).toBe(0);
    expect(splitSale(cart(LUNCH), 'none', false, DEFAULT_SALE_POLICY).subsidyPart).toBe(0);
  });

  it('a fully subsidised meal passes even with an empty balance and a zero limit', () => {
    const v = evaluateSale(cart(LUNCH), ctx({}, { subsidy: 'free', balance: 0, dailyLimit: 0 }));
    expect(v).toMatchObject({ ok: true, subsidyPart: 145_00, accountPart: 0 });
  });
});

describe('rule 3: parents daily limit', () => {
  it('exactly at the limit is allowed; one kopeck over is refused with the figures', () => {
    const lines = cart(JUICE); // 40,00
    expect(evaluateSale(lines, ctx({ spentToday: 260_00 }, { dailyLimit: 300_00 })).ok).toBe(true);
    const v = evaluateSale(lines, ctx({ spentToday: 260_01 }, { dailyLimit: 300_00 }));
    expect(v).toMatchObject({ ok: false, reason: 'daily_limit', details: { dailyLimit: 300_00, spentToday: 260_01 } });
  });

  it('counts only what the account pays: the subsidy is outside the limit', () => {
    const v = evaluateSale(cart(LUNCH, JUICE), ctx({}, { dailyLimit: 40_00, subsidy: 'free' }));
    expect(v).toMatchObject({ ok: true, subsidyPart: 145_00, accountPart: 40_00 });
  });

  it('comes before the balance', () => {
    const v = evaluateSale(cart(JUICE), ctx({ spentToday: 290_00 }, { dailyLimit: 300_00, balance: 0 }));
    expect(!v.ok && v.reason).toBe('daily_limit');
  });
});

describe('rule 4: balance as the station sees it', () => {
  it('is the last synced balance minus unsynced debits plus unsynced voids', () => {
    expect(availableBalance(ctx({ unsyncedDebits: 120_00, unsyncedCredits: 30_00 }, { balance: 200_00 }))).toBe(110_00);
  });

  it('exactly the available balance is allowed; a kopeck more is refused', () => {
    const lines = cart(JUICE);
    expect(evaluateSale(lines, ctx({ unsyncedDebits: 60_00 }, { balance: 100_00 })).ok).toBe(true);
    const v = evaluateSale(lines, ctx({ unsyncedDebits: 60_01 }, { balance: 100_00 }));
    expect(v).toMatchObject({ ok: false, reason: 'insufficient_balance', details: { available: 39_99 } });
  });

  it('an unsynced void gives the money back', () => {
    expect(evaluateSale(cart(JUICE), ctx({ unsyncedDebits: 100_00, unsyncedCredits: 40_00 }, { balance: 100_00 })).ok).toBe(true);
  });
});

describe('rule 5: offline cap per child per day', () => {
  const policy = { offlineCapPerDay: 100_00, subsidyDiscountPercent: 50 };
  it('online the cap does not apply', () => {
    expect(evaluateSale(cart(JUICE), ctx({ policy, offlineSpentToday: 100_00 })).ok).toBe(true);
  });

  it('offline: up to the cap exactly is allowed, the cap reached refuses', () => {
    expect(evaluateSale(cart(JUICE), ctx({ policy, offline: true, offlineSpentToday: 60_00 })).ok).toBe(true);
    const v = evaluateSale(cart(JUICE), ctx({ policy, offline: true, offlineSpentToday: 100_00 }));
    expect(v).toMatchObject({ ok: false, reason: 'offline_cap', details: { offlineCap: 100_00, offlineSpentToday: 100_00 } });
  });

  it('a subsidised-only meal is not capped offline', () => {
    expect(evaluateSale(cart(LUNCH), ctx({ policy, offline: true, offlineSpentToday: 100_00 }, { subsidy: 'free' })).ok).toBe(true);
  });

  it('comes after the balance', () => {
    const v = evaluateSale(cart(JUICE), ctx({ policy, offline: true, offlineSpentToday: 100_00 }, { balance: 0 }));
    expect(!v.ok && v.reason).toBe('insufficient_balance');
  });
});
