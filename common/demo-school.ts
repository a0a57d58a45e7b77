/**
 * A demo school generated on the spot (no downloads): students and staff with drawn portraits, a few
 * cards each (including a blocked, a lost and a temporary one), accounts and a day's menu.
 * Deterministic for a given seed, so tests and screenshots are repeatable. Pure: returns data only.
 */
import type { PortraitSpec } from './demo-portrait.ts';
import type { Account, Card, MenuItem, Staff, Student } from './domain.ts';

export interface DemoSchool {
  students: Student[];
  staff: (Staff & { pin: string })[];
  cards: Card[];
  accounts: Account[];
  menu: MenuItem[];
  /** Person id → how the portrait looks; `portraitPng` (common/demo-portrait.ts) draws it as a PNG. */
  photos: Map<string, PortraitSpec>;
}

/**
 * The demo school's reserve stock of spare cards. 8-byte uids, so they never collide with the
 * generated 7-byte student cards. The reference server's demo keeps them in its stock; a station running
 * the embedded demo without a server seeds them itself (core/demo-seed.ts).
 */
export const DEMO_SPARE_CARDS: readonly { technology: 'iso14443'; uid: string; label: string }[] = [1, 2, 3, 4].map((n) => ({
  technology: 'iso14443' as const,
  uid: `04D000000000000${n}`,
  label: `Запасная ${n}`,
}));

export interface DemoOptions {
  students?: number;
  seed?: number;
  /** School day the menu is for (YYYY-MM-DD). */
  date: string;
  /** Instant the balances are "as of". */
  now: string;
}

const FIRST_M = ['Алексей', 'Иван', 'Дмитрий', 'Максим', 'Артём', 'Михаил', 'Никита', 'Егор', 'Матвей', 'Кирилл', 'Тимофей', 'Лев'];
const FIRST_F = ['Анна', 'Мария', 'София', 'Алиса', 'Виктория', 'Полина', 'Ева', 'Варвара', 'Ксения', 'Дарья', 'Вероника', 'Арина'];
const LAST = [
  'Иванов',
  'Смирнов',
  'Кузнецов',
  'Попов',
  'Васильев',
  'Петров',
  'Соколов',
  'Михайлов',
  'Новиков',
  'Фёдоров',
  'Морозов',
  'Волков',
  'Алексеев',
  'Лебедев',
  'Семёнов',
  'Егоров',
];
const PATR_M = ['Алексеевич', 'Иванович', 'Дмитриевич', 'Сергеевич', 'Андреевич', 'Олегович'];
const PATR_F = ['Алексеевна', 'Ивановна', 'Дмитриевна', 'Сергеевна', 'Андреевна', 'Олеговна'];
const LETTERS = ['А', 'Б', 'В'];
const SKIN = ['#f1c27d', '#e0ac69', '#ffdbac', '#c68642', '#f5d0b0'];
const HAIR = ['#2c1b10', '#6a4e23', '#b5812f', '#d9b36c', '#3b3024', '#8d4a2b'];
const BG = ['#cfe3f7', '#d8f0d2', '#f7e1cf', '#e6d9f4', '#f4d7de', '#d5eef0'];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function hexBytes(r: () => number, n: number, first?: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const b = i === 0 && first !== undefined ? first : Math.floor(r() * 256);
    s += b.toString(16).padStart(2, '0');
  }
  return s.toUpperCase();
}

/** A simple, friendly portrait: background, skin, hair and shirt colours (drawn by common/demo-portrait.ts). */
function portraitSpec(r: () => number, female: boolean): PortraitSpec {
  const bg = pick(r, BG);
  const skin = pick(r, SKIN);
  const hair = pick(r, HAIR);
  // 24 shirt colours: every pupil keeps the colour of before, within 15 degrees.
  const shirtHue = Math.floor(Math.floor(r() * 360) / 15) * 15;
  return { bg, skin, hair, shirtHue, female };
}

export function generateDemoSchool(options: DemoOptions): DemoSchool {
  const r = rng(options.seed ?? 20260901);
  const count = options.students ?? 30;
  const students: Student[] = [];
  const staff: (Staff & { pin: string })[] = [];
  const cards: Card[] = [];
  const accounts: Account[] = [];
  const photos = new Map<string, PortraitSpec>();
  const usedUids = new Set<string>();
  const uid = (tech: Card['technology']): string => {
    for (;;) {
      // ISO 14443: 7-byte NXP-style uids starting 04; EM-Marine: 5 bytes.
      const u = tech === 'iso14443' ? hexBytes(r, 7, 0x04) : hexBytes(r, 5);
      if (!usedUids.has(`${tech}:${u}`)) {
        usedUids.add(`${tech}:${u}`);
        return u;
      }
    }
  };

  for (let i = 0; i < count; i++) {
    const female = r() < 0.5;
    const first = pick(r, female ? FIRST_F : FIRST_M);
    const last = pick(r, LAST) + (female ? 'а' : '');
    const patr = pick(r, female ? PATR_F : PATR_M);
    const grade = 1 + (i % 11);
    const className = `${grade}${LETTERS[Math.floor(i / 11) % LETTERS.length]}`;
    const id = `S${String(i + 1).padStart(5, '0')}`;
    students.push({ id, fullName: `${last} ${first} ${patr}`, className, photoHash: null, status: 'active' });
    photos.set(id, portraitSpec(r, female));
    cards.push({ technology: 'iso14443', uid: uid('iso14443'), holderKind: 'student', holderId: id, status: 'active', validUntil: null });
    if (i % 3 === 0) cards.push({ technology: 'em4100', uid: uid('em4100'), holderKind: 'student', holderId: id, status: 'active', validUntil: null });
    accounts.push({
      holderId: id,
      balance: Math.floor(r() * 150_00) + (i % 7 === 0 ? 0 : 200_00),
      balanceAt: options.now,
      dailyLimit: i % 4 === 0 ? 300_00 : null,
      forbiddenCategories: i % 5 === 0 ? ['Сладкое'] : [],
      allergens: i % 9 === 0 ? ['орехи'] : [],
      subsidy: i % 6 === 0 ? 'free' : i % 6 === 1 ? 'discounted' : 'none',
      parentNote: i % 9 === 0 ? 'Аллергия на орехи' : null,
    });
  }
  // A blocked card, a lost card replaced by a temporary one: the balance stays on the account.
  if (students.length >= 3) {
    const [s1, s2] = [students[1]!, students[2]!];
    cards.push({ technology: 'iso14443', uid: uid('iso14443'), holderKind: 'student', holderId: s1.id, status: 'blocked', validUntil: null });
    cards.push({ technology: 'iso14443', uid: uid('iso14443'), holderKind: 'student', holderId: s2.id, status: 'lost', validUntil: null });
    cards.push({ technology: 'iso14443', uid: uid('iso14443'), holderKind: 'student', holderId: s2.id, status: 'temporary', validUntil: null });
  }

  const staffSpec: [string, string, Staff['roles'], boolean][] = [
    ['Орлова Татьяна Викторовна', 'Кассир', ['cashier'], true],
    ['Громов Сергей Петрович', 'Охранник', ['guard'], false],
    ['Белова Наталья Андреевна', 'Заведующая столовой', ['cashier', 'supervisor'], true],
    ['Зайцева Ольга Игоревна', 'Классный руководитель 5А', ['teacher'], true],
  ];
  staffSpec.forEach(([fullName, position, roles, female], i) => {
    const id = `E${String(i + 1).padStart(4, '0')}`;
    staff.push({ id, fullName, position, photoHash: null, status: 'active', roles, pin: String(1111 * (i + 1)).slice(0, 4) });
    photos.set(id, portraitSpec(r, female));
    cards.push({ technology: 'iso14443', uid: uid('iso14443'), holderKind: 'staff', holderId: id, status: 'active', validUntil: null });
  });

  const menu: MenuItem[] = [
    { id: 'M01', name: 'Комплексный завтрак', category: 'Комплекс', kind: 'complex', price: 95_00, allergens: ['молоко'] },
    { id: 'M02', name: 'Комплексный обед', category: 'Комплекс', kind: 'complex', price: 145_00, allergens: [] },
    { id: 'M03', name: 'Булочка с маком', category: 'Выпечка', kind: 'buffet', price: 35_00, allergens: ['глютен'] },
    { id: 'M04', name: 'Пирожок с капустой', category: 'Выпечка', kind: 'buffet', price: 30_00, allergens: ['глютен'] },
    { id: 'M05', name: 'Сок яблочный', category: 'Напитки', kind: 'buffet', price: 40_00, allergens: [] },
    { id: 'M06', name: 'Чай с лимоном', category: 'Напитки', kind: 'buffet', price: 15_00, allergens: [] },
    { id: 'M07', name: 'Шоколадный батончик', category: 'Сладкое', kind: 'buffet', price: 55_50, allergens: ['орехи', 'молоко'] },
    { id: 'M08', name: 'Яблоко', category: 'Фрукты', kind: 'buffet', price: 20_00, allergens: [] },
  ].map((m) => ({ ...m, date: options.date }) as MenuItem);

  return { students, staff, cards, accounts, menu, photos };
}

/**
 * Whether the demo school has a person's written photo consent: every seventh pupil's parents have not
 * signed it (S00007, S00017, …), so a newcomer sees a pupil the guard and the cashier check by name and
 * class, "без фото".
 */
export function demoPhotoConsent(id: string): boolean {
  return !/^S\d*7$/.test(id);
}
