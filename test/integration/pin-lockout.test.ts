/**
 * A 4-digit PIN is 10,000 tries: the one staff PIN check (the till's shift, void and override, the guard
 * post's duty) stops taking PINs for a minute after five wrong ones in a row. Real SQLite store with
 * staff rows as the roster brings them (salted scrypt hashes).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import { hashPin } from '../../core/pin.ts';
import { PIN_LOCKOUT, StaffPins } from '../../core/staff-pin.ts';
import { openStore } from '../../core/store/index.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir('pin-lockout-');

function setup() {
  const store = openStore(join(tempDir(), 'station.db'), systemClock());
  store.roster.upsertStaff([
    { id: 'E1', fullName: 'Громов Сергей Петрович', position: 'Охранник', photoHash: null, status: 'active', roles: ['guard'], pinHash: hashPin('2468') },
  ]);
  const warnings: string[] = [];
  let now = Date.parse('2026-11-23T05:00:00Z');
  const pins = new StaffPins(store.roster, { warn: (_o, msg) => void warnings.push(msg) }, () => now);
  return { store, pins, warnings, advance: (ms: number) => (now += ms) };
}

describe('PIN lockout', () => {
  it('after five wrong PINs in a row even the right PIN is refused for a minute, then works again; IT sees the lock in the log', async () => {
    const { store, pins, warnings, advance } = setup();
    for (let i = 0; i < PIN_LOCKOUT.wrongInARow; i++) expect(pins.check('0000', ['guard'])).toEqual({ ok: false, reason: 'pin_wrong' });
    expect(pins.check('2468', ['guard'])).toEqual({ ok: false, reason: 'pin_locked' });
    expect(await pins.checkAsync('2468', ['guard'])).toEqual({ ok: false, reason: 'pin_locked' });
    expect(warnings.some((w) => w.includes('locked'))).toBe(true);

    advance(PIN_LOCKOUT.lockMs - 1);
    expect(pins.check('2468', ['guard'])).toMatchObject({ ok: false, reason: 'pin_locked' });
    advance(1);
    expect(pins.check('2468', ['guard'])).toMatchObject({ ok: true, staff: { id: 'E1' } });
    store.close();
  });

  it('a right PIN resets the count: a guard who mistypes now and then is never locked out', async () => {
    const { store, pins } = setup();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < PIN_LOCKOUT.wrongInARow - 1; i++) expect((await pins.checkAsync('1357', ['guard'])).ok).toBe(false);
      expect(await pins.checkAsync('2468', ['guard'])).toMatchObject({ ok: true });
    }
    store.close();
  });
});
