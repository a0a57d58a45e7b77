/**
 * Who is on duty at the guard post, through the real bridge router and the guard's wiring, on a real
 * SQLite store and a real LCUS relay on a socat pty: sign in with a guard's or supervisor's PIN, manual
 * actions carrying that operator (or asking for the PIN when nobody is on duty), taps that never depend
 * on it, emergency start without a PIN, the duty ending with the school day and surviving a restart.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bridgeContract, type EventName, type EventPayload, type RequestName, type RequestOutput, type ServerMessage } from '../../common/contract/index.ts';
import { GateConfig, type CardRead, type GateStatus } from '../../common/readers.ts';
import { Router } from '../../common/contract/router.ts';
import { wireGuard, type GuardWiring } from '../../core/guard/wiring.ts';
import { hashPin } from '../../core/pin.ts';
import { openStore, type Store } from '../../core/store/index.ts';
import { LcusGate, lcusCommand, NO_GATE, type Gate } from '../../hardware/relay.ts';
import { testClock, type TestClock } from '../helpers/cashier-fixture.ts';
import { G_MORNING, gCards, gSpares, gStaff, pinoMemoryLog, seedGuardSchool } from '../helpers/guard-fixture.ts';
import { pulsesOver, startLcusBoard, type LcusBoard } from '../helpers/lcus-board.ts';
import { startPtyPair, type PtyPair } from '../helpers/socat.ts';
import { nextEvent, sleep } from '../helpers/wait.ts';

const GUARD = { id: 'E2', pin: '2222' }; // Громов Сергей Петрович, Охранник
const SUPERVISOR = { id: 'E3', pin: '3333' };
const TEACHER = { id: 'E1', pin: '1111' };
/** The end of the fixture's school day (2026-11-23) in Moscow, UTC. */
const END_OF_DAY = '2026-11-23T20:59:59.999Z';

class Refused extends Error {
  readonly code: string;
  readonly reason: string | undefined;
  readonly field: string | undefined;
  constructor(code: string, reason: string | undefined, field: string | undefined) {
    super(`${code}${reason ? `/${reason}` : ''}`);
    this.code = code;
    this.reason = reason;
    this.field = field;
  }
}

interface Post {
  dir: string;
  store: Store;
  wiring: GuardWiring;
  log: ReturnType<typeof pinoMemoryLog>;
  published: ServerMessage[];
  call<N extends RequestName>(name: N, input: unknown): Promise<RequestOutput<N>>;
  refusal(name: RequestName, input: unknown): Promise<Refused>;
  tap(c: { technology: 'iso14443' | 'em4100'; uid: string }, role?: 'entry' | 'exit'): void;
  events(type?: string): { type: string; payload: Record<string, unknown> }[];
  published_(name: EventName): unknown[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function seedStaffWithPins(store: Store): void {
  store.roster.upsertStaff([
    { ...gStaff[0]!, pinHash: hashPin(TEACHER.pin) },
    { ...gStaff[1]!, pinHash: hashPin(GUARD.pin) },
    {
      id: 'E3',
      fullName: 'Белова Наталья Андреевна',
      position: 'Дежурный администратор',
      photoHash: null,
      status: 'active',
      roles: ['supervisor'],
      pinHash: hashPin(SUPERVISOR.pin),
    },
  ]);
}

async function relayGate(): Promise<{ gate: Gate; board: LcusBoard; config: GateConfig; pair: PtyPair }> {
  const pair = await startPtyPair();
  const board = await startLcusBoard(pair);
  const config = GateConfig.parse({ kind: 'lcus', path: pair.stationPath, pulseMs: 300, confirm: false });
  const lcus = new LcusGate(config, { log: pinoMemoryLog(), answerMs: 200 });
  const ready = nextEvent<GateStatus>(lcus, 'status', (s) => s.state === 'ready');
  lcus.start();
  await ready;
  const gate = lcus;
  cleanups.push(async () => {
    await gate.close();
    await pair.stop();
  });
  return { gate, board, config, pair };
}

/** A guard post as the station wires it: store, router, guard wiring; a relay when given. */
function openPost(clock: TestClock, options: { dir?: string; relay?: { gate: Gate; config: GateConfig } } = {}): Post {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'guard-duty-'));
  const store = openStore(join(dir, 'station.db'), clock);
  if (store.roster.counts().cards === 0) {
    seedGuardSchool(store);
    seedStaffWithPins(store);
    store.db.transaction(() => {
      for (const c of gSpares) store.db.prepare('INSERT INTO spare_cards (technology, uid, label) VALUES (?, ?, ?)').run(c.technology, c.uid, c.label);
    })();
    store.settings.update({ mode: 'guard', guard: { antiPassback: 'off', relay: options.relay?.config ?? null } });
  }
  const log = pinoMemoryLog();
  const router = new Router(bridgeContract, log);
  const published: ServerMessage[] = [];
  router.subscribe((m) => published.push(m));
  const relay = options.relay;
  const wiring = wireGuard(router, { store: () => store, clock, log, exportDir: join(dir, 'exports'), makeGate: () => relay?.gate ?? NO_GATE });
  wiring.current();
  let id = 1;
  const dispatch = async (name: RequestName, input: unknown) => {
    const reply = await router.dispatch({ t: 'req', id: id++, name, input });
    if (reply.t !== 'res') throw new Error('not a reply');
    return reply;
  };
  let closed = false;
  const post: Post = {
    dir,
    store,
    wiring,
    log,
    published,
    call: async (name, input) => {
      const reply = await dispatch(name, input);
      if (!reply.ok) throw new Refused(reply.error.code, reply.error.reason, reply.error.field);
      return reply.output as never;
    },
    refusal: async (name, input) => {
      const reply = await dispatch(name, input);
      if (reply.ok) throw new Error(`${name} was not refused`);
      return new Refused(reply.error.code, reply.error.reason, reply.error.field);
    },
    tap: (c, role = 'entry') => {
      clock.advance(2_000);
      const read: CardRead = { readerId: role, technology: c.technology, uid: c.uid, raw: c.uid, at: new Date(clock.now()).toISOString() };
      wiring.onCard({ ...read, role });
    },
    events: (type) =>
      store.outbox
        .after(0, 1000)
        .filter((e) => !type || e.type === type)
        .map((e) => ({ type: e.type, payload: e.payload as Record<string, unknown> })),
    published_: (name) => published.filter((m): m is Extract<ServerMessage, { t: 'evt' }> => m.t === 'evt' && m.name === name).map((m) => m.payload),
    close: async () => {
      if (closed) return;
      closed = true;
      await wiring.close();
      store.close();
    },
  };
  cleanups.push(() => post.close());
  return post;
}

const passesOf = (p: Post) => p.published_('guard.pass') as EventPayload<'guard.pass'>[];

describe('the guard on duty', () => {
  it('signs in with a guard’s or supervisor’s PIN, refuses a wrong PIN and a teacher’s, signs out; each change logged', async () => {
    const clock = testClock(G_MORNING);
    const post = openPost(clock);

    expect(await post.call('guard.duty', { action: 'status' })).toEqual({ onDuty: null });
    expect(await post.refusal('guard.duty', { action: 'signIn', pin: '9999' })).toMatchObject({ code: 'refused', reason: 'pin_wrong' });
    // The teacher's own right PIN does not make her the guard on duty.
    expect(await post.refusal('guard.duty', { action: 'signIn', pin: TEACHER.pin })).toMatchObject({ code: 'refused', reason: 'pin_wrong' });
    expect(await post.refusal('guard.duty', { action: 'signIn', pin: '12' })).toMatchObject({ code: 'invalid_input', field: 'pin' });
    expect(post.log.lines.filter((l) => l.msg === 'wrong PIN')).toHaveLength(2);
    expect(post.events()).toEqual([]);

    const { onDuty } = await post.call('guard.duty', { action: 'signIn', pin: GUARD.pin });
    expect(onDuty).toMatchObject({
      staffId: 'E2',
      fullName: 'Громов Сергей Петрович',
      position: 'Охранник',
      since: '2026-11-23T05:00:00.000Z',
      until: END_OF_DAY,
    });
    expect(post.published_('guard.duty')).toEqual([{ onDuty }]);
    expect(await post.call('guard.duty', { action: 'status' })).toEqual({ onDuty });
    // The same guard again keeps the duty.
    expect((await post.call('guard.duty', { action: 'signIn', pin: GUARD.pin })).onDuty).toEqual(onDuty);

    // The supervisor takes over: the guard's duty ends as replaced.
    clock.advance(60_000);
    const supervisor = (await post.call('guard.duty', { action: 'signIn', pin: SUPERVISOR.pin })).onDuty!;
    expect(supervisor).toMatchObject({ staffId: 'E3', position: 'Дежурный администратор' });
    await post.call('guard.duty', { action: 'signOut' });
    expect(await post.call('guard.duty', { action: 'status' })).toEqual({ onDuty: null });
    expect(post.published_('guard.duty').at(-1)).toEqual({ onDuty: null });

    expect(post.events()).toEqual([
      { type: 'guard_duty_start', payload: { dutyId: onDuty!.dutyId, operatorId: 'E2', via: 'sign_in' } },
      { type: 'guard_duty_end', payload: { dutyId: onDuty!.dutyId, operatorId: 'E2', startedAt: onDuty!.since, cause: 'replaced' } },
      { type: 'guard_duty_start', payload: { dutyId: supervisor.dutyId, operatorId: 'E3', via: 'sign_in' } },
      { type: 'guard_duty_end', payload: { dutyId: supervisor.dutyId, operatorId: 'E3', startedAt: supervisor.since, cause: 'signed_out' } },
    ]);
  });

  it('lets children through and opens the relay with nobody signed in, also while a PIN is being checked', async () => {
    const clock = testClock(G_MORNING);
    const relay = await relayGate();
    const post = openPost(clock, { relay });

    post.tap(gCards.s1, 'entry');
    expect(passesOf(post).at(-1)!.pass).toMatchObject({ verdict: 'allow', reason: 'ok', gate: 'opened', holder: { id: 'S1' } });
    await relay.board.far.waitFor(4);
    expect(relay.board.received().slice(0, 4)).toEqual(lcusCommand(1, true));
    expect(post.events('pass')).toHaveLength(1);

    // A PIN is checked off the event loop: a tap meanwhile is shown at once, before the answer.
    let settled = false;
    const signIn = post.call('guard.duty', { action: 'signIn', pin: '0000' }).catch((e: unknown) => e);
    void signIn.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    post.tap(gCards.s2, 'entry');
    expect(passesOf(post).at(-1)!.pass).toMatchObject({ verdict: 'allow', holder: { id: 'S2' } });
    expect(settled).toBe(false);
    expect(await signIn).toMatchObject({ reason: 'pin_wrong' });
    expect(post.events('pass')).toHaveLength(2);
  });

  it('a manual action names its person: the PIN is checked as theirs, wrong ones counted for them alone', async () => {
    const clock = testClock(G_MORNING);
    const post = openPost(clock);
    const open = { direction: 'in', reason: 'forgot_card', note: '', holderKind: 'student', holderId: 'S3' };
    // The supervisor's PIN typed for the guard is not the guard's: refused, though it is someone's valid PIN.
    expect(await post.refusal('guard.manualOpen', { ...open, staffId: GUARD.id, pin: SUPERVISOR.pin })).toMatchObject({ reason: 'pin_wrong' });
    // A teacher cannot be named for a guard's action.
    expect(await post.refusal('guard.manualOpen', { ...open, staffId: TEACHER.id, pin: TEACHER.pin })).toMatchObject({ reason: 'role_missing' });
    // Two more wrong for the guard (three in a row): even the guard's own PIN must now wait; the supervisor need not.
    for (const pin of ['1000', '1001'])
      expect(await post.refusal('guard.manualOpen', { ...open, staffId: GUARD.id, pin })).toMatchObject({ reason: 'pin_wrong' });
    expect(await post.refusal('guard.manualOpen', { ...open, staffId: GUARD.id, pin: GUARD.pin })).toMatchObject({ reason: 'pin_wait' });
    expect(post.events('manual_open')).toEqual([]);
    const { pass } = await post.call('guard.manualOpen', { ...open, staffId: SUPERVISOR.id, pin: SUPERVISOR.pin });
    expect(pass).toMatchObject({ kind: 'manual' });
    expect(post.events('manual_open').map((e) => e.payload.operatorId)).toEqual([SUPERVISOR.id]);
    expect((await post.call('guard.duty', { action: 'status' })).onDuty).toMatchObject({ staffId: SUPERVISOR.id });
  });

  it('asks for a PIN for a manual action when nobody is on duty; the PIN signs the guard in; each action carries the operator', async () => {
    const clock = testClock(G_MORNING);
    const relay = await relayGate();
    const post = openPost(clock, { relay });
    const open = { direction: 'in', reason: 'forgot_card', note: 'мама подтвердила', holderKind: 'student', holderId: 'S3' };

    expect(await post.refusal('guard.manualOpen', open)).toMatchObject({ code: 'refused', reason: 'pin_required' });
    expect(await post.refusal('guard.manualOpen', { ...open, pin: '9999' })).toMatchObject({ reason: 'pin_wrong' });
    expect(await post.refusal('guard.manualOpen', { ...open, pin: TEACHER.pin })).toMatchObject({ reason: 'pin_wrong' });
    // A renderer cannot name an operator itself.
    expect(await post.refusal('guard.manualOpen', { ...open, operatorId: 'E1' })).toMatchObject({ code: 'invalid_input' });
    await sleep(50);
    expect(relay.board.received()).toEqual([]);
    expect(post.events()).toEqual([]);

    const { pass } = await post.call('guard.manualOpen', { ...open, pin: GUARD.pin });
    expect(pass).toMatchObject({ kind: 'manual', gate: 'opened' });
    const onDuty = (await post.call('guard.duty', { action: 'status' })).onDuty!;
    expect(onDuty.staffId).toBe('E2');
    expect(post.published_('guard.duty')).toEqual([{ onDuty }]);

    // Now on duty: no PIN asked for the rest.
    await post.call('guard.visitorPass', { visitorName: 'Кузнецов Олег', reason: 'parent', note: '' });
    const { validUntil } = await post.call('guard.bindSpareCard', { card: gSpares[0], holderKind: 'student', holderId: 'S4' });
    await post.call('guard.returnSpareCard', { card: gSpares[0] });
    await post.call('guard.emergency', { action: 'start', confirm: true });
    await post.call('guard.emergency', { action: 'end' });

    const operators = post.events().map((e) => [e.type, e.payload.operatorId, e.payload.nobodyOnDuty]);
    expect(operators).toEqual([
      ['guard_duty_start', 'E2', undefined],
      ['manual_open', 'E2', undefined],
      ['visitor_pass', 'E2', undefined],
      ['temp_card_bind', 'E2', undefined],
      ['temp_card_return', 'E2', undefined],
      ['emergency_start', 'E2', undefined],
      ['emergency_end', 'E2', undefined],
    ]);
    expect(post.events('guard_duty_start')[0]!.payload.via).toBe('action');
    expect(post.events('temp_card_bind')[0]!.payload.validUntil).toBe(validUntil);
    expect(post.events('manual_open')[0]!.payload).toMatchObject({ holderId: 'S3', gate: 'entry', note: 'мама подтвердила' });
  });

  it('starts emergency mode with nobody on duty and no PIN, and says so; ending it asks for a PIN', async () => {
    const clock = testClock(G_MORNING);
    const relay = await relayGate();
    const post = openPost(clock, { relay });
    post.tap(gCards.s1, 'entry');
    await pulsesOver(relay.board); // the entry pulse is over
    const before = relay.board.received().length;

    expect(await post.call('guard.emergency', { action: 'start', confirm: true })).toMatchObject({ active: true, gateHeld: true });
    await relay.board.far.waitFor(before + 8);
    expect(relay.board.received().slice(before)).toEqual([...lcusCommand(1, true), ...lcusCommand(2, true)]);
    expect(post.events('emergency_start')[0]!.payload).toEqual({ operatorId: null, insideCount: 1, nobodyOnDuty: true });
    expect(post.log.lines.find((l) => l.msg === 'guard: EMERGENCY MODE started')?.obj).toMatchObject({ operatorId: null });

    expect(await post.refusal('guard.emergency', { action: 'end' })).toMatchObject({ reason: 'pin_required' });
    expect((await post.call('guard.emergency', { action: 'status' })).active).toBe(true);
    expect(await post.call('guard.emergency', { action: 'end', pin: SUPERVISOR.pin })).toMatchObject({ active: false });
    expect(post.events('emergency_end')[0]!.payload).toMatchObject({ operatorId: 'E3' });
  });

  it('ends the duty by itself at the end of the school day; the next action asks for a PIN again', async () => {
    const clock = testClock(G_MORNING);
    const post = openPost(clock);
    const { onDuty } = await post.call('guard.duty', { action: 'signIn', pin: GUARD.pin });
    expect(onDuty!.until).toBe(END_OF_DAY);

    clock.set('2026-11-23T20:59:59.000Z'); // 23:59:59 in Moscow: still on duty
    await post.call('guard.visitorPass', { visitorName: 'Курьер', reason: 'contractor', note: '' });
    expect(post.events('visitor_pass')[0]!.payload.operatorId).toBe('E2');

    clock.set('2026-11-24T04:30:00.000Z'); // next morning, 07:30 in Moscow
    expect(await post.call('guard.duty', { action: 'status' })).toEqual({ onDuty: null });
    expect(post.published_('guard.duty').at(-1)).toEqual({ onDuty: null });
    expect(post.events('guard_duty_end')).toEqual([
      { type: 'guard_duty_end', payload: { dutyId: onDuty!.dutyId, operatorId: 'E2', startedAt: onDuty!.since, cause: 'day_ended' } },
    ]);
    expect(await post.refusal('guard.visitorPass', { visitorName: 'Курьер', reason: 'contractor', note: '' })).toMatchObject({ reason: 'pin_required' });
  });

  it('keeps the duty across a station restart within the day, and ends it at start when the day is over', async () => {
    const clock = testClock(G_MORNING);
    const first = openPost(clock);
    const { onDuty } = await first.call('guard.duty', { action: 'signIn', pin: GUARD.pin });
    await first.close();

    clock.advance(3 * 3600_000);
    const second = openPost(clock, { dir: first.dir });
    expect(await second.call('guard.duty', { action: 'status' })).toEqual({ onDuty });
    await second.call('guard.manualOpen', { direction: 'out', reason: 'staff_request', note: '', holderKind: null, holderId: null });
    expect(second.events('manual_open')[0]!.payload.operatorId).toBe('E2');
    expect(second.events('guard_duty_start')).toHaveLength(1);
    await second.close();

    clock.set('2026-11-24T05:00:00.000Z');
    const third = openPost(clock, { dir: first.dir });
    await new Promise((r) => setImmediate(r)); // the wiring starts the guard post of a station in guard mode
    expect(third.events('guard_duty_end').map((e) => e.payload.cause)).toEqual(['day_ended']);
    expect(await third.call('guard.duty', { action: 'status' })).toEqual({ onDuty: null });
  });

  it('signs out a person the roster no longer lets be on duty, at their next action', async () => {
    const clock = testClock(G_MORNING);
    const post = openPost(clock);
    await post.call('guard.duty', { action: 'signIn', pin: GUARD.pin });
    post.store.roster.upsertStaff([{ ...gStaff[1]!, status: 'left' }]);
    expect(await post.refusal('guard.visitorPass', { visitorName: 'Гость', reason: 'parent', note: '' })).toMatchObject({ reason: 'pin_required' });
    expect(post.events('guard_duty_end')[0]!.payload.cause).toBe('not_allowed');
    expect(post.log.lines.some((l) => l.level === 'warn' && l.msg.includes('may no longer be on duty'))).toBe(true);
    // And a guard who left cannot sign in again.
    expect(await post.refusal('guard.duty', { action: 'signIn', pin: GUARD.pin })).toMatchObject({ reason: 'pin_wrong' });
  });
});

describe('a tap on its way to the screens, for IT', () => {
  it('logs at debug level how long each tap took from the card event to the screens, by pass id, with no name or card number', async () => {
    const clock = testClock(G_MORNING);
    const post = openPost(clock);
    post.tap(gCards.s1, 'entry');
    post.tap(gCards.s2, 'exit');
    const shown = passesOf(post).map((p) => p.pass.id);
    const lines = post.log.lines.filter((l) => l.msg === 'guard: tap sent to the screens');
    expect(lines.map((l) => [l.level, l.obj.pass])).toEqual(shown.map((id) => ['debug', id]));
    for (const { obj } of lines) {
      expect(Object.keys(obj).sort()).toEqual(['cardAt', 'pass', 'sentAt', 'tookMs']);
      expect(obj.sentAt as number).toBeGreaterThanOrEqual(obj.cardAt as number);
      expect(obj.tookMs as number).toBeGreaterThanOrEqual(0);
    }
    // The screens' event itself carries no timing: the app's contract has no bench field.
    expect(Object.keys(passesOf(post)[0]!).sort()).toEqual(['counters', 'pass', 'portrait']);
  });
});
