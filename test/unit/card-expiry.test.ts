import { describe, expect, it } from 'vitest';
import { decideTillTap } from '../../common/cashier-rules.ts';
import { cardExpired } from '../../common/domain.ts';
import { decideTap } from '../../common/guard-rules.ts';

const until = '2026-12-01T20:59:59.000Z';
const at = Date.parse(until);

describe('a card expiring now is refused at the turnstile and at the till alike', () => {
  it.each([
    [at - 1, false],
    [at, true],
    [at + 1, true],
  ])('at %i: expired %s', (now, expired) => {
    expect(cardExpired(until, now)).toBe(expired);
    const guard = decideTap(
      {
        role: 'entry',
        card: { technology: 'iso14443', uid: '04A1B2C3D4E5F6' },
        found: { status: 'temporary', validUntil: until, holderKind: 'student', holderId: 'S1' },
        holder: { kind: 'student', id: 'S1', fullName: 'Иванов Иван', group: '5А', photoHash: null },
        personStatus: 'active',
        lastDirectionToday: null,
        now,
      },
      { antiPassback: 'off' },
    );
    const till = decideTillTap({ card: { status: 'temporary', validUntil: until }, holder: { kind: 'student' }, hasAccount: true, now });
    expect(guard.reason === 'card_expired').toBe(expired);
    expect(till === 'card_expired').toBe(expired);
  });

  it('a card with no end date never expires', () => {
    expect(cardExpired(null, Date.now())).toBe(false);
  });
});
