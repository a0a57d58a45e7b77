/**
 * A 4-digit PIN is 10,000 tries: the one staff PIN check (the till's shift, void and override, the guard
 * post's duty, IT's setup) makes each try after the third wrong one wait longer, closes PIN entry for a
 * minute after five wrong ones in a row, and counts them before the slow hash runs, so PINs sent all at
 * once are counted one by one. Real SQLite store with staff rows as the roster brings them (salted scrypt
 * hashes, sealed at rest).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import { hashPin } from '../../core/pin.ts';
import { PIN_LOCKOUT, pinDelayMs, StaffPins } from '../../core/staff-pin.ts';
import { openStore } from '../../core/store/index.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir('pin-lockout-');

function setup(options: { realTime?: boolean } = {}) {
  const store = openStore(join(tempDir(), 'station.db'), systemClock());
  store.roster.upsertStaff([
    { id: 'E1', fullName: 'Громов Сергей Петрович', position: 'Охранник', photoHash: null, status: 'active', roles: ['guard'], pinHash: hashPin('2468') },
    { id: 'E2', fullName: 'Белова Нина Андреевна', position: 'Завуч', photoHash: null, status: 'active', roles: ['supervisor'], pinHash: hashPin('135790') },
  ]);
  const warnings: string[] = [];
  let now = Date.parse('2026-11-23T05:00:00Z');
  // Every hash the check opens: how many PINs actually reached scrypt.
  let hashed = 0;
  const roster = {
    staffRow: store.roster.staffRow.bind(store.roster),
    activeStaff: store.roster.activeStaff.bind(store.roster),
    pinHashOf: (row: Parameters<typeof store.roster.pinHashOf>[0]) => {
      hashed++;
      return store.roster.pinHashOf(row);
    },
  };
  const pins = new StaffPins(roster, { warn: (_o, msg) => void warnings.push(msg) }, options.realTime ? Date.now : () => now);
  return { store, pins, warnings, advance: (ms: number) => (now += ms), hashed: () => hashed };
}

describe('PIN lockout', () => {
  it('waits 0, 0, 0, 1 s, 2 s between wrong PINs; after five in a row even the right PIN is refused for a minute; IT sees the lock', async () => {
    const { store, pins, warnings, advance } = setup();
    expect([0, 1, 2, 3, 4, 5].map(pinDelayMs)).toEqual([0, 0, 0, 1_000, 2_000, 4_000]);
    for (let i = 1; i < PIN_LOCKOUT.wrongInARow; i++) {
      expect(await pins.check('0000', ['guard'], 'E1')).toMatchObject({ ok: false, reason: 'pin_wrong' });
      advance(pinDelayMs(i));
    }
    expect(await pins.check('0000', ['guard'], 'E1')).toMatchObject({ ok: false, reason: 'pin_locked', retryAfterMs: PIN_LOCKOUT.lockMs });
    expect(await pins.check('2468', ['guard'], 'E1')).toMatchObject({ ok: false, reason: 'pin_locked' });
    expect(warnings.some((w) => w.includes('locked'))).toBe(true);

    advance(PIN_LOCKOUT.lockMs - 1);
    expect(await pins.check('2468', ['guard'], 'E1')).toMatchObject({ ok: false, reason: 'pin_locked' });
    advance(1);
    expect(await pins.check('2468', ['guard'], 'E1')).toMatchObject({ ok: true, staff: { id: 'E1' } });
    store.close();
  });

  it('a PIN typed before the wait is over is refused unchecked and counts as wrong', async () => {
    const { store, pins, advance, hashed } = setup();
    for (let i = 0; i < PIN_LOCKOUT.freeTries; i++) expect((await pins.check('1357', ['guard'], 'E1')).ok).toBe(false);
    const before = hashed();
    expect(await pins.check('2468', ['guard'], 'E1')).toMatchObject({ ok: false, reason: 'pin_wait', retryAfterMs: PIN_LOCKOUT.firstDelayMs * 2 });
    expect(hashed()).toBe(before);
    // That early try was the fourth wrong one: the wait doubled.
    advance(PIN_LOCKOUT.firstDelayMs * 2);
    expect(await pins.check('2468', ['guard'], 'E1')).toMatchObject({ ok: true });
    store.close();
  });

  it('a right PIN resets the count: a guard who mistypes now and then is never locked out', async () => {
    const { store, pins, advance } = setup();
    for (let round = 0; round < 3; round++) {
      for (let i = 1; i < PIN_LOCKOUT.wrongInARow; i++) {
        expect((await pins.check('1357', ['guard'])).ok).toBe(false);
        advance(pinDelayMs(i));
      }
      expect(await pins.check('2468', ['guard'])).toMatchObject({ ok: true });
    }
    store.close();
  });

  it('wrong PINs are counted per person: locking one out does not lock another', async () => {
    const { store, pins } = setup({ realTime: true });
    await Promise.all(Array.from({ length: 10 }, () => pins.check('0000', ['guard'], 'E1')));
    expect(await pins.check('2468', ['guard'], 'E1')).toMatchObject({ ok: false, reason: 'pin_locked' });
    expect(await pins.check('135790', ['supervisor'], 'E2')).toMatchObject({ ok: true, staff: { id: 'E2' } });
    store.close();
  });

  it('30 wrong PINs sent at once, then the right one: locked, and scrypt ran only for the first few', async () => {
    const { store, pins, hashed } = setup({ realTime: true });
    const wrong = Array.from({ length: 30 }, (_, i) => pins.check(String(1000 + i), ['guard'], 'E1'));
    const right = pins.check('2468', ['guard'], 'E1');
    const results = await Promise.all(wrong);
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(results.filter((r) => !r.ok && r.reason === 'pin_wrong')).toHaveLength(PIN_LOCKOUT.freeTries);
    expect(await right).toMatchObject({ ok: false, reason: 'pin_locked' });
    expect(hashed()).toBe(PIN_LOCKOUT.freeTries);
    store.close();
  });

  it('accepts a PIN of 6 to 12 digits', async () => {
    const { store, pins } = setup();
    store.roster.upsertStaff([
      { id: 'E3', fullName: 'Котов Илья Ильич', position: 'ИТ', photoHash: null, status: 'active', roles: ['it'], pinHash: hashPin('802417365190') },
    ]);
    expect(await pins.check('802417365190', ['it'], 'E3')).toMatchObject({ ok: true, staff: { id: 'E3' } });
    expect(await pins.check('135790', ['supervisor'], 'E2')).toMatchObject({ ok: true });
    store.close();
  });
});
