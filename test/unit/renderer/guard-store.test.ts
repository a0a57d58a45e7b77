import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { GuardCounters, GuardPassView } from '../../../common/contract/index.ts';
import type * as GuardStoreModule from '../../../renderer/src/guard/guard-store.ts';
import { installContractFakeStation, type ContractFakeStation } from './contract-fake-station.ts';

type GuardStore = typeof GuardStoreModule;

const counters = (insideNow: number): GuardCounters => ({ schoolDate: '2026-12-01', insideNow, enteredToday: insideNow, exitedToday: 0, alarmsToday: 0 });

let n = 0;
function pass(name: string, over: Partial<GuardPassView> = {}): GuardPassView {
  n++;
  return {
    id: `pass-${n}`,
    at: new Date(Date.UTC(2026, 11, 1, 7, 30, n)).toISOString(),
    kind: 'tap',
    readerId: 'entry',
    direction: 'in',
    verdict: 'allow',
    reason: 'ok',
    alarm: false,
    notices: [],
    holder: { kind: 'student', id: `s-${n}`, fullName: name, group: '5А', photoHash: null },
    card: { technology: 'iso14443', uid: `04A1B2C3D4E5${n.toString(16).toUpperCase().padStart(2, '0')}` },
    printed: null,
    gate: 'opened',
    note: null,
    visitorName: null,
    ...over,
  };
}

/** The strip, the feed and the counters catch up a frame and 60 ms after the big card. */
const listsCatchUp = () => new Promise((r) => setTimeout(r, 150));

let fake: ContractFakeStation;
let store: GuardStore;
const state = () => store.useGuard.getState();
const shown = (ids: readonly string[]) => ids.map((id) => state().passes[id]!.holder?.fullName);

beforeEach(async () => {
  vi.resetModules();
  fake = installContractFakeStation({
    'guard.feed': () => ({ items: [] }),
    'guard.counters': () => counters(0),
    'guard.emergency': () => ({ active: false, startedAt: null, gateHeld: false, relay: false }),
  });
  store = await import('../../../renderer/src/guard/guard-store.ts');
  store.connectGuardStore();
  await listsCatchUp();
});

const tap = (p: GuardPassView, inside = 1) => fake.emit('guard.pass', { pass: p, counters: counters(inside), portrait: null });

describe('guard store', () => {
  it('a tap replaces the verdict on the big card at once; the one before moves to the strip', async () => {
    tap(pass('Иванов Пётр'));
    expect(state().passes[state().current!]?.holder?.fullName).toBe('Иванов Пётр');
    tap(pass('Смирнова Анна', { verdict: 'deny', reason: 'card_blocked', alarm: true }), 1);
    // The big card changes in the same tick; the lists have not caught up yet.
    const big = state().passes[state().current!]!;
    expect([big.holder?.fullName, big.verdict]).toEqual(['Смирнова Анна', 'deny']);
    expect(state().strip).toEqual([]);
    await listsCatchUp();
    expect(shown(state().strip)).toEqual(['Иванов Пётр']);
    expect(shown(state().feed)).toEqual(['Смирнова Анна', 'Иванов Пётр']);
    expect(state().counters?.insideNow).toBe(1);
  });

  it('a person who left is dropped from the big card, the strip and the feed, including taps not yet drawn; the station is asked again', async () => {
    const leaver = pass('Иванов Пётр');
    const stays = pass('Смирнова Анна');
    tap(leaver);
    tap(stays, 2);
    await listsCatchUp();
    const again = pass('Иванов Пётр', { holder: leaver.holder, direction: 'out' });
    tap(again, 1); // on the big card; the lists have not caught up with it yet
    const calls = fake.calls.length;
    // The station has deleted the leaver's passes: its feed is the rest.
    fake.answer('guard.feed', () => ({ items: [stays] }));
    fake.answer('guard.counters', () => counters(1));
    fake.emit('guard.forgotten', { holderIds: [leaver.holder!.id] });
    await listsCatchUp();
    expect(state().current).toBeNull();
    // The strip held only the leaver's first tap; Смирнова stays next in line for it.
    expect(shown(state().strip)).toEqual([]);
    expect(shown(state().feed)).toEqual(['Смирнова Анна']);
    expect(JSON.stringify(state().passes)).not.toContain('Иванов');
    expect(fake.calls.slice(calls).map((c) => c.name)).toEqual(expect.arrayContaining(['guard.feed', 'guard.counters']));
    expect(state().counters?.insideNow).toBe(1);
  });

  it('a relay correction shows on the big card, the strip item and the feed item alike', async () => {
    const first = pass('Иванов Пётр');
    tap(first);
    tap(pass('Смирнова Анна'));
    await listsCatchUp();
    fake.emit('guard.gate', { passId: first.id, gate: 'not_opened' });
    const stripItem = state().passes[state().strip[0]!]!;
    const feedItem = state().passes[state().feed.find((id) => id === first.id)!]!;
    for (const p of [stripItem, feedItem]) {
      expect(p.gate).toBe('not_opened');
      expect(p.notices).toContain('gate_not_opened');
    }
    // The newer pass on the big card is untouched.
    expect(state().passes[state().current!]!.notices).toEqual([]);
    fake.emit('guard.gate', { passId: state().current!, gate: 'not_opened' });
    expect(state().passes[state().current!]!.notices).toEqual(['gate_not_opened']);
    // Said once, even if the station says it twice.
    fake.emit('guard.gate', { passId: state().current!, gate: 'not_opened' });
    expect(state().passes[state().current!]!.notices).toEqual(['gate_not_opened']);
  });

  it('a correction that arrives before the lists caught up is not lost when they do', async () => {
    const p = pass('Иванов Пётр');
    tap(p);
    tap(pass('Смирнова Анна'));
    fake.emit('guard.gate', { passId: p.id, gate: 'not_opened' });
    await listsCatchUp();
    expect(state().passes[state().strip[0]!]!.notices).toContain('gate_not_opened');
  });

  it('with "alarms only" the feed takes alarms alone, while the big card still shows every tap', async () => {
    fake.answer('guard.feed', ({ alarmsOnly }) => ({ items: alarmsOnly ? [] : [pass('Вчерашний')] }));
    await state().setAlarmsOnly(true);
    expect(fake.calls.at(-1)).toMatchObject({ name: 'guard.feed', input: { alarmsOnly: true } });
    tap(pass('Иванов Пётр'));
    tap(pass('Неизвестная карта', { verdict: 'deny', reason: 'unknown_card', alarm: true, holder: null }));
    tap(pass('Смирнова Анна'));
    await listsCatchUp();
    expect(state().feed.map((id) => state().passes[id]!.reason)).toEqual(['unknown_card']);
    expect(state().passes[state().current!]!.holder?.fullName).toBe('Смирнова Анна');
  });

  it('keeps only the passes the screen still shows', async () => {
    for (let i = 0; i < 80; i++) tap(pass(`Ученик ${i}`));
    await listsCatchUp();
    expect(state().feed).toHaveLength(60);
    expect(state().strip).toHaveLength(6);
    expect(Object.keys(state().passes)).toHaveLength(60);
  });

  it('another post’s pass changes the counters without a pass of this post on the big card', () => {
    tap(pass('Иванов Пётр'));
    const big = state().current;
    fake.emit('guard.counters', { ...counters(2), enteredToday: 3, exitedToday: 1 });
    expect(state().counters).toMatchObject({ insideNow: 2, enteredToday: 3, exitedToday: 1 });
    expect(state().current).toBe(big);
  });

  it('the emergency state follows the station', () => {
    fake.emit('guard.emergency', { active: true, startedAt: '2026-12-01T08:00:00.000Z', gateHeld: false, relay: true });
    expect(state().emergency).toMatchObject({ active: true, gateHeld: false });
  });
});
