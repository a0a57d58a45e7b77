import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PhotoCheck, TapOutcome } from '../../common/contract/cashier.ts';
import type { CardRead } from '../../common/readers.ts';
import { DEFAULT_SETTINGS } from '../../common/settings.ts';
import { Cashier } from '../../core/cashier/index.ts';
import { DomainError } from '../../common/errors.ts';
import type { Store } from '../../core/store/index.ts';
import { cards, menu, MORNING, openCashierStore, seedCashierSchool, testClock, unknownCard, type TestClock } from '../helpers/cashier-fixture.ts';

let clock: TestClock;
let store: Store;
let dir: string;
let online: boolean;
let cashier: Cashier;
let n = 0;

const saleId = () => `sale-${++n}`;
const tap = (c: { technology: 'iso14443' | 'em4100'; uid: string }): TapOutcome | PhotoCheck => {
  const read: CardRead = { readerId: 'till', technology: c.technology, uid: c.uid, raw: c.uid, at: new Date(clock.now()).toISOString() };
  return cashier.onCard(read);
};
const asCheck = (x: TapOutcome | PhotoCheck): PhotoCheck => {
  if (!('checkId' in x)) throw new Error(`expected a photo check, got ${JSON.stringify(x)}`);
  return x;
};
const events = (type?: string) => store.outbox.after(0, 10_000).filter((e) => !type || e.type === type);
const reasonOf = async (fn: () => Promise<unknown>): Promise<string> => {
  try {
    await fn();
  } catch (e) {
    if (e instanceof DomainError) return e.reason;
    throw e;
  }
  throw new Error('expected a DomainError');
};
const reason = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e.reason;
    throw e;
  }
  throw new Error('expected a DomainError');
};
/** Puts items in the cart, taps, confirms. */
const sell = (card: { technology: 'iso14443' | 'em4100'; uid: string }, items: string[], id = saleId()) => {
  for (const i of items) cashier.addToCart(i);
  const check = asCheck(tap(card));
  return cashier.confirm(check.checkId, id);
};
const ackAll = () => store.outbox.recordResults(store.outbox.pendingBatch(10_000).map((e) => ({ id: e.id, status: 'accepted' as const })));

beforeEach(() => {
  clock = testClock(MORNING);
  ({ store, dir } = openCashierStore(clock));
  seedCashierSchool(store);
  online = true;
  cashier = new Cashier({
    store,
    clock,
    isOnline: () => online,
    exportDir: `${dir}/exports`,
    policy: () => ({ offlineCapPerDay: 100_00, subsidyDiscountPercent: 50 }),
  });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('shifts', () => {
  it('no sale outside a shift; a wrong PIN, or a guard, cannot open one', async () => {
    expect(reason(() => cashier.addToCart('juice'))).toBe('no_shift');
    expect(tap(cards.s1)).toEqual({ kind: 'ignored', hint: 'no_shift', readerId: 'till' });
    expect(cashier.display().state).toBe('closed');
    expect(await reasonOf(() => cashier.openShift('E1', '9999'))).toBe('pin_wrong');
    expect(await reasonOf(() => cashier.openShift('E4', '4444'))).toBe('role_missing');
    const shift = await cashier.openShift('E1', '1111');
    expect(shift.operatorName).toBe('Орлова Татьяна Викторовна');
    expect(await reasonOf(() => cashier.openShift('E2', '2222'))).toBe('shift_already_open');
    expect(events('shift_open').map((e) => e.payload)).toEqual([{ shiftId: shift.shiftId, operatorId: 'E1' }]);
  });

  it('an open shift survives a restart of the station', async () => {
    const shift = await cashier.openShift('E1', '1111');
    const again = new Cashier({ store, clock, isOnline: () => true, exportDir: dir });
    expect(again.state().shift).toEqual(shift);
  });
});

describe('the sale', () => {
  beforeEach(async () => {
    await cashier.openShift('E1', '1111');
    // These cases check the rules' figures, which the till gives only where the school lets the cashier show them.
    store.settings.update({ showBalance: 'on_request' });
  });

  it('by default a refusal carries no figures: the queue can read the cashier screen', () => {
    store.settings.update({ showBalance: 'never' });
    const refused = sell(cards.s5, ['lunch']);
    expect(refused).toMatchObject({ ok: false, reason: 'insufficient_balance', details: {} });
    if (refused.ok) throw new Error('sold');
    expect(Object.keys(refused.details)).toEqual([]);
    cashier.clearCart();
    const limited = sell(cards.s4, ['lunch']);
    expect(limited).toMatchObject({ ok: false, reason: 'daily_limit' });
    if (limited.ok) throw new Error('sold');
    expect(Object.keys(limited.details)).toEqual([]);
    expect(DEFAULT_SETTINGS.showBalance).toBe('never');
  });

  it('tap → photo check → confirm stores one sale event and its row together, clears the cart, shows paid', () => {
    cashier.addToCart('lunch');
    cashier.addToCart('juice');
    cashier.addToCart('juice');
    expect(cashier.state().cart.total).toBe(225_00);
    const check = asCheck(tap(cards.s1));
    expect(check.holder).toMatchObject({ id: 'S1', fullName: 'Иванов Иван Иванович', group: '5А' });
    expect(check.allergyFlag).toBe(false);
    expect(cashier.display().state).toBe('checking');
    const id = saleId();
    const r = cashier.confirm(check.checkId, id);
    expect(r).toMatchObject({ ok: true, receipt: { saleId: id, total: 225_00, subsidyPart: 0, accountPart: 225_00, offline: false, verifiedByPhoto: true } });
    const [sale] = events('sale');
    expect(sale?.payload).toMatchObject({
      saleId: id,
      holderId: 'S1',
      card: { technology: 'iso14443', uid: cards.s1.uid },
      total: 225_00,
      subsidyPart: 0,
      accountPart: 225_00,
      verifiedByPhoto: true,
      offline: false,
      lines: [
        { itemId: 'lunch', price: 145_00, quantity: 1 },
        { itemId: 'juice', price: 40_00, quantity: 2 },
      ],
    });
    expect(store.db.prepare('SELECT event_id FROM cashier_debits WHERE id = ?').get(id)).toEqual({ event_id: sale?.id });
    expect(cashier.state().cart).toEqual({ lines: [], total: 0, locked: false });
    expect(cashier.display()).toEqual({
      state: 'paid',
      total: 225_00,
      lines: [
        { name: 'Комплексный обед', quantity: 1, amount: 145_00 },
        { name: 'Сок яблочный', quantity: 2, amount: 80_00 },
      ],
    });
  });

  it('a double "pay" with the same sale id is one sale', () => {
    cashier.addToCart('juice');
    const check = asCheck(tap(cards.s1));
    const a = cashier.confirm(check.checkId, 'same-id');
    const b = cashier.confirm(check.checkId, 'same-id');
    expect(b).toEqual(a);
    expect(events('sale')).toHaveLength(1);
  });

  it('a tap with an empty cart, and a second tap while confirming, are ignored with a hint', () => {
    expect(tap(cards.s1)).toEqual({ kind: 'ignored', hint: 'cart_empty', readerId: 'till' });
    cashier.addToCart('juice');
    const first = asCheck(tap(cards.s1));
    expect(tap(cards.s6)).toEqual({ kind: 'ignored', hint: 'busy', readerId: 'till' });
    expect(cashier.state().check?.holder.id).toBe('S1');
    expect(reason(() => cashier.addToCart('bun'))).toBe('cart_locked');
    cashier.confirm(first.checkId, saleId());
    expect(events('sale')).toHaveLength(1);
  });

  it('refuses blocked, lost, expired, unknown cards and staff without an account, with the reason', () => {
    cashier.addToCart('juice');
    const refused = (c: { technology: 'iso14443' | 'em4100'; uid: string }) => {
      const out = tap(c);
      return 'kind' in out && out.kind === 'refused' ? out.reason : out;
    };
    expect(refused(cards.blocked)).toBe('card_blocked');
    expect(refused(cards.lost)).toBe('card_lost');
    expect(refused(cards.expired)).toBe('card_expired');
    expect(refused(unknownCard)).toBe('card_unknown');
    expect(refused(cards.guardStaff)).toBe('staff_no_account');
    expect(cashier.display()).toMatchObject({ state: 'see_cashier', total: 40_00 });
    // Staff with an account eat like anyone else.
    expect(asCheck(tap(cards.cashierStaff)).holder).toMatchObject({ kind: 'staff', id: 'E1' });
    expect(events('sale')).toHaveLength(0);
  });

  it('names every forbidden line and charges nothing', () => {
    cashier.addToCart('choc');
    cashier.addToCart('juice');
    const check = asCheck(tap(cards.s2));
    expect(check).toMatchObject({ allergyFlag: true, allergens: ['орехи'], parentNote: 'Аллергия на орехи' });
    const r = cashier.confirm(check.checkId, saleId());
    expect(r).toMatchObject({ ok: false, reason: 'forbidden_items', lines: [{ itemId: 'choc', forbiddenCategory: true, allergens: ['орехи'] }] });
    expect(events('sale')).toHaveLength(0);
    expect(cashier.display().state).toBe('see_cashier');
    // The cart stays; the cashier removes the line and the child taps again.
    cashier.removeFromCart('choc');
    expect(sell(cards.s2, [])).toMatchObject({ ok: true, receipt: { total: 40_00 } });
  });

  it('gives the subsidy once per school day, and again the next day', () => {
    expect(sell(cards.s3, ['lunch', 'juice'])).toMatchObject({ ok: true, receipt: { subsidyPart: 145_00, accountPart: 40_00, subsidyKind: 'free' } });
    expect(sell(cards.s3, ['lunch'])).toMatchObject({ ok: true, receipt: { subsidyPart: 0, accountPart: 145_00, subsidyKind: null } });
    clock.advance(24 * 3600_000);
    store.roster.upsertMenu(menu.map((m) => ({ ...m, date: '2026-11-24' })));
    expect(sell(cards.s3, ['lunch'])).toMatchObject({ ok: true, receipt: { subsidyPart: 145_00, accountPart: 0 } });
  });

  it('a voided subsidised sale gives the subsidy back for the day', async () => {
    const r = sell(cards.s3, ['lunch']);
    if (!r.ok) throw new Error('sale refused');
    await cashier.voidSale(r.receipt.saleId, '2222', 'wrong meal');
    expect(sell(cards.s3, ['lunch'])).toMatchObject({ ok: true, receipt: { subsidyPart: 145_00 } });
  });

  it("parents' daily limit: exactly at the limit passes, beyond it is refused (unsynced sales count)", () => {
    expect(sell(cards.s4, ['juice'])).toMatchObject({ ok: true });
    expect(sell(cards.s4, ['bun', 'bun'])).toMatchObject({ ok: false, reason: 'daily_limit', details: { dailyLimit: 100_00, spentToday: 40_00 } });
    cashier.clearCart();
    expect(sell(cards.s4, ['juice'])).toMatchObject({ ok: true });
    ackAll(); // synced or not, today's spending counts
    expect(sell(cards.s4, ['juice'])).toMatchObject({ ok: false, reason: 'daily_limit' });
  });

  it("balance: the station's view is the synced balance minus unsynced debits plus unsynced voids", async () => {
    const first = sell(cards.s5, ['juice']); // 50,00 − 40,00
    expect(sell(cards.s5, ['juice'])).toMatchObject({ ok: false, reason: 'insufficient_balance', details: { available: 10_00 } });
    if (!first.ok) throw new Error('first sale refused');
    await cashier.voidSale(first.receipt.saleId, '2222', 'returned');
    cashier.clearCart();
    expect(sell(cards.s5, ['juice'])).toMatchObject({ ok: true });
    // The server acknowledges and a later roster sync brings the balance that includes it.
    ackAll();
    clock.advance(60_000);
    store.roster.upsertAccounts([
      {
        holderId: 'S5',
        balance: 10_00,
        balanceAt: new Date(clock.now()).toISOString(),
        dailyLimit: null,
        forbiddenCategories: [],
        allergens: [],
        subsidy: 'none',
        parentNote: null,
      },
    ]);
    expect(sell(cards.s5, ['juice'])).toMatchObject({ ok: false, reason: 'insufficient_balance', details: { available: 10_00 } });
  });

  it('offline: sales carry the offline flag and stop at the cap per child per day', () => {
    online = false;
    expect(sell(cards.s1, ['juice'])).toMatchObject({ ok: true, receipt: { offline: true } });
    expect(sell(cards.s1, ['juice'])).toMatchObject({ ok: true });
    expect(sell(cards.s1, ['juice'])).toMatchObject({ ok: false, reason: 'offline_cap', details: { offlineCap: 100_00, offlineSpentToday: 80_00 } });
    cashier.clearCart();
    expect(sell(cards.s1, ['bun'])).toMatchObject({ ok: false, reason: 'offline_cap' }); // 80,00 + 35,00 > 100,00
    cashier.clearCart();
    expect(sell(cards.s6, ['juice'])).toMatchObject({ ok: true });
    online = true;
    expect(sell(cards.s1, ['juice'])).toMatchObject({ ok: true, receipt: { offline: false } });
    expect(events('sale').map((e) => (e.payload as { offline: boolean }).offline)).toEqual([true, true, true, false]);
  });

  it('"not this child" is its own event; nothing charged; the cart waits for the right child', () => {
    cashier.addToCart('lunch');
    const check = asCheck(tap(cards.s6));
    cashier.reject(check.checkId, 'sale-x');
    expect(events('sale_rejected').map((e) => e.payload)).toEqual([
      {
        saleId: 'sale-x',
        holderId: 'S6',
        card: { technology: 'iso14443', uid: cards.s6.uid },
        reason: 'not_this_child',
        shiftId: cashier.state().shift?.shiftId,
        operatorId: 'E1',
      },
    ]);
    expect(events('sale')).toHaveLength(0);
    expect(cashier.state()).toMatchObject({ check: null, cart: { total: 145_00, locked: false } });
    expect(sell(cards.s1, [])).toMatchObject({ ok: true, receipt: { holder: { id: 'S1' }, total: 145_00 } });
  });

  it('a price change arriving by sync during a sale does not change what the cart charges', () => {
    cashier.addToCart('juice');
    store.roster.upsertMenu([{ id: 'juice', date: '2026-11-23', name: 'Сок яблочный', category: 'Напитки', kind: 'buffet', price: 60_00, allergens: [] }]);
    cashier.addToCart('juice');
    const check = asCheck(tap(cards.s1));
    expect(check.total).toBe(80_00);
    expect(cashier.confirm(check.checkId, saleId())).toMatchObject({ ok: true, receipt: { total: 80_00 } });
    // The next cart takes the new price.
    expect(cashier.addToCart('juice').total).toBe(60_00);
  });

  it('a corrupt menu row is skipped and reported; its id cannot be sold', () => {
    store.db
      .prepare(
        "INSERT INTO menu_items (date, id, name, category, kind, price, allergens) VALUES ('2026-11-23', 'bad', 'Каша', 'Комплекс', 'complex', 10, 'not json')",
      )
      .run();
    store.db
      .prepare("INSERT INTO menu_items (date, id, name, category, kind, price, allergens) VALUES ('2026-11-23', 'noname', '', 'Выпечка', 'buffet', 10, '[]')")
      .run();
    const m = cashier.menu();
    expect(m.items.map((i) => i.id).sort()).toEqual(['bf', 'bun', 'choc', 'juice', 'lunch']);
    expect(m.skipped.map((s) => s.id).sort()).toEqual(['bad', 'noname']);
    expect(reason(() => cashier.addToCart('bad'))).toBe('unknown_item');
    expect(reason(() => cashier.addToCart('no-such-item'))).toBe('unknown_item');
    expect(cashier.state().cart.lines).toEqual([]);
  });
});

describe('void, group meal, shift close', () => {
  beforeEach(async () => {
    await cashier.openShift('E1', '1111');
  });

  it('a void needs a supervisor PIN and writes a void event for the account part', async () => {
    const r = sell(cards.s1, ['lunch', 'juice']);
    if (!r.ok) throw new Error('refused');
    expect(await reasonOf(() => cashier.voidSale(r.receipt.saleId, '1111', 'mistake'))).toBe('pin_wrong'); // a cashier, not a supervisor
    const v = await cashier.voidSale(r.receipt.saleId, '2222', 'mistake');
    expect(v.voided).toBe(true);
    expect(events('void').map((e) => e.payload)).toEqual([
      { saleEventId: r.receipt.eventId, holderId: 'S1', amount: 185_00, supervisorId: 'E2', reason: 'mistake', shiftId: cashier.state().shift?.shiftId },
    ]);
    expect(await reasonOf(() => cashier.voidSale(r.receipt.saleId, '2222', 'again'))).toBe('sale_already_voided');
    expect(await reasonOf(() => cashier.voidSale('nope', '2222', 'x'))).toBe('sale_not_found');
  });

  it('a group meal is one event for the marked students; charged to accounts it counts against them', async () => {
    expect(cashier.classes()).toEqual(['5А', '6Б']);
    expect(cashier.classStudents('5А').map((s) => s.id)).toEqual(
      ['S1', 'S4', 'S2', 'S3', 'S5'].sort((a, b) => {
        const names = Object.fromEntries(cashier.classStudents('5А').map((s) => [s.id, s.fullName]));
        return names[a]!.localeCompare(names[b]!);
      }),
    );
    expect(await reasonOf(() => cashier.groupMeal({ groupMealId: 'g0', className: '5А', itemId: 'juice', studentIds: ['S1'], payer: 'accounts' }))).toBe(
      'not_complex_item',
    );
    expect(await reasonOf(() => cashier.groupMeal({ groupMealId: 'g0', className: '5А', itemId: 'lunch', studentIds: ['S6'], payer: 'accounts' }))).toBe(
      'student_not_in_class',
    );
    const g = await cashier.groupMeal({ groupMealId: 'g1', className: '5А', itemId: 'lunch', studentIds: ['S4', 'S5'], payer: 'accounts' });
    expect(g).toMatchObject({ students: 2, total: 290_00 });
    expect((await cashier.groupMeal({ groupMealId: 'g1', className: '5А', itemId: 'lunch', studentIds: ['S4', 'S5'], payer: 'accounts' })).eventId).toBe(
      g.eventId,
    );
    expect(events('group_meal').map((e) => e.payload)).toEqual([
      expect.objectContaining({
        className: '5А',
        payer: 'accounts',
        total: 290_00,
        students: [
          { holderId: 'S4', amount: 145_00 },
          { holderId: 'S5', amount: 145_00 },
        ],
      }),
    ]);
    // S4's limit (100,00) is already spent by the group meal; S5 (50,00) is now below zero on the station's view.
    expect(sell(cards.s4, ['juice'])).toMatchObject({ ok: false, reason: 'daily_limit' });
    cashier.clearCart();
    store.settings.update({ showBalance: 'on_request' });
    expect(sell(cards.s5, ['juice'])).toMatchObject({ ok: false, reason: 'insufficient_balance', details: { available: -95_00 } });
  });

  it('a second group meal for the same class, meal and day needs a supervisor PIN and names the first one', async () => {
    clock.set('2026-11-23T09:10:00.000Z'); // 12:10 in Moscow
    const first = await cashier.groupMeal({
      groupMealId: 'g-a',
      className: '5А',
      itemId: 'lunch',
      studentIds: ['S1', 'S2'],
      payer: 'subsidy',
      teacherPin: '3333',
    });
    clock.advance(20 * 60_000);
    expect(cashier.groupMealsToday('5А')).toEqual([
      {
        groupMealId: 'g-a',
        className: '5А',
        itemId: 'lunch',
        itemName: 'Комплексный обед',
        at: '2026-11-23T09:10:00.000Z',
        operatorName: 'Зайцева Ольга Игоревна',
        students: 2,
        total: 290_00,
      },
    ]);
    expect(cashier.groupMealsToday('6Б')).toEqual([]);
    // The same request again (a retry) is the same meal, not a second one.
    expect((await cashier.groupMeal({ groupMealId: 'g-a', className: '5А', itemId: 'lunch', studentIds: ['S1', 'S2'], payer: 'subsidy' })).eventId).toBe(
      first.eventId,
    );
    // A new one for 5А's lunch: refused without a supervisor, and with a cashier's or a teacher's PIN.
    const again = { groupMealId: 'g-b', className: '5А', itemId: 'lunch', studentIds: ['S3', 'S4'], payer: 'subsidy' as const };
    expect(await reasonOf(() => cashier.groupMeal(again))).toBe('group_meal_repeat');
    expect(await reasonOf(() => cashier.groupMeal({ ...again, supervisorPin: '1111' }))).toBe('pin_wrong');
    expect(await reasonOf(() => cashier.groupMeal({ ...again, supervisorPin: '3333' }))).toBe('pin_wrong');
    expect(events('group_meal')).toHaveLength(1);
    // Another meal for the class, or the same meal for another class, is not a repeat.
    clock.advance(60_000);
    await cashier.groupMeal({ groupMealId: 'g-c', className: '5А', itemId: 'bf', studentIds: ['S1'], payer: 'school' });
    await cashier.groupMeal({ groupMealId: 'g-d', className: '6Б', itemId: 'lunch', studentIds: ['S6'], payer: 'school' });
    clock.advance(60_000);
    // The supervisor allows it: recorded, with the first one and who allowed it in the event.
    const second = await cashier.groupMeal({ ...again, supervisorPin: '2222' });
    expect(second.students).toBe(2);
    expect(events('group_meal').at(-1)?.payload).toMatchObject({ groupMealId: 'g-b', repeatOf: 'g-a', approvedBy: 'E2' });
    expect(cashier.groupMealsToday('5А').map((g) => [g.groupMealId, g.itemId])).toEqual([
      ['g-a', 'lunch'],
      ['g-c', 'bf'],
      ['g-b', 'lunch'],
    ]);
    // The next school day it is a first meal again.
    clock.set('2026-11-24T06:00:00.000Z');
    store.roster.upsertMenu(menu.map((i) => ({ ...i, date: '2026-11-24' })));
    expect(cashier.groupMealsToday('5А')).toEqual([]);
    expect((await cashier.groupMeal({ ...again, groupMealId: 'g-e' })).students).toBe(2);
  });

  it('a class teacher records a group meal with their PIN without a shift; paid by the subsidy it uses the day’s subsidy', async () => {
    await cashier.closeShift({ supervisorPin: '2222', reason: 'test setup' });
    const fresh = new Cashier({ store, clock, isOnline: () => true, exportDir: dir });
    const g = await fresh.groupMeal({ groupMealId: 'g2', className: '5А', itemId: 'lunch', studentIds: ['S3'], payer: 'subsidy', teacherPin: '3333' });
    expect(events('group_meal').at(-1)?.payload).toMatchObject({ groupMealId: g.groupMealId, operatorId: 'E3', shiftId: null, payer: 'subsidy' });
    await cashier.openShift('E1', '1111');
    expect(sell(cards.s3, ['lunch'])).toMatchObject({ ok: true, receipt: { subsidyPart: 0 } });
  });

  it('shift close is refused while sales wait to sync, then closes with totals, a file and an event', async () => {
    sell(cards.s1, ['lunch', 'juice']);
    sell(cards.s3, ['lunch', 'bun']);
    const v = sell(cards.s6, ['juice']);
    if (!v.ok) throw new Error('refused');
    await cashier.voidSale(v.receipt.saleId, '2222', 'spilled');
    cashier.addToCart('juice');
    tap(cards.blocked);
    cashier.reject(asCheck(tap(cards.s6)).checkId, 'r1');
    cashier.clearCart();
    await cashier.groupMeal({ groupMealId: 'g3', className: '6Б', itemId: 'lunch', studentIds: ['S6'], payer: 'school' });

    const refused = await cashier.closeShift();
    expect(refused).toEqual({ ok: false, reason: 'shift_unsynced', pending: 6, anomalies: 0 });
    ackAll();
    const closed = await cashier.closeShift();
    if (!closed.ok) throw new Error('refused');
    const r = closed.report;
    expect(r.sales).toEqual({ count: 3, total: 185_00 + 180_00 + 40_00, subsidy: 145_00, account: 185_00 + 35_00 + 40_00 });
    expect(r.voids).toEqual({ count: 1, total: 40_00, account: 40_00 });
    expect(r.groupMeals).toEqual({ count: 1, students: 1, subsidy: 0, account: 0, school: 145_00 });
    expect(r.byCategory).toEqual([
      { category: 'Выпечка', quantity: 1, total: 35_00 },
      { category: 'Комплекс', quantity: 3, total: 435_00 },
      { category: 'Напитки', quantity: 1, total: 40_00 },
    ]);
    expect(r.refusals).toEqual({ card_blocked: 1, not_this_child: 1 });
    expect(r.override).toBeNull();
    expect(r.exportPath && existsSync(r.exportPath)).toBeTruthy();
    expect(JSON.parse(readFileSync(r.exportPath!, 'utf8'))).toMatchObject({ shiftId: r.shiftId, sales: r.sales });
    expect(events('shift_close').at(-1)?.payload).toMatchObject({
      shiftId: r.shiftId,
      totals: { sales: 3, voids: 1, 'category:Комплекс': 435_00, 'refused:card_blocked': 1 },
    });
    expect(cashier.state().shift).toBeNull();
    expect(tap(cards.s1)).toMatchObject({ kind: 'ignored', hint: 'no_shift' });
  });

  it('the shift totals reconcile: gross − voids = net = Σ by payment = Σ by category, on the report, the CSV and the event', async () => {
    const a = sell(cards.s1, ['lunch', 'juice']); // 185,00 from the account
    const b = sell(cards.s3, ['lunch', 'bun']); // free subsidy: lunch 145,00 by the subsidy, the bun 35,00 from the account
    const v = sell(cards.s6, ['juice']); // 40,00, voided below
    const c = sell(cards.s1, ['bun']); // 35,00
    if (!a.ok || !b.ok || !v.ok || !c.ok) throw new Error('refused');
    expect(b.receipt).toMatchObject({ subsidyPart: 145_00, accountPart: 35_00 });
    await cashier.voidSale(v.receipt.saleId, '2222', 'spilled');
    await cashier.groupMeal({ groupMealId: 'g-sub', className: '5А', itemId: 'lunch', studentIds: ['S4', 'S5'], payer: 'subsidy' }); // 290,00
    await cashier.groupMeal({ groupMealId: 'g-school', className: '6Б', itemId: 'lunch', studentIds: ['S6'], payer: 'school' }); // 145,00
    ackAll();
    const closed = await cashier.closeShift();
    if (!closed.ok) throw new Error('refused');
    const m = closed.report.money;
    expect(m.gross).toEqual({ count: 7, total: 185_00 + 180_00 + 40_00 + 35_00 + 290_00 + 145_00 });
    expect(m.voids).toEqual({ count: 1, total: 40_00 });
    expect(m.net).toEqual({ count: 6, total: 835_00 });
    expect(m.net.total).toBe(m.gross.total - m.voids.total);
    expect(m.byPayment).toEqual([
      { kind: 'sale_account', count: 3, total: 185_00 + 35_00 + 35_00 },
      { kind: 'sale_subsidy', count: 1, total: 145_00 },
      { kind: 'group_subsidy', count: 2, total: 290_00 },
      { kind: 'group_accounts', count: 0, total: 0 },
      { kind: 'group_school', count: 1, total: 145_00 },
    ]);
    expect(m.byCategory).toEqual([
      { category: 'Выпечка', quantity: 2, total: 70_00 },
      { category: 'Комплекс', quantity: 5, total: 725_00 },
      { category: 'Напитки', quantity: 1, total: 40_00 },
    ]);
    const sum = (xs: { total: number }[]) => xs.reduce((s, x) => s + x.total, 0);
    expect(sum(m.byPayment)).toBe(m.net.total);
    expect(sum(m.byCategory)).toBe(m.net.total);
    expect(m.reconciled).toBe(true);

    // The exported spreadsheet carries the same figures, in rubles.
    const csv = readFileSync(closed.report.csvPath!, 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const rows = csv
      .slice(1)
      .split('\r\n')
      .map((l) => l.split(';'));
    const row = (section: string, line: string) => rows.find((r) => r[0] === section && r[1] === line);
    expect(row('Итоги', 'Начислено')).toEqual(['Итоги', 'Начислено', '7', '875,00\u00a0₽']);
    expect(row('Итоги', 'Аннулировано')).toEqual(['Итоги', 'Аннулировано', '1', '−40,00\u00a0₽']);
    expect(row('Итоги', 'Итого за смену')).toEqual(['Итоги', 'Итого за смену', '6', '835,00\u00a0₽']);
    expect(row('По видам оплаты', 'Групповое питание: школа')).toEqual(['По видам оплаты', 'Групповое питание: школа', '1', '145,00\u00a0₽']);
    expect(row('По видам оплаты', 'Сумма раздела')?.[3]).toBe('835,00\u00a0₽');
    expect(row('По категориям', 'Комплекс')).toEqual(['По категориям', 'Комплекс', '5', '725,00\u00a0₽']);
    expect(row('По категориям', 'Сумма раздела')?.[3]).toBe('835,00\u00a0₽');
    expect(JSON.parse(readFileSync(closed.report.exportPath!, 'utf8')).money).toEqual(m);
    // And the shift_close event the backend gets.
    expect(events('shift_close').at(-1)?.payload).toMatchObject({
      totals: {
        gross: 875_00,
        net: 835_00,
        voidsTotal: 40_00,
        'payment:sale_account': 255_00,
        'payment:group_subsidy': 290_00,
        'payment:group_school': 145_00,
      },
    });
  });

  it('an anomaly keeps the shift open unless a supervisor overrides with a reason', async () => {
    sell(cards.s1, ['juice']);
    store.outbox.recordResults(
      store.outbox.pendingBatch(100).map((e) => ({ id: e.id, status: e.type === 'sale' ? ('anomaly' as const) : ('accepted' as const) })),
    );
    expect(await cashier.closeShift()).toEqual({ ok: false, reason: 'shift_unsynced', pending: 0, anomalies: 1 });
    expect(await reasonOf(() => cashier.closeShift({ supervisorPin: '1111', reason: 'end of day' }))).toBe('pin_wrong');
    const r = await cashier.closeShift({ supervisorPin: '2222', reason: 'end of day' });
    expect(r).toMatchObject({
      ok: true,
      report: { anomaliesAtClose: 1, override: { supervisorId: 'E2', supervisorName: 'Белова Наталья Андреевна', reason: 'end of day' } },
    });
  });
});
