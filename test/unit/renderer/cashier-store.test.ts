import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CartLine } from '../../../common/cart.ts';
import type { PhotoCheck, Receipt } from '../../../common/contract/cashier.ts';
import type * as CashierStoreModule from '../../../renderer/src/cashier/cashier-store.ts';
import { installContractFakeStation, refusal, type ContractFakeStation } from './contract-fake-station.ts';

type CashierStore = typeof CashierStoreModule;

const bun: CartLine = { itemId: 'bun', name: 'Булочка', category: 'Выпечка', kind: 'buffet', price: 4500, quantity: 2, allergens: ['gluten'] };
const holder = { kind: 'student' as const, id: 's-1', fullName: 'Иванов Пётр', group: '5А', photoHash: null };
const check = (checkId: string): PhotoCheck => ({
  checkId,
  readerId: 'till',
  tapAt: '2026-12-01T09:10:00.000Z',
  holder,
  cardStatus: 'active',
  allergens: [],
  parentNote: null,
  allergyFlag: false,
  lines: [bun],
  total: 9000,
  portrait: null,
});
const receipt = (saleId: string): Receipt => ({
  saleId,
  eventId: 'e-1',
  holder,
  lines: [bun],
  total: 9000,
  subsidyPart: 0,
  accountPart: 9000,
  subsidyKind: null,
  offline: false,
  verifiedByPhoto: true,
  at: '2026-12-01T09:10:02.000Z',
  voided: false,
});

let fake: ContractFakeStation;
let store: CashierStore;
const state = () => store.useCashier.getState();
const settle = () => new Promise((r) => setTimeout(r, 0));

beforeEach(async () => {
  vi.resetModules();
  fake = installContractFakeStation({
    'cashier.state': () => ({
      shift: { shiftId: 'sh-1', operatorId: 'c-1', operatorName: 'Петрова Н.', openedAt: '2026-12-01T07:00:00.000Z' },
      cart: { lines: [bun], total: 9000, locked: false },
      check: null,
    }),
    'cashier.menu': () => ({ date: '2026-12-01', items: [], skipped: [] }),
  });
  store = await import('../../../renderer/src/cashier/cashier-store.ts');
  store.connectCashierStore();
  await settle();
});

describe('cashier store', () => {
  it('loads the open shift and the cart the station holds', () => {
    expect(state()).toMatchObject({ loaded: true, shift: { operatorName: 'Петрова Н.' }, cart: { total: 9000 }, check: null });
  });

  it('a tap opens the photo check; a double confirm carries one sale id (the station makes it one sale), then the receipt shows and the check is gone', async () => {
    fake.emit('cashier.check', check('chk-1'));
    expect(state().check?.holder.fullName).toBe('Иванов Пётр');
    const saleId = state().saleId;
    expect(saleId).toMatch(/^[0-9a-f-]{36}$/);
    fake.answer('cashier.confirm', ({ saleId: id }) => ({ ok: true, receipt: receipt(id) }));
    await Promise.all([state().confirm(), state().confirm()]);
    const confirms = fake.calls.filter((c) => c.name === 'cashier.confirm');
    expect(confirms.length).toBeGreaterThan(0);
    for (const c of confirms) expect(c.input).toEqual({ checkId: 'chk-1', saleId });
    expect(state().check).toBeNull();
    expect(state().notice).toMatchObject({ kind: 'receipt', receipt: { saleId, total: 9000 } });
  });

  it('a refused sale says why and keeps what the child was shown', async () => {
    fake.emit('cashier.check', check('chk-2'));
    fake.answer('cashier.confirm', () => ({
      ok: false,
      reason: 'daily_limit',
      lines: [],
      details: { dailyLimit: 5000, spentToday: 0 },
      total: 9000,
      subsidyPart: 0,
      accountPart: 9000,
    }));
    await state().confirm();
    expect(state().notice).toMatchObject({ kind: 'refused', result: { reason: 'daily_limit' }, check: { checkId: 'chk-2' } });
    expect(state().check).toBeNull();
  });

  it('a new check gets a new sale id; the same check again keeps its id', () => {
    fake.emit('cashier.check', check('chk-3'));
    const first = state().saleId;
    fake.emit('cashier.check', check('chk-3'));
    expect(state().saleId).toBe(first);
    fake.emit('cashier.check', check('chk-4'));
    expect(state().saleId).not.toBe(first);
  });

  it('"tap again" after a misread never covers an open photo check', () => {
    fake.emit('cashier.check', check('chk-5'));
    fake.emit('reader.misread', { readerId: 'till', reason: 'get_data_failed', at: '2026-12-01T09:11:00.000Z' });
    expect(state().notice).toBeNull();
    fake.emit('cashier.check', null);
    fake.emit('reader.misread', { readerId: 'till', reason: 'get_data_failed', at: '2026-12-01T09:11:01.000Z' });
    expect(state().notice).toEqual({ kind: 'misread' });
  });

  it('a refused bridge request shows its reason code', async () => {
    fake.answer('cashier.cart.add', () => {
      throw refusal({ code: 'conflict', message: 'the cart is locked by an open check', reason: 'cart_locked' });
    });
    await state().add('bun');
    expect(state().notice).toEqual({ kind: 'error', reason: 'cart_locked' });
  });
});
