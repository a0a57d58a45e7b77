import { describe, expect, it } from 'vitest';
import { decideTap, groupInside, InsideNow, TapFloodGuard, type TapFacts } from '../../common/guard-rules.ts';

const NOW = Date.parse('2026-09-01T07:45:00.000Z');

function facts(over: Partial<TapFacts> = {}): TapFacts {
  return {
    role: 'entry',
    card: { technology: 'iso14443', uid: '04A1B2C3D4E580' },
    found: { status: 'active', validUntil: null, holderKind: 'student', holderId: 's1' },
    holder: { kind: 'student', id: 's1', fullName: 'Иванова Анна', group: '5А', photoHash: 'abc' },
    personStatus: 'active',
    lastDirectionToday: null,
    now: NOW,
    ...over,
  };
}
const off = { antiPassback: 'off' } as const;

describe('decideTap', () => {
  it('lets an active student in at the entry reader and out at the exit reader', () => {
    const d = decideTap(facts(), off);
    expect(d).toMatchObject({ verdict: 'allow', reason: 'ok', direction: 'in', alarm: false, notices: [] });
    expect(decideTap(facts({ role: 'exit' }), off)).toMatchObject({ verdict: 'allow', direction: 'out' });
  });

  it('lets active staff through', () => {
    const d = decideTap(
      facts({
        found: { status: 'active', validUntil: null, holderKind: 'staff', holderId: 't1' },
        holder: { kind: 'staff', id: 't1', fullName: 'Петров П. П.', group: 'учитель', photoHash: 'p' },
      }),
      off,
    );
    expect(d.verdict).toBe('allow');
  });

  it('allows a temporary card with a temporary-card banner', () => {
    const d = decideTap(facts({ found: { status: 'temporary', validUntil: '2026-09-01T20:59:59.999Z', holderKind: 'student', holderId: 's1' } }), off);
    expect(d).toMatchObject({ verdict: 'allow', reason: 'temporary_card', alarm: false });
    expect(d.notices).toContain('temporary_card');
  });

  it('denies blocked and lost cards with an alarm', () => {
    expect(decideTap(facts({ found: { status: 'blocked', validUntil: null, holderKind: 'student', holderId: 's1' } }), off)).toMatchObject({
      verdict: 'deny',
      reason: 'card_blocked',
      alarm: true,
    });
    expect(decideTap(facts({ found: { status: 'lost', validUntil: null, holderKind: 'student', holderId: 's1' } }), off)).toMatchObject({
      verdict: 'deny',
      reason: 'card_lost',
      alarm: true,
    });
  });

  it('denies a card whose validity has passed, and allows one still valid', () => {
    const past = { status: 'active' as const, validUntil: '2026-09-01T07:44:59.000Z', holderKind: 'student' as const, holderId: 's1' };
    expect(decideTap(facts({ found: past }), off)).toMatchObject({ verdict: 'deny', reason: 'card_expired' });
    const future = { ...past, validUntil: '2026-09-01T07:45:01.000Z' };
    expect(decideTap(facts({ found: future }), off).verdict).toBe('allow');
  });

  it('denies an unknown card with an alarm and its printed forms', () => {
    const d = decideTap(facts({ card: { technology: 'em4100', uid: '06008E6D5D' }, found: null, holder: null, personStatus: null }), off);
    expect(d).toMatchObject({ verdict: 'deny', reason: 'unknown_card', alarm: true });
    expect(d.printed).toMatchObject({ hex: '06008E6D5D', dec10: '0009334109', wiegand26: '142,27997' });
    expect(d.itNote).toContain('em4100:06008E6D5D');
  });

  it('denies a spare card still in the reserve stock (bound to no one), without an alarm', () => {
    const d = decideTap(facts({ found: null, holder: null, personStatus: null, spareInStock: true }), off);
    expect(d).toMatchObject({ verdict: 'deny', reason: 'spare_unbound', alarm: false });
  });

  it('refuses a random uid (phone, bank card) as not a pass, without an alarm', () => {
    const d = decideTap(facts({ card: { technology: 'iso14443', uid: '08123456' }, found: null, holder: null, personStatus: null }), off);
    expect(d).toMatchObject({ verdict: 'deny', reason: 'random_uid', alarm: false });
  });

  it('denies a person who left or is suspended', () => {
    expect(decideTap(facts({ personStatus: 'left' }), off)).toMatchObject({ verdict: 'deny', reason: 'person_inactive', alarm: true });
    expect(decideTap(facts({ personStatus: 'suspended' }), off).reason).toBe('person_inactive');
  });

  it('denies a card whose holder is missing from the roster and tells IT', () => {
    const d = decideTap(facts({ holder: null, personStatus: null }), off);
    expect(d).toMatchObject({ verdict: 'deny', reason: 'holder_missing', alarm: true });
    expect(d.itNote).toContain('s1');
  });

  it('allows a holder without a photo, with a no-photo note for IT', () => {
    const d = decideTap(facts({ holder: { kind: 'student', id: 's1', fullName: 'А', group: '1А', photoHash: null } }), off);
    expect(d.verdict).toBe('allow');
    expect(d.notices).toContain('no_photo');
    expect(d.itNote).toContain('no photo');
  });

  it('anti-passback: off ignores, warn allows with a notice, deny refuses with an alarm', () => {
    const twice = facts({ lastDirectionToday: 'in' });
    expect(decideTap(twice, { antiPassback: 'off' })).toMatchObject({ verdict: 'allow', notices: [] });
    expect(decideTap(twice, { antiPassback: 'warn' })).toMatchObject({ verdict: 'allow', notices: ['passback'] });
    expect(decideTap(twice, { antiPassback: 'deny' })).toMatchObject({ verdict: 'deny', reason: 'passback', alarm: true });
    // Entry after an exit is the normal round trip.
    expect(decideTap(facts({ lastDirectionToday: 'out' }), { antiPassback: 'deny' }).verdict).toBe('allow');
  });

  it("anti-passback's window: the same way again within it is passback, after it is not; 0 is the whole day", () => {
    const again = (minutesAgo: number) => facts({ lastDirectionToday: 'in', lastPassAtToday: NOW - minutesAgo * 60_000 });
    const windowed = { antiPassback: 'deny', antiPassbackMinutes: 5 } as const;
    expect(decideTap(again(4), windowed)).toMatchObject({ verdict: 'deny', reason: 'passback' });
    expect(decideTap(again(5), windowed)).toMatchObject({ verdict: 'allow', notices: [] });
    expect(decideTap(again(300), { antiPassback: 'deny', antiPassbackMinutes: 0 })).toMatchObject({ verdict: 'deny', reason: 'passback' });
    expect(decideTap(again(300), { antiPassback: 'deny' })).toMatchObject({ verdict: 'deny', reason: 'passback' });
  });

  it('refuses a tap from a reader with no entry/exit role, with a note for IT', () => {
    for (const role of ['none', 'cashier'] as const) {
      const d = decideTap(facts({ role }), off);
      expect(d).toMatchObject({ verdict: 'deny', reason: 'reader_no_role', direction: null });
      expect(d.itNote).toContain(role);
    }
  });

  it('blocked beats expiry and passback (the alarm the guard must see)', () => {
    const d = decideTap(
      facts({ found: { status: 'blocked', validUntil: '2020-01-01T00:00:00.000Z', holderKind: 'student', holderId: 's1' }, lastDirectionToday: 'in' }),
      { antiPassback: 'deny' },
    );
    expect(d.reason).toBe('card_blocked');
  });
});

describe('TapFloodGuard', () => {
  it('lets children tapping at a turnstile pace through', () => {
    const g = new TapFloodGuard({ maxTaps: 8, windowMs: 2000, quietMs: 3000 });
    for (let i = 0; i < 100; i++) expect(g.check('r1', i * 1500).kind).toBe('pass');
  });

  it('raises one alarm when a reader floods, drops the rest, and recovers after quiet', () => {
    const g = new TapFloodGuard({ maxTaps: 8, windowMs: 2000, quietMs: 3000 });
    const answers = Array.from({ length: 50 }, (_, i) => g.check('r1', 1000 + i * 20).kind);
    expect(answers.slice(0, 8).every((k) => k === 'pass')).toBe(true);
    expect(answers[8]).toBe('flood_started');
    expect(answers.slice(9).every((k) => k === 'dropped')).toBe(true);
    expect(answers.filter((k) => k === 'flood_started')).toHaveLength(1);
    // Another reader is not affected.
    expect(g.check('r2', 2000).kind).toBe('pass');
    // Still flooding while taps keep coming closer than quietMs.
    expect(g.check('r1', 1000 + 49 * 20 + 2000).kind).toBe('dropped');
    // After quiet, taps pass again.
    expect(g.check('r1', 1000 + 49 * 20 + 2000 + 3000).kind).toBe('pass');
    expect(g.isFlooding('r1')).toBe(false);
  });
});

describe('counters and roll call', () => {
  it('inside now is people whose last pass today is an entry, plus visitors: a double tap is one person', () => {
    const kid = (id: string) => ({ kind: 'student' as const, id, fullName: id, group: '5А' });
    const move = (id: string | null, direction: 'in' | 'out', at: string, kind = 'card', verdict = 'allow') => ({
      kind,
      verdict,
      direction,
      at,
      holder: id ? kid(id) : null,
      reason: 'ok',
      note: kind === 'visitor' ? 'Петров П. — к директору' : null,
    });
    const inside = new InsideNow([
      move('S1', 'in', '08:00'),
      move('S1', 'in', '08:01'), // tapped twice
      move('S2', 'in', '08:02'),
      move('S2', 'out', '12:00'),
      move('S3', 'out', '08:05'), // came in before midnight: an exit alone is not a person inside
      move('S4', 'in', '08:06', 'card', 'deny'), // refused: not inside
      move(null, 'in', '09:00', 'visitor'),
    ]);
    expect(inside.count()).toBe(2);
    expect(inside.people()).toEqual([{ ...kid('S1'), since: '08:00' }]);
    expect(inside.visitors()).toEqual([{ name: 'Петров П.', reason: 'ok', at: '09:00', stationId: null }]);
    inside.apply(move('S1', 'out', '13:00'));
    inside.apply(move('S1', 'in', '13:30'));
    expect(inside.count()).toBe(2);
    expect(inside.people()).toEqual([{ ...kid('S1'), since: '13:30' }]);
  });

  it('groups who is inside by class in natural order, staff apart', () => {
    const g = groupInside([
      { kind: 'student', id: '1', fullName: 'Яковлев', group: '10Б' },
      { kind: 'student', id: '2', fullName: 'Абрамов', group: '2А' },
      { kind: 'staff', id: 't', fullName: 'Петрова', group: 'учитель' },
      { kind: 'student', id: '3', fullName: 'Борисов', group: '10Б' },
    ]);
    expect(g.classes.map((c) => c.className)).toEqual(['2А', '10Б']);
    expect(g.classes[1]?.people.map((p) => p.fullName)).toEqual(['Борисов', 'Яковлев']);
    expect(g.staff.map((p) => p.id)).toEqual(['t']);
    expect(g.total).toBe(4);
  });
});
