/**
 * The school's time zone comes from its backend, and every school day the station counts is in it —
 * never the PC's zone, never a zone written into the code. This file runs with the process (the
 * "station PC") set to a zone unlike any school's, Pacific/Kiritimati (UTC+14), and three schools:
 * Kaliningrad (UTC+2), Vladivostok (UTC+10) and New York (summer time).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CardRead } from '../../common/readers.ts';
import { Cashier } from '../../core/cashier/index.ts';
import type { Store } from '../../core/store/index.ts';
import { accounts, cards, menu, openCashierStore, seedCashierSchool, testClock, type TestClock } from '../helpers/cashier-fixture.ts';
import { gCards, gSpares, seedGuardSchool, startGuardRig, type GuardRig } from '../helpers/guard-fixture.ts';

const machineZone = process.env.TZ;
beforeAll(() => {
  // Node follows a change of TZ at once: from here on the process's own zone is UTC+14.
  process.env.TZ = 'Pacific/Kiritimati';
  expect(new Date(Date.parse('2026-11-23T12:00:00.000Z')).getHours()).toBe(2);
});
afterAll(() => {
  if (machineZone === undefined) delete process.env.TZ;
  else process.env.TZ = machineZone;
});

const rigs: GuardRig[] = [];
const stores: Store[] = [];
afterEach(async () => {
  while (rigs.length) await rigs.pop()?.close();
  while (stores.length) stores.pop()?.close();
});

/** What the roster page of the school's backend brought: its settings (sync/pull.ts keeps them so). */
const schoolIn = (store: Store, timeZone: string) => store.syncState.set('school_settings', JSON.stringify({ timeZone }));

async function guardIn(timeZone: string, startIso: string): Promise<{ r: GuardRig; clock: TestClock }> {
  const clock = testClock(startIso);
  const r = await startGuardRig(clock);
  rigs.push(r);
  seedGuardSchool(r.store);
  r.store.spares.add(gSpares);
  schoolIn(r.store, timeZone);
  return { r, clock };
}

const tapAt = (r: GuardRig, clock: TestClock, iso: string, c: { technology: 'iso14443' | 'em4100'; uid: string }, role: 'entry' | 'exit' = 'entry') => {
  clock.set(iso);
  const read: CardRead = { readerId: role, technology: c.technology, uid: c.uid, part: 'full', raw: c.uid, at: iso };
  return r.guard.onCard(read, role);
};

describe('the guard post counts the school’s day in the school’s zone', () => {
  it('Kaliningrad: a pass at 23:30 is today’s, one at 00:30 starts a new day; a spare card lasts to Kaliningrad midnight; the roll call prints school time', async () => {
    const { r, clock } = await guardIn('Europe/Kaliningrad', '2026-11-23T21:00:00.000Z');
    expect(tapAt(r, clock, '2026-11-23T21:30:00.000Z', gCards.s1)).toMatchObject({ verdict: 'allow' });
    expect(r.guard.schoolDate()).toBe('2026-11-23');
    expect(r.guard.counters()).toMatchObject({ enteredToday: 1, insideNow: 1 });
    // Moscow is already on the 24th at 21:30 UTC; Kaliningrad is not.
    const csv = r.guard.exportInside('csv', 'ru').content;
    expect(csv).toContain('23:30');
    const spare = r.guard.bindSpareCard({ card: gSpares[0]!, holderKind: 'student', holderId: 'S2', operatorId: null });
    expect(spare.validUntil).toBe('2026-11-23T21:59:59.999Z');

    expect(tapAt(r, clock, '2026-11-23T22:30:00.000Z', gCards.s3)).toMatchObject({ verdict: 'allow' });
    expect(r.guard.schoolDate()).toBe('2026-11-24');
    expect(r.guard.counters()).toMatchObject({ enteredToday: 1, insideNow: 1 });
    expect(r.store.passes.counts('2026-11-23').entered).toBe(1);
    expect(r.store.passes.counts('2026-11-24').entered).toBe(1);
  });

  it('Vladivostok: the school day turns at 14:00 UTC, the spare card ends at 13:59:59.999 UTC', async () => {
    const { r, clock } = await guardIn('Asia/Vladivostok', '2026-11-23T03:00:00.000Z');
    tapAt(r, clock, '2026-11-23T13:30:00.000Z', gCards.s1);
    expect(r.guard.schoolDate()).toBe('2026-11-23');
    expect(r.guard.bindSpareCard({ card: gSpares[0]!, holderKind: 'student', holderId: 'S2', operatorId: null }).validUntil).toBe('2026-11-23T13:59:59.999Z');
    tapAt(r, clock, '2026-11-23T14:30:00.000Z', gCards.s3);
    expect(r.guard.schoolDate()).toBe('2026-11-24');
    expect(r.store.passes.counts('2026-11-24').entered).toBe(1);
  });

  it('New York: on the day summer time starts the school day still ends at local midnight (03:59:59.999 UTC)', async () => {
    const { r } = await guardIn('America/New_York', '2026-03-08T15:00:00.000Z');
    expect(r.guard.schoolDate()).toBe('2026-03-08');
    expect(r.guard.bindSpareCard({ card: gSpares[0]!, holderKind: 'student', holderId: 'S2', operatorId: null }).validUntil).toBe('2026-03-09T03:59:59.999Z');
  });

  it('the school’s zone changes on the backend: the next tap counts by the new zone', async () => {
    const { r, clock } = await guardIn('Europe/Kaliningrad', '2026-11-23T21:30:00.000Z');
    expect(r.guard.schoolDate()).toBe('2026-11-23');
    schoolIn(r.store, 'Europe/Moscow');
    clock.advance(1000);
    expect(r.guard.schoolDate()).toBe('2026-11-24');
  });
});

describe('the till counts the subsidy once a school day in the school’s zone, and takes the school’s rules', () => {
  it('Vladivostok: a free meal at 23:00, none at 23:30, another at 00:30 the next school day', async () => {
    const clock = testClock('2026-11-23T13:00:00.000Z');
    const { store, dir } = openCashierStore(clock);
    stores.push(store);
    seedCashierSchool(store);
    store.roster.upsertMenu(menu.map((m) => ({ ...m, date: '2026-11-24' })));
    schoolIn(store, 'Asia/Vladivostok');
    const cashier = new Cashier({ store, clock, isOnline: () => true, exportDir: join(dir, 'exports') });
    await cashier.openShift('E1', '1111');
    const lunch = () => {
      cashier.addToCart('lunch');
      const check = cashier.onCard({ readerId: 'till', technology: cards.s3.technology, uid: cards.s3.uid, raw: '', at: new Date(clock.now()).toISOString() });
      if (!('checkId' in check)) throw new Error(`no photo check: ${JSON.stringify(check)}`);
      const r = cashier.confirm(check.checkId, `sale-${clock.now()}`);
      if (!r.ok) throw new Error(`sale refused: ${JSON.stringify(r)}`);
      return r.receipt.subsidyPart;
    };
    expect(accounts.find((a) => a.holderId === 'S3')?.subsidy).toBe('free');
    expect(lunch()).toBe(145_00);
    clock.set('2026-11-23T13:30:00.000Z');
    expect(lunch()).toBe(0);
    clock.set('2026-11-23T14:30:00.000Z');
    expect(lunch()).toBe(145_00);
    expect(store.ledger.figures('S3', '2026-11-24').subsidyUsedToday).toBe(true);
  });

  it('the offline cap is the school’s from the backend, not a station setting', async () => {
    const clock = testClock('2026-11-23T06:00:00.000Z');
    const { store, dir } = openCashierStore(clock);
    stores.push(store);
    seedCashierSchool(store);
    store.syncState.set('school_settings', JSON.stringify({ timeZone: 'Europe/Moscow', offlineCapPerDay: 50_00 }));
    // The refusal's figures reach the page only when the till may show them on request.
    store.settings.update({ showBalance: 'on_request' });
    const cashier = new Cashier({ store, clock, isOnline: () => false, exportDir: join(mkdtempSync(join(tmpdir(), 'tz-')), 'exports') });
    await cashier.openShift('E1', '1111');
    cashier.addToCart('lunch');
    const check = cashier.onCard({ readerId: 'till', technology: cards.s1.technology, uid: cards.s1.uid, raw: '', at: new Date(clock.now()).toISOString() });
    if (!('checkId' in check)) throw new Error('no photo check');
    // 145,00 ₽ offline is over the school's 50,00 ₽ (the old station default was 300,00 ₽).
    expect(cashier.confirm(check.checkId, 'sale-offline')).toMatchObject({ ok: false, reason: 'offline_cap', details: { offlineCap: 50_00 } });
    void dir;
  });
});
