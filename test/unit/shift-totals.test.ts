import { describe, expect, it } from 'vitest';
import { shiftMoney, type ShiftCharge } from '../../common/shift-totals.ts';

const sale = (total: number, subsidyPart: number, lines: ShiftCharge['lines'], voided = false): ShiftCharge => ({
  kind: 'sale',
  total,
  subsidyPart,
  accountPart: total - subsidyPart,
  schoolPart: 0,
  voided,
  lines,
});
const group = (price: number, payer: 'subsidy' | 'accounts' | 'school'): ShiftCharge => ({
  kind: 'group_meal',
  total: price,
  subsidyPart: payer === 'subsidy' ? price : 0,
  accountPart: payer === 'accounts' ? price : 0,
  schoolPart: payer === 'school' ? price : 0,
  voided: false,
  lines: [{ category: 'Комплекс', price, quantity: 1 }],
});
const lunch = { category: 'Комплекс', price: 145_00, quantity: 1 };
const juice = { category: 'Напитки', price: 40_00, quantity: 1 };

describe('shift money', () => {
  it('a shift as reported: a voided sale is in gross and in voids, not in net, payments or categories', () => {
    // "Продажи 4 · 620,00 ₽" with a void of 145,00 and a group meal: the old report could not be added up.
    const m = shiftMoney([
      sale(185_00, 0, [lunch, juice]),
      sale(145_00, 0, [lunch], true),
      sale(145_00, 145_00, [lunch]),
      sale(145_00, 72_50, [lunch]),
      group(145_00, 'accounts'),
    ]);
    expect(m.gross).toEqual({ count: 5, total: 765_00 });
    expect(m.voids).toEqual({ count: 1, total: 145_00 });
    expect(m.net).toEqual({ count: 4, total: 620_00 });
    expect(m.byPayment).toEqual([
      // The half-subsidised lunch pays from both.
      { kind: 'sale_account', count: 2, total: 185_00 + 72_50 },
      { kind: 'sale_subsidy', count: 2, total: 145_00 + 72_50 },
      { kind: 'group_subsidy', count: 0, total: 0 },
      { kind: 'group_accounts', count: 1, total: 145_00 },
      { kind: 'group_school', count: 0, total: 0 },
    ]);
    expect(m.byCategory).toEqual([
      { category: 'Комплекс', quantity: 4, total: 580_00 },
      { category: 'Напитки', quantity: 1, total: 40_00 },
    ]);
    expect(m.reconciled).toBe(true);
  });

  it('an empty shift is all zeros and reconciles; a stored row whose lines miss its total does not', () => {
    const empty = shiftMoney([]);
    expect(empty.net).toEqual({ count: 0, total: 0 });
    expect(empty.byPayment.map((p) => p.kind)).toEqual(['sale_account', 'sale_subsidy', 'group_subsidy', 'group_accounts', 'group_school']);
    expect(empty.reconciled).toBe(true);
    expect(shiftMoney([sale(200_00, 0, [lunch])]).reconciled).toBe(false);
  });
});
