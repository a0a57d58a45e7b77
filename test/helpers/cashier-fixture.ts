/**
 * A real SQLite store on disk with a small school made for the cashier's tests: accounts chosen to
 * hit each rule, a menu with a complex meal, staff with hashed PINs, and a clock the test moves.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Account, Card, MenuItem, Staff, Student } from '../../common/domain.ts';
import type { Clock } from '../../common/clock.ts';
import { hashPin } from '../../core/pin.ts';
import { openStore, type Store } from '../../core/store/index.ts';

export interface TestClock extends Clock {
  set(iso: string): void;
  advance(ms: number): void;
}

export function testClock(iso: string): TestClock {
  let t = Date.parse(iso);
  let offset = 0;
  return {
    now: () => t,
    offsetMs: () => offset,
    setOffsetMs: (o) => {
      offset = o;
    },
    set: (i) => {
      t = Date.parse(i);
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export const TODAY = '2026-11-23';
/** 09:00 Moscow time on TODAY. */
export const MORNING = '2026-11-23T06:00:00.000Z';

export const menu: MenuItem[] = [
  { id: 'lunch', date: TODAY, name: 'Комплексный обед', category: 'Комплекс', kind: 'complex', price: 145_00, allergens: [] },
  { id: 'bf', date: TODAY, name: 'Комплексный завтрак', category: 'Комплекс', kind: 'complex', price: 95_50, allergens: ['молоко'] },
  { id: 'bun', date: TODAY, name: 'Булочка с маком', category: 'Выпечка', kind: 'buffet', price: 35_00, allergens: ['глютен'] },
  { id: 'juice', date: TODAY, name: 'Сок яблочный', category: 'Напитки', kind: 'buffet', price: 40_00, allergens: [] },
  { id: 'choc', date: TODAY, name: 'Шоколадный батончик', category: 'Сладкое', kind: 'buffet', price: 55_50, allergens: ['орехи'] },
];

const student = (id: string, fullName: string, className = '5А'): Student => ({ id, fullName, className, photoHash: null, status: 'active' });
export const students: Student[] = [
  student('S1', 'Иванов Иван Иванович'),
  student('S2', 'Петрова Мария Сергеевна'),
  student('S3', 'Сидоров Пётр Олегович'),
  student('S4', 'Кузнецова Анна Дмитриевна'),
  student('S5', 'Смирнов Лев Андреевич'),
  student('S6', 'Волкова Ева Игоревна', '6Б'),
];

const account = (holderId: string, over: Partial<Account> = {}): Account => ({
  holderId,
  balance: 500_00,
  balanceAt: '2026-11-23T05:00:00.000Z',
  dailyLimit: null,
  forbiddenCategories: [],
  allergens: [],
  subsidy: 'none',
  parentNote: null,
  ...over,
});
export const accounts: Account[] = [
  account('S1'),
  account('S2', { allergens: ['орехи'], forbiddenCategories: ['Сладкое'], parentNote: 'Аллергия на орехи' }),
  account('S3', { subsidy: 'free' }),
  account('S4', { dailyLimit: 100_00 }),
  account('S5', { balance: 50_00 }),
  account('S6'),
  account('E1', { balance: 1000_00 }),
];

export const staff: (Staff & { pin: string })[] = [
  { id: 'E1', fullName: 'Орлова Татьяна Викторовна', position: 'Кассир', photoHash: null, status: 'active', roles: ['cashier'], pin: '1111' },
  { id: 'E2', fullName: 'Белова Наталья Андреевна', position: 'Заведующая', photoHash: null, status: 'active', roles: ['cashier', 'supervisor'], pin: '2222' },
  { id: 'E3', fullName: 'Зайцева Ольга Игоревна', position: 'Учитель', photoHash: null, status: 'active', roles: ['teacher'], pin: '3333' },
  { id: 'E4', fullName: 'Громов Сергей Петрович', position: 'Охранник', photoHash: null, status: 'active', roles: ['guard'], pin: '4444' },
];

/** An active ISO 14443 student card, with any field overridden. */
export const card = (uid: string, holderId: string, over: Partial<Card> = {}): Card => ({
  technology: 'iso14443',
  uid,
  holderKind: 'student',
  holderId,
  status: 'active',
  validUntil: null,
  ...over,
});
export const cards = {
  s1: card('04A1000000000001', 'S1'),
  s2: card('04A1000000000002', 'S2'),
  s3: card('04A1000000000003', 'S3'),
  s4: card('04A1000000000004', 'S4'),
  s5: card('04A1000000000005', 'S5'),
  s6: card('04A1000000000006', 'S6'),
  blocked: card('04B1000000000001', 'S1', { status: 'blocked' }),
  lost: card('04B1000000000002', 'S1', { status: 'lost' }),
  expired: card('04B1000000000003', 'S1', { status: 'temporary', validUntil: '2026-11-01T00:00:00.000Z' }),
  cashierStaff: card('04C1000000000001', 'E1', { holderKind: 'staff' }),
  guardStaff: card('04C1000000000004', 'E4', { holderKind: 'staff' }),
};
export const unknownCard = { technology: 'iso14443' as const, uid: '04FFFFFFFFFFFF' };

// PIN hashing is deliberately slow: hash each once per process.
let hashedStaff: (Staff & { pinHash: string })[] | null = null;
function staffWithHashes(): (Staff & { pinHash: string })[] {
  hashedStaff ??= staff.map(({ pin, ...s }) => ({ ...s, pinHash: hashPin(pin) }));
  return hashedStaff;
}

export function seedCashierSchool(store: Store): void {
  store.roster.upsertStudents(students);
  store.roster.upsertStaff(staffWithHashes());
  store.roster.upsertCards(Object.values(cards));
  store.roster.upsertAccounts(accounts);
  store.roster.upsertMenu(menu);
}

export function openCashierStore(clock: Clock, dir = mkdtempSync(join(tmpdir(), 'cashier-'))): { store: Store; dir: string } {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const store = openStore(join(dir, 'station.db'), clock);
  return { store, dir };
}
