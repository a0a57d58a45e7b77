/**
 * One school, many stations: the backend's school-day facts (GET /v1/day) on both storages, and two
 * guard posts and two tills merging them into their stores. Real server on loopback, real SQLite
 * station files; the day polls are made by hand here so each step is seen (the station's own loop,
 * in real station processes, is test/integration/several-stations.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import { schoolDate } from '../../common/school-time.ts';
import { z } from 'zod';
import { DEFAULT_SCHOOL_SETTINGS, MealFact, parseDayReply, PassFact } from '../../common/sync-api.ts';
import { openStore } from '../../core/store/index.ts';
import type { StationRole } from '../../common/events.ts';
import { Cashier } from '../../core/cashier/index.ts';
import { schoolFigures } from '../../core/cashier/school-figures.ts';
import { GuardPost } from '../../core/guard/guard-post.ts';
import { NO_GATE } from '../../hardware/relay.ts';
import { hashPin } from '../../core/pin.ts';
import { seedDemoSchool } from '../../server/admin.ts';
import type { Repo } from '../../server/repo.ts';
import { createBackendClient, type BackendClient } from '../../sync/client.ts';
import { pullMenu, pullRoster } from '../../sync/pull.ts';
import { pushOutbox } from '../../sync/push.ts';
import { pinoMemoryLog } from '../helpers/guard-fixture.ts';
import { startPostgres, type PgCluster } from '../helpers/postgres.ts';
import { makeStorage, openRepo, openStation, startInProcessServer, type StorageKind } from '../helpers/sync-rig.ts';
import { fileTokenVault } from '../../sync/token-vault.ts';

let pg: PgCluster | null = null;
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** `serverLog`: the server's log lines, at debug level, are kept there. */
async function school(kind: StorageKind, options: { serverLog?: string[] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'school-day-'));
  const storage = await makeStorage(kind, dir, pg);
  const { serverLog } = options;
  const server = await startInProcessServer(storage, 0, serverLog ? pino({ level: 'debug' }, { write: (line: string) => void serverLog.push(line) }) : false);
  cleanups.push(() => server.close());
  const repo: Repo = await openRepo(storage);
  cleanups.push(() => repo.db.close());
  await seedDemoSchool(repo, { students: 20 });
  /** A station enrolled under a name and role, with its own store and client. */
  const station = async (name: string, role: StationRole) => {
    const s = openStation(join(dir, name), systemClock());
    cleanups.push(() => s.store.close());
    const { code } = await repo.createEnrollmentCode(role);
    const r = (await repo.enroll(code, name))!;
    await fileTokenVault(s.vaultPath).save({
      baseUrl: server.url,
      stationId: r.stationId,
      token: r.token,
      enrolledAt: new Date().toISOString(),
      schoolName: '',
    });
    const client = createBackendClient({ baseUrl: server.url, token: r.token });
    cleanups.push(() => client.close());
    await pullRoster(client, s.syncStore);
    return { ...s, id: r.stationId, client, token: r.token };
  };
  return { dir, repo, server, station };
}

const passEvent = (seq: number, holderId: string, direction: 'in' | 'out', at = new Date()) => ({
  id: uuidv7(),
  seq,
  type: 'pass',
  occurredAt: at.toISOString(),
  clockOffsetMs: 0,
  payload: {
    direction,
    verdict: 'allow',
    reason: 'ok',
    readerId: direction === 'in' ? 'entry' : 'exit',
    gate: null,
    card: { technology: 'iso14443', uid: '0A0B0C0D' },
    holderKind: 'student',
    holderId,
  },
});

/** A visitor let in by hand at the desk, as a guard post sends it. */
const visitorEvent = (seq: number, visitorName: string, at = new Date()) => ({
  id: uuidv7(),
  seq,
  type: 'visitor_pass',
  occurredAt: at.toISOString(),
  clockOffsetMs: 0,
  payload: { visitorName, reason: 'parent', note: 'к завучу', direction: 'in', gate: 'entry', operatorId: null },
});

/** Polls the day feed once and merges it, as the station's loop does. */
async function poll(s: { client: BackendClient; syncStore: ReturnType<typeof openStation>['syncStore'] }, wait = 0) {
  const { reply } = await s.client.day(s.syncStore.getState('day_cursor'), wait);
  return { reply, fresh: s.syncStore.applyDay(reply) };
}

describe.each(['sqlite', 'postgres'] as const)('the school-day feed on %s', (kind) => {
  it('a pass at post A reaches post B’s held poll within a second, with ids only; B’s own and repeated events never come', async () => {
    const { station, repo } = await school(kind);
    const a = await station('Главный вход', 'guard');
    const b = await station('Чёрный вход', 'guard');
    const pupil = (await repo.db.all<{ id: string }>('SELECT id FROM students ORDER BY id LIMIT 1'))[0]!.id;

    // B's first poll is held by the server: nothing has happened today yet.
    const t0 = Date.now();
    const held = b.client.day(null, 10);
    await new Promise((r) => setTimeout(r, 300));
    const event = passEvent(1, pupil, 'in');
    expect(await a.client.pushEvents([event])).toEqual([expect.objectContaining({ status: 'accepted' })]);
    const { reply } = await held;
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(1_300);
    expect(reply.facts).toEqual([
      expect.objectContaining({ kind: 'pass', eventId: event.id, holderId: pupil, direction: 'in', verdict: 'allow', stationId: a.id }),
    ]);
    expect(reply.stations.map((s) => s.name).sort()).toEqual(['Главный вход']);
    // No names or card numbers cross: only the ids the roster already holds.
    const body = JSON.stringify(reply);
    const name = (await repo.db.get<{ full_name: string }>('SELECT full_name FROM students WHERE id = ?', [pupil]))!.full_name;
    expect(body).not.toContain(name);
    expect(body).not.toContain('0A0B0C0D');

    // B merges it once, however often it arrives.
    expect(b.syncStore.applyDay(reply)).toHaveLength(1);
    expect(b.syncStore.applyDay(reply)).toHaveLength(0);
    b.syncStore.setState('day_cursor', reply.cursor);

    // A sent the same event again (a lost reply), and B passed through its own post: neither reaches B.
    await a.client.pushEvents([event]);
    await b.client.pushEvents([passEvent(1, pupil, 'out')]);
    const after = await poll(b);
    expect(after.fresh).toEqual([]);
    // A sees B's exit, not its own entry.
    const atA = await poll(a);
    expect(atA.fresh).toEqual([expect.objectContaining({ stationId: b.id, direction: 'out' })]);
  });

  it('keeps only today’s facts: a late pass from yesterday is stored, then deleted at the first read of today', async () => {
    const { station, repo } = await school(kind);
    const a = await station('Главный вход', 'guard');
    const b = await station('Чёрный вход', 'guard');
    const pupil = (await repo.db.all<{ id: string }>('SELECT id FROM students ORDER BY id LIMIT 1'))[0]!.id;
    const yesterday = new Date(Date.now() - 86_400_000);
    await a.client.pushEvents([passEvent(1, pupil, 'in', yesterday), passEvent(2, pupil, 'in')]);
    const dates = async () => (await repo.db.all<{ school_date: string }>('SELECT school_date FROM day_facts ORDER BY seq')).map((r) => r.school_date);
    const stored = await dates();
    expect(stored).toHaveLength(2);
    const { reply } = await poll(b);
    expect(reply.facts).toHaveLength(1);
    expect(await dates()).toEqual([reply.date]);
    expect(stored).toContain(reply.date);
  });

  it('a sale, a void and a group meal leave meal facts; the roster figure says which facts it includes', async () => {
    const { station, repo } = await school(kind);
    const t1 = await station('Касса 1', 'cashier');
    const t2 = await station('Касса 2', 'cashier');
    const [h1, h2] = (await repo.db.all<{ id: string; class_name: string }>('SELECT id, class_name FROM students ORDER BY id LIMIT 2')).map((r) => r.id);
    const today = schoolDate(Date.now(), DEFAULT_SCHOOL_SETTINGS.timeZone);
    const item = (await repo.menu(today)).find((m) => m.kind === 'buffet')!;
    const sale = {
      id: uuidv7(),
      seq: 1,
      type: 'sale',
      occurredAt: new Date().toISOString(),
      clockOffsetMs: 0,
      payload: {
        saleId: 's1',
        holderId: h1!,
        card: null,
        lines: [{ itemId: item.id, name: item.name, category: item.category, price: item.price, quantity: 2 }],
        total: item.price * 2,
        subsidyPart: 0,
        accountPart: item.price * 2,
        verifiedByPhoto: true,
        offline: false,
        shiftId: null,
        operatorId: null,
      },
    };
    await t1.client.pushEvents([sale]);
    const first = await poll(t2);
    expect(first.fresh).toEqual([expect.objectContaining({ kind: 'meal', meal: 'sale', holderId: h1, spent: item.price * 2, subsidyMeals: 0 })]);
    const saleSeq = first.fresh[0]!.seq;

    // The next roster page carries h1's figure, which includes the sale: its asOf is at or past the fact.
    const page = await t2.client.roster(null);
    expect(page.today?.asOf).toBeGreaterThanOrEqual(saleSeq);
    expect(page.today?.figures.find((f) => f.holderId === h1)).toMatchObject({ spent: item.price * 2 });

    const lunch = (await repo.menu(today)).find((m) => m.kind === 'complex')!;
    const cls = (await repo.db.get<{ class_name: string }>('SELECT class_name FROM students WHERE id = ?', [h2!]))!.class_name;
    await t1.client.pushEvents([
      {
        id: uuidv7(),
        seq: 2,
        type: 'void',
        occurredAt: new Date().toISOString(),
        clockOffsetMs: 0,
        payload: { saleEventId: sale.id, holderId: h1!, amount: item.price * 2, supervisorId: 'E0003', reason: 'ошибка', shiftId: null },
      },
      {
        id: uuidv7(),
        seq: 3,
        type: 'group_meal',
        occurredAt: new Date().toISOString(),
        clockOffsetMs: 0,
        payload: {
          groupMealId: 'g1',
          className: cls,
          itemId: lunch.id,
          itemName: lunch.name,
          price: lunch.price,
          payer: 'subsidy',
          students: [{ holderId: h2!, amount: lunch.price }],
          total: lunch.price,
          shiftId: null,
          operatorId: null,
        },
      },
    ]);
    const second = await poll(t2);
    expect(second.fresh).toEqual([
      expect.objectContaining({ meal: 'void', holderId: h1, spent: -item.price * 2 }),
      expect.objectContaining({ meal: 'group_meal', holderId: h2, spent: 0, subsidyMeals: 1 }),
    ]);
  });

  it('a visitor let in at post A reaches the other posts with the desk’s name, once; A never gets it back; an older station skips the kind', async () => {
    const serverLog: string[] = [];
    const { station, repo, server } = await school(kind, { serverLog });
    const a = await station('Главный вход', 'guard');
    const b = await station('Чёрный вход', 'guard');
    const pupil = (await repo.db.all<{ id: string }>('SELECT id FROM students ORDER BY id LIMIT 1'))[0]!.id;
    const visitor = visitorEvent(2, 'Кузнецов Олег Петрович');
    const late = visitorEvent(1, 'Вчерашний Гость', new Date(Date.now() - 86_400_000));
    const accepted = expect.objectContaining({ status: 'accepted' });
    expect(await a.client.pushEvents([late, visitor, passEvent(3, pupil, 'in')])).toEqual([accepted, accepted, accepted]);

    // The reply as it crosses the wire, parsed by this build and by an older one that knows no visitors.
    const res = await fetch(`${server.url}/v1/day?wait=0`, { headers: { authorization: `Bearer ${b.token}` } });
    const raw: unknown = await res.json();
    const now = parseDayReply(raw);
    if (!now.success) throw now.error;
    expect(now.skipped).toBe(0);
    expect(now.reply.facts).toEqual([
      {
        kind: 'visitor',
        id: visitor.id,
        eventId: visitor.id,
        seq: expect.any(Number),
        stationId: a.id,
        schoolDate: now.reply.date,
        at: visitor.occurredAt,
        visitorName: 'Кузнецов Олег Петрович',
        reason: 'parent',
        direction: 'in',
      },
      expect.objectContaining({ kind: 'pass', holderId: pupil }),
    ]);
    // Only what the roll call reads crosses: not the desk's free-text note.
    expect(JSON.stringify(raw)).not.toContain('к завучу');
    // Yesterday's visitor went at the first read of today, on the server too.
    expect(JSON.stringify(raw)).not.toContain('Вчерашний');
    expect(await repo.db.all('SELECT id FROM day_facts WHERE school_date < ?', [now.reply.date])).toEqual([]);

    const older = parseDayReply(raw, z.discriminatedUnion('kind', [PassFact, MealFact]));
    if (!older.success) throw older.error;
    expect(older.skipped).toBe(1);
    expect(older.reply.facts).toEqual([expect.objectContaining({ kind: 'pass', holderId: pupil })]);
    expect(older.reply.cursor).toBe(now.reply.cursor);
    // The older station keeps following the day past the fact it skipped.
    expect(b.syncStore.applyDay(older.reply)).toHaveLength(1);
    expect((await poll(b)).fresh).toEqual([]);

    // This build stores the visitor once, however often the fact or the event arrives.
    const c = await station('Спортзал', 'guard');
    await a.client.pushEvents([visitor]);
    expect(await repo.db.all('SELECT id FROM day_facts WHERE id = ?', [visitor.id])).toHaveLength(1);
    const atC = await poll(c);
    expect(atC.fresh.filter((f) => f.kind === 'visitor')).toHaveLength(1);
    expect(c.syncStore.applyDay(atC.reply)).toEqual([]);
    expect(c.store.schoolDay.visitors(atC.reply.date)).toEqual([
      { id: visitor.id, stationId: a.id, at: visitor.occurredAt, direction: 'in', visitorName: 'Кузнецов Олег Петрович', reason: 'parent' },
    ]);
    // A's own visitor never comes back to A, and a till is never told a visitor's name.
    expect((await poll(a)).fresh).toEqual([]);
    const till = await station('Касса 1', 'cashier');
    const atTill = await poll(till);
    expect(atTill.fresh.map((f) => f.kind)).toEqual(['pass']);
    expect(atTill.reply.cursor).toBe(atC.reply.cursor);

    // The name is in no line of the server's log (which did write lines: requests, at debug level).
    expect(serverLog.length).toBeGreaterThan(0);
    expect(serverLog.join('\n')).not.toContain('Кузнецов');

    // The station keeps the school's day only: the next day's first reply drops the visitor.
    c.syncStore.applyDay({ ...atC.reply, date: '2999-01-01', facts: [] });
    expect(c.store.schoolDay.visitors(atC.reply.date)).toEqual([]);
  });
});

describe('two guard posts and two tills merging the school’s day', () => {
  it('a pupil enters at A and leaves at B: A’s counters, roll call and anti-passback follow; a late older pass changes nothing', async () => {
    const { station, dir } = await school('sqlite');
    const a = await station('Главный вход', 'guard');
    const b = await station('Чёрный вход', 'guard');
    const guard = (s: typeof a) =>
      new GuardPost({ store: s.store, clock: systemClock(), gate: () => NO_GATE, log: pinoMemoryLog(), exportDir: join(dir, 'exports', s.id) });
    const postA = guard(a);
    const postB = guard(b);
    const active = a.store.roster.listCardsWithHolders(200).filter((c) => c.card.status === 'active' && c.card.holderKind === 'student');
    // One card per pupil (a pupil may have several).
    const cards = [...new Map(active.map((c) => [c.card.holderId, c])).values()];
    const [kid, other] = [cards[0]!, cards[1]!];
    const tap = (post: GuardPost, c: typeof kid, role: 'entry' | 'exit') =>
      post.onCard({ readerId: role, technology: c.card.technology, uid: c.card.uid, raw: '', at: new Date().toISOString() }, role);

    expect(tap(postA, kid, 'entry')).toMatchObject({ verdict: 'allow' });
    expect(tap(postA, other, 'entry')).toMatchObject({ verdict: 'allow' });
    await pushOutbox(a.client, a.syncStore);
    await new Promise((r) => setTimeout(r, 5));
    // B learns of the entry: the kid is inside by the school's passes, so B lets them out.
    const atB = await poll(b);
    postB.schoolFacts(atB.fresh);
    expect(postB.counters()).toMatchObject({ insideNow: 2, enteredToday: 2 });
    expect(tap(postB, kid, 'exit')).toMatchObject({ verdict: 'allow' });
    await pushOutbox(b.client, b.syncStore);

    const counted: number[] = [];
    postA.on('counters', (c) => counted.push(c.insideNow));
    const atA = await poll(a);
    postA.schoolFacts(atA.fresh);
    postA.schoolFacts(a.syncStore.applyDay(atA.reply)); // the same reply again: nothing new
    expect(counted).toEqual([1]);
    expect(postA.counters()).toMatchObject({ insideNow: 1, enteredToday: 2, exitedToday: 1 });
    const list = postA.insideList();
    expect(list.total).toBe(1);
    expect(list.classes.flatMap((c) => c.people.map((p) => p.id))).toEqual([other.card.holderId]);
    expect(list.posts).toEqual([{ id: b.id, name: 'Чёрный вход', heardAt: expect.any(String) }]);
    const csv = postA.exportInside('csv', 'ru').content;
    expect(csv).toContain('Чёрный вход;данные на');
    expect(csv).not.toContain(a.store.roster.holder('student', kid.card.holderId)!.fullName);

    // Anti-passback at A sees B's exit: the kid may come in again, but not go out again.
    const settings = a.store.settings.get();
    a.store.settings.update({ guard: { ...settings.guard, antiPassback: 'deny' } });
    expect(tap(postA, kid, 'exit')).toMatchObject({ verdict: 'deny' });

    // Another post's entry from before B's exit arrives late (that post was offline): the exit is later, it stays.
    const late = {
      ...atA.fresh[0]!,
      id: 'late-entry',
      eventId: 'late-entry',
      seq: 1_000_000,
      direction: 'in' as const,
      at: new Date(Date.now() - 60_000).toISOString(),
    };
    postA.schoolFacts(a.syncStore.applyDay({ ...atA.reply, cursor: atA.reply.cursor, facts: [late] }));
    expect(postA.counters()).toMatchObject({ insideNow: 1, enteredToday: 3 });
    expect(postA.insideList().total).toBe(1);

    // A restart rebuilds the same figures from the store (own passes and merged ones).
    const again = guard(a);
    expect(again.counters()).toMatchObject({ insideNow: 1, enteredToday: 3, exitedToday: 1 });

    // Anti-passback with its window reads the school's last pass (B's exit, direction and time), not A's
    // own last one (an entry): within a minute of B's exit a second exit is refused, two minutes later not.
    a.store.settings.update({ guard: { ...settings.guard, antiPassback: 'deny', antiPassbackMinutes: 1 } });
    expect(tap(again, kid, 'exit')).toMatchObject({ verdict: 'deny', reason: 'passback' });
    const twoMinutesOn = { ...systemClock(), now: () => Date.now() + 2 * 60_000 };
    const later = new GuardPost({ store: a.store, clock: twoMinutesOn, gate: () => NO_GATE, log: pinoMemoryLog(), exportDir: join(dir, 'exports', a.id) });
    expect(tap(later, kid, 'exit')).toMatchObject({ verdict: 'allow', notices: [] });
  });

  it('a visitor let in at A is inside at B: B’s counter, roll call and its export list them once, named with A; and back', async () => {
    const { station, dir } = await school('sqlite');
    const a = await station('Главный вход', 'guard');
    const b = await station('Чёрный вход', 'guard');
    const logs = [pinoMemoryLog(), pinoMemoryLog()];
    const guard = (s: typeof a, log = pinoMemoryLog()) =>
      new GuardPost({ store: s.store, clock: systemClock(), gate: () => NO_GATE, log, exportDir: join(dir, 'exports', s.id) });
    const postA = guard(a, logs[0]);
    const postB = guard(b, logs[1]);

    await postA.visitorPass({ visitorName: 'Кузнецов Олег', reason: 'parent', note: 'к завучу', operatorId: null });
    expect(postA.counters()).toMatchObject({ insideNow: 1, enteredToday: 1 });
    await pushOutbox(a.client, a.syncStore);

    const counted: number[] = [];
    postB.on('counters', (c) => counted.push(c.insideNow));
    const atB = await poll(b);
    postB.schoolFacts(atB.fresh);
    postB.schoolFacts(b.syncStore.applyDay(atB.reply)); // the same reply again: nothing new
    expect(counted).toEqual([1]);
    expect(postB.counters()).toMatchObject({ insideNow: 1, enteredToday: 1, exitedToday: 0 });

    // B lets its own visitor in: both are inside, each once.
    await new Promise((r) => setTimeout(r, 5));
    await postB.visitorPass({ visitorName: 'Сантехник Иванов', reason: 'contractor', note: '', operatorId: null });
    expect(postB.counters()).toMatchObject({ insideNow: 2, enteredToday: 2 });
    const list = postB.insideList();
    expect(list.total).toBe(2);
    expect(list.visitors).toEqual([
      { name: 'Кузнецов Олег', reason: 'parent', at: expect.any(String), post: 'Главный вход' },
      { name: 'Сантехник Иванов', reason: 'contractor', at: expect.any(String), post: null },
    ]);
    expect(list.posts).toEqual([{ id: a.id, name: 'Главный вход', heardAt: expect.any(String) }]);
    const csv = postB.exportInside('csv', 'ru').content;
    expect(csv).toMatch(/^Посетители сегодня;Кузнецов Олег \(Главный вход\);\d\d:\d\d$/m);
    expect(csv).toMatch(/^Посетители сегодня;Сантехник Иванов;\d\d:\d\d$/m);
    expect(csv.split('Кузнецов Олег')).toHaveLength(2);
    const html = postB.exportInside('html', 'en').content;
    expect(html).toContain('Visitors today (2)');
    expect(html).toContain('<td>Кузнецов Олег (Главный вход)</td>');

    // A gets B's visitor, never its own back: two inside there too.
    await pushOutbox(b.client, b.syncStore);
    const atA = await poll(a);
    expect(atA.fresh).toEqual([expect.objectContaining({ kind: 'visitor', stationId: b.id, visitorName: 'Сантехник Иванов' })]);
    postA.schoolFacts(atA.fresh);
    expect(postA.counters()).toMatchObject({ insideNow: 2, enteredToday: 2 });
    expect(postA.insideList().visitors.map((v) => [v.name, v.post])).toEqual([
      ['Кузнецов Олег', null],
      ['Сантехник Иванов', 'Чёрный вход'],
    ]);

    // A restart rebuilds the same figures from the store (own visitor and merged one).
    const again = guard(b);
    expect(again.counters()).toMatchObject({ insideNow: 2, enteredToday: 2 });
    expect(again.insideList().visitors.map((v) => v.post)).toEqual(['Главный вход', null]);

    // Neither post wrote a visitor's name into a log line (they did log: the visitor passes, the exports).
    for (const log of logs) {
      expect(log.lines.length).toBeGreaterThan(0);
      expect(JSON.stringify(log.lines)).not.toMatch(/Кузнецов|Сантехник/);
    }
  });

  it('the station keeps the other posts’ visitors inside its encrypted database file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'school-day-key-'));
    const path = join(dir, 'station.db');
    const store = openStore(path, systemClock(), { key: randomBytes(32) });
    const day = schoolDate(Date.now(), DEFAULT_SCHOOL_SETTINGS.timeZone);
    const fact = { kind: 'visitor' as const, id: uuidv7(), eventId: 'e', seq: 1, stationId: 's', at: new Date().toISOString(), schoolDate: day };
    expect(store.schoolDay.add([{ ...fact, visitorName: 'Кузнецов Олег Петрович', reason: 'parent', direction: 'in' }], new Date().toISOString())).toHaveLength(
      1,
    );
    expect(store.schoolDay.visitors(day).map((v) => v.visitorName)).toEqual(['Кузнецов Олег Петрович']);
    store.close();
    const name = Buffer.from('Кузнецов Олег Петрович');
    for (const f of [path, `${path}-wal`]) if (existsSync(f)) expect(readFileSync(f).includes(name)).toBe(false);
    // The same check finds the name in a plain file: it can fail.
    const plain = openStore(join(dir, 'plain.db'), systemClock());
    plain.schoolDay.add([{ ...fact, visitorName: 'Кузнецов Олег Петрович', reason: 'parent', direction: 'in' }], new Date().toISOString());
    plain.close();
    expect(readFileSync(join(dir, 'plain.db')).includes(name)).toBe(true);
  });

  it('till 1 and till 2: the daily limit and the once-a-day subsidy count both tills, without counting a sale twice', async () => {
    const { station, repo, dir } = await school('sqlite');
    const kid = (
      await repo.db.all<{ holder_id: string }>(
        "SELECT a.holder_id FROM accounts a JOIN students s ON s.id = a.holder_id WHERE a.allergens = '[]' AND a.forbidden_categories = '[]' ORDER BY a.holder_id LIMIT 1",
      )
    )[0]!.holder_id;
    await repo.topUp(kid, 5_000_00);
    await repo.updateAccount(kid, { dailyLimit: 300_00, subsidy: 'free' });
    const t1 = await station('Касса 1', 'cashier');
    const t2 = await station('Касса 2', 'cashier');
    const today = schoolDate(Date.now(), DEFAULT_SCHOOL_SETTINGS.timeZone);
    const till = async (s: typeof t1) => {
      await pullMenu(s.client, s.syncStore, today);
      const staff = s.store.db.prepare<[], { id: string; roles: string }>('SELECT id, roles FROM staff').all();
      const cashierId = staff.find((r) => r.roles.includes('cashier'))!.id;
      s.store.db.prepare('UPDATE staff SET pin_hash = ? WHERE id = ?').run(hashPin('1111'), cashierId);
      s.store.roster.sealClearPins();
      const c = new Cashier({ store: s.store, clock: systemClock(), isOnline: () => true, exportDir: join(dir, 'exports', s.id) });
      await c.openShift(cashierId, '1111');
      return c;
    };
    const c1 = await till(t1);
    const c2 = await till(t2);
    const card = t1.store.roster.listCardsWithHolders(500).find((c) => c.card.holderId === kid && c.card.status === 'active')!.card;
    const menu = c1.menu().items;
    const lunch = menu.find((i) => i.kind === 'complex')!;
    const buffet = menu.filter((i) => i.kind === 'buffet' && i.allergens.length === 0).sort((x, y) => y.price - x.price)[0]!;
    const sell = (c: Cashier, itemId: string, qty: number) => {
      for (let i = 0; i < qty; i++) c.addToCart(itemId);
      const check = c.onCard({ readerId: 'till', technology: card.technology, uid: card.uid, raw: '', at: new Date().toISOString() });
      if (!('checkId' in check)) throw new Error(`tap refused: ${JSON.stringify(check)}`);
      const r = c.confirm(check.checkId, uuidv7());
      if (!r.ok) c.clearCart();
      return r;
    };

    // Till 1: the free lunch and buffet up to a little under the limit.
    expect(sell(c1, lunch.id, 1)).toMatchObject({ ok: true, receipt: { subsidyPart: lunch.price } });
    const n = Math.floor(250_00 / buffet.price);
    expect(sell(c1, buffet.id, n)).toMatchObject({ ok: true });
    const spentAt1 = n * buffet.price;
    await pushOutbox(t1.client, t1.syncStore);
    await poll(t2);
    expect(schoolFigures(t2.store, kid, today)).toMatchObject({ spentToday: spentAt1, subsidyUsedToday: true });

    // Till 2: a second free lunch is not free, and the limit counts till 1's spending.
    const second = sell(c2, lunch.id, 1);
    expect(second.ok ? second.receipt.subsidyPart : 0).toBe(0);
    if (second.ok) {
      // Paid from the account: it counts against the limit like any other purchase.
      expect(second.receipt.accountPart).toBe(lunch.price);
    }
    const spentAt2 = second.ok ? second.receipt.accountPart : 0;
    const over = Math.ceil((300_00 - spentAt1 - spentAt2 + 1) / buffet.price);
    expect(sell(c2, buffet.id, over)).toMatchObject({ ok: false, reason: 'daily_limit' });

    // The roster pull brings the school-wide figure; the facts it includes and till 2's own sale, now
    // acknowledged, are not counted again.
    await pushOutbox(t2.client, t2.syncStore);
    await pullRoster(t2.client, t2.syncStore);
    await poll(t2);
    expect(t2.store.schoolDay.base(kid, today)).toMatchObject({ spent: spentAt1 + spentAt2 });
    expect(schoolFigures(t2.store, kid, today)).toMatchObject({ spentToday: spentAt1 + spentAt2, subsidyUsedToday: true });
    // And till 1 sees till 2's sale the same way, before and after its own roster pull.
    await poll(t1);
    expect(schoolFigures(t1.store, kid, today).spentToday).toBe(spentAt1 + spentAt2);
    await pullRoster(t1.client, t1.syncStore);
    expect(schoolFigures(t1.store, kid, today).spentToday).toBe(spentAt1 + spentAt2);
    const server = await repo.db.get<{ spent: number }>('SELECT spent FROM daily_figures WHERE holder_id = ? AND school_date = ?', [kid, today]);
    expect(Number(server!.spent)).toBe(spentAt1 + spentAt2);
  });
});
