/**
 * Written as the attack: a station taken to another backend (a laptop on the school network) and a
 * real school's station with the demo reader. Real reference servers on loopback (SQLite and
 * PostgreSQL where the server's storage is involved), real station stores on SQLite files.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import type { StationStatus } from '../../common/contract/index.ts';
import { EnrollResponse, EventsBatchResponse, RosterPage } from '../../common/sync-api.ts';
import { addSpareCard, ensureDemoSchool, importMenuCsv, importStaffCsv, importStudentsCsv } from '../../server/admin.ts';
import { DEFAULT_SCHOOL_TIME_ZONE, schoolDate } from '../../common/school-time.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { createStation, type Station } from '../../station/station.ts';
import { createSyncStore } from '../../station/sync-store.ts';
import { createBackendClient } from '../../sync/client.ts';
import { pushOutbox } from '../../sync/push.ts';
import { makeStorage, storageLifecycle, type StorageKind } from '../helpers/sync-rig.ts';
import { sleep } from '../helpers/wait.ts';
import { dispatchAsIt, isItGuarded } from '../helpers/it-session.ts';

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not so within ${timeoutMs} ms`);
    await sleep(50);
  }
}

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A portrait as a school's import brings it: PNG bytes, different for each person. */
const png = () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(200)]);

interface School {
  prefix: string;
  students: string[];
  staff: string;
  uids: string[];
  spareUid: string;
  menuItem: string;
}

/** A real school's data on a server: students with cards and portraits, a cashier with a PIN, a menu, a spare card. */
async function seedRealSchool(server: RunningServer, prefix: string, uidByte: string): Promise<School> {
  const students = [`${prefix}-S1`, `${prefix}-S2`, `${prefix}-S3`];
  const uids = students.map((_, i) => `04${uidByte}0000000${i + 1}`);
  const photos = new Map(students.map((id) => [`${id}.png`, png()]));
  const csv = `id,full_name,class,cards,photo_consent\n${students.map((id, i) => `${id},Ученик ${prefix} ${i + 1},5А,${uids[i]},да`).join('\n')}\n`;
  expect((await importStudentsCsv(server.repo, csv, (name) => photos.get(name) ?? null)).rejected).toEqual([]);
  const staff = `${prefix}-E1`;
  const staffCsv = `id,full_name,position,roles,cards,pin\n${staff},Кассир ${prefix},Кассир,cashier,04${uidByte}000000FF,4815\n`;
  expect((await importStaffCsv(server.repo, staffCsv)).rejected).toEqual([]);
  const menuItem = `${prefix}-M1`;
  expect(
    (
      await importMenuCsv(
        server.repo,
        `date,id,name,category,kind,price,allergens\n${schoolDate(Date.now(), DEFAULT_SCHOOL_TIME_ZONE)},${menuItem},Чай ${prefix},drinks,buffet,"15,00",\n`,
      )
    ).rejected,
  ).toEqual([]);
  const spareUid = `04${uidByte}00000ABC`;
  await addSpareCard(server.repo, { technology: 'iso14443', uid: spareUid, format: 'hex', label: `Запасная ${prefix}` });
  return { prefix, students, staff, uids, spareUid, menuItem };
}

// ── The backend's side: identity and refusal, on both storages ──────────────────────────────────
describe.each<StorageKind>(['sqlite', 'postgres'])('backend identity on %s', (kind) => {
  const { pg } = storageLifecycle(kind);

  const start = async (storage: Awaited<ReturnType<typeof makeStorage>>) =>
    startServer({ ...(storage.databaseUrl ? { databaseUrl: storage.databaseUrl } : { dataDir: storage.dataDir! }), port: 0, logger: false });

  it('is made once per database: the same after a restart, another for another database; a real school is no demo, a seeded demo school is', async () => {
    const dir = tempDir('identity-');
    const storageA = await makeStorage(kind, join(dir, 'a'), pg());
    let a = await start(storageA);
    const first = await a.repo.identity();
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.demo).toBe(false);
    await a.close();
    a = await start(storageA);
    expect((await a.repo.identity()).id).toBe(first.id);

    const b = await start(await makeStorage(kind, join(dir, 'b'), pg()));
    expect((await b.repo.identity()).id).not.toBe(first.id);
    await ensureDemoSchool(b.repo, { students: 3 });
    expect(await b.repo.identity()).toMatchObject({ demo: true, schoolName: 'Демо-школа' });

    // Every station-facing reply names its backend: enrollment, each roster page, each push reply.
    const { code } = await a.repo.createEnrollmentCode('guard', 10);
    const enroll = EnrollResponse.parse(
      await (
        await fetch(`${a.url}/v1/stations/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) })
      ).json(),
    );
    expect(enroll.backend).toEqual({ id: first.id, schoolName: '', demo: false });
    const auth = { authorization: `Bearer ${enroll.token}`, 'content-type': 'application/json' };
    const page = RosterPage.parse(await (await fetch(`${a.url}/v1/roster`, { headers: auth })).json());
    expect(page.backend?.id).toBe(first.id);
    const push = EventsBatchResponse.parse(
      await (await fetch(`${a.url}/v1/events`, { method: 'POST', headers: auth, body: JSON.stringify({ events: [] }) })).json(),
    );
    expect(push.backend?.id).toBe(first.id);
    await a.close();
    await b.close();
  });

  it('a push made for backend A sent to backend B is refused event by event, and B keeps none of it', async () => {
    const dir = tempDir('wrong-backend-');
    const a = await start(await makeStorage(kind, join(dir, 'a'), pg()));
    const b = await start(await makeStorage(kind, join(dir, 'b'), pg()));
    try {
      const idA = (await a.repo.identity()).id;
      const { code } = await b.repo.createEnrollmentCode('guard', 10);
      const st = (await b.repo.enroll(code, 'Вход'))!;
      const now = new Date().toISOString();
      const events = [1, 2, 3].map((seq) => ({
        id: uuidv7(),
        seq,
        type: 'manual_open',
        occurredAt: now,
        clockOffsetMs: 0,
        payload: { direction: 'in', reason: 'test', note: '', operatorId: null, holderId: null },
      }));
      const res = await fetch(`${b.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${st.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events, backendId: idA }),
      });
      expect(res.status).toBe(200);
      const reply = EventsBatchResponse.parse(await res.json());
      expect(reply.results.map((r) => [r.id, r.status, r.code])).toEqual(events.map((e) => [e.id, 'invalid', 'wrong_backend']));
      expect(reply.results[0]!.message).toContain(idA);
      expect(await b.repo.db.all('SELECT id FROM events')).toEqual([]);

      // The same batch for B itself is taken, each event once.
      const own = await fetch(`${b.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${st.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events, backendId: (await b.repo.identity()).id }),
      });
      expect(EventsBatchResponse.parse(await own.json()).results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(await b.repo.db.all('SELECT id FROM events')).toHaveLength(3);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

// ── The station's side ───────────────────────────────────────────────────────────────────────
let station: Station | null = null;
const servers: RunningServer[] = [];
afterEach(async () => {
  await station?.close();
  station = null;
  for (const s of servers.splice(0)) await s.close().catch(() => undefined);
});

async function server(name: string): Promise<RunningServer> {
  const s = await startServer({ dataDir: tempDir(`${name}-`), port: 0, logger: false });
  servers.push(s);
  return s;
}

let reqId = 1;
async function call<T = unknown>(
  st: Station,
  name: string,
  input: unknown,
): Promise<{ ok: true; output: T } | { ok: false; error: { code: string; reason?: string; message: string } }> {
  return (isItGuarded(name) ? await dispatchAsIt(st.router, name, input) : await st.router.dispatch({ t: 'req', id: reqId++, name, input })) as never;
}
async function ok<T = unknown>(st: Station, name: string, input: unknown): Promise<T> {
  const r = await call<T>(st, name, input);
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.error)}`);
  return r.output;
}
const status = (st: Station) => ok<StationStatus>(st, 'station.getStatus', {});

async function enroll(st: Station, backend: RunningServer, role: 'guard' | 'cashier' = 'guard'): Promise<void> {
  const { code } = await backend.repo.createEnrollmentCode(role, 10);
  const r = await ok<{ ok: boolean; reason?: string }>(st, 'sync.enroll', { backendUrl: backend.url, code });
  expect(r).toMatchObject({ ok: true });
}

async function synced(st: Station): Promise<void> {
  await waitFor(async () => {
    const s = await st.sync()!.syncNow();
    return s.state === 'online' && s.progress === null;
  }, 20_000);
}

const stationLog = () => {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const make = (bind: Record<string, unknown>): never =>
    ({
      info: (obj: unknown, msg?: string) => lines.push({ level: 'info', obj: { ...bind, ...(typeof obj === 'object' ? obj : {}) }, msg: msg ?? String(obj) }),
      warn: (obj: unknown, msg?: string) => lines.push({ level: 'warn', obj: { ...bind, ...(typeof obj === 'object' ? obj : {}) }, msg: msg ?? String(obj) }),
      error: (obj: unknown, msg?: string) => lines.push({ level: 'error', obj: { ...bind, ...(typeof obj === 'object' ? obj : {}) }, msg: msg ?? String(obj) }),
      debug: () => undefined,
      child: (b: Record<string, unknown>) => make({ ...bind, ...b }),
    }) as never;
  return { lines, logger: make({}) };
};

describe('demo only in demo', () => {
  it('the embedded demo school has its on-screen reader and its demo requests', async () => {
    station = await createStation({ dataDir: tempDir('demo-embedded-'), demoStudents: 5 });
    const s = await status(station);
    expect(s.demo).toBe(true);
    expect(s.readers.map((r) => r.kind)).toEqual(['simulated']);
    const cards = await ok<{ uid: string }[]>(station, 'demo.listCards', {});
    expect(cards.length).toBeGreaterThan(0);
    expect(await ok(station, 'demo.tap', { readerId: 'demo', technology: 'iso14443', uid: cards[0]!.uid })).toEqual({ ok: true });
  });

  it('enrolled with a real school the simulated reader is gone and every demo request is refused, with a line for IT', async () => {
    const real = await server('real');
    await seedRealSchool(real, 'R', 'A1');
    const { lines, logger } = stationLog();
    const dir = tempDir('demo-real-');
    station = await createStation({ dataDir: dir, demoStudents: 5, logger });
    expect((await status(station)).readers.map((r) => r.kind)).toEqual(['simulated']);
    await enroll(station, real);
    await synced(station);

    const s = await status(station);
    expect(s.demo).toBe(false);
    expect(s.readers).toEqual([]);
    expect((await ok<{ readers: unknown[] }>(station, 'settings.get', {})).readers).toEqual([]);
    // The real school's pupils are in the store now: the demo panel would list them with their card numbers.
    expect(station.store()!.roster.counts().students).toBe(3);
    for (const [name, input] of [
      ['demo.listCards', {}],
      ['demo.tap', { readerId: 'demo', technology: 'iso14443', uid: '04A10000000001' }],
    ] as const) {
      const r = await call(station, name, input);
      expect(r).toMatchObject({ ok: false, error: { code: 'refused', reason: 'demo_only' } });
    }
    expect(lines.filter((l) => l.msg.includes('demo request refused')).map((l) => l.obj.request)).toEqual(['demo.listCards', 'demo.tap']);
    // Nor can setup bring one back.
    const again = await call(station, 'settings.update', { readers: [{ id: 'demo', kind: 'simulated', role: 'cashier' }] });
    expect(again).toMatchObject({ ok: false, error: { code: 'refused', reason: 'demo_only' } });
    expect(station.readers.statuses()).toEqual([]);

    // A restart changes nothing: still no simulated reader, still refused.
    await station.close();
    station = await createStation({ dataDir: dir, demoStudents: 5 });
    expect((await status(station)).demo).toBe(false);
    expect((await status(station)).readers).toEqual([]);
    expect(await call(station, 'demo.listCards', {})).toMatchObject({ ok: false, error: { reason: 'demo_only' } });
  });

  it("a simulated reader written into a real school station's settings by hand never runs", async () => {
    const real = await server('real-hand');
    await seedRealSchool(real, 'H', 'B1');
    const dir = tempDir('demo-hand-');
    station = await createStation({ dataDir: dir, demoStudents: 5 });
    await enroll(station, real);
    await synced(station);
    // Someone edits the stored settings (an older build, a copied database): the station removes it at start.
    const db = station.store()!;
    db.settings.update({ readers: [{ id: 'sneaky', kind: 'simulated', role: 'cashier', label: '', retapMs: 1000 }] });
    await station.close();
    station = await createStation({ dataDir: dir, demoStudents: 5 });
    expect((await status(station)).readers).toEqual([]);
    expect((await ok<{ readers: unknown[] }>(station, 'settings.get', {})).readers).toEqual([]);
  });

  it('a backend that serves the demo school keeps the demo panel', async () => {
    const demo = await server('demo');
    await ensureDemoSchool(demo.repo, { students: 5 });
    station = await createStation({ dataDir: tempDir('demo-backend-'), demoStudents: 5 });
    await enroll(station, demo);
    await synced(station);
    const s = await status(station);
    expect(s.demo).toBe(true);
    expect(s.readers.map((r) => r.kind)).toEqual(['simulated']);
    expect((await ok<unknown[]>(station, 'demo.listCards', {})).length).toBeGreaterThan(0);
  });

  it('a real installation given its backend at first start has no reader at all, not a simulated one', async () => {
    const real = await server('first-start');
    await seedRealSchool(real, 'F', 'C1');
    const { code } = await real.repo.createEnrollmentCode('guard', 10);
    station = await createStation({ dataDir: tempDir('first-start-'), backend: { url: real.url, code } });
    // Before and after the enrollment the station runs with code: nothing simulated appears.
    expect((await status(station)).readers).toEqual([]);
    expect((await status(station)).demo).toBe(false);
    await waitFor(async () => (await status(station!)).sync.stationId !== null, 20_000);
    await synced(station);
    expect(station.store()!.roster.counts().students).toBe(3);
    expect((await status(station)).readers).toEqual([]);
    expect(await call(station, 'demo.listCards', {})).toMatchObject({ ok: false, error: { reason: 'demo_only' } });
  });
});

describe('another backend', () => {
  /** The station's rows that belong to a school, by table. */
  const schoolRows = (st: Station, like: string) => {
    const db = st.store()!.db;
    const q = (sql: string) => (db.prepare(sql).all(like) as Record<string, unknown>[]).length;
    return {
      students: q('SELECT id FROM students WHERE id LIKE ?'),
      staff: q('SELECT id FROM staff WHERE id LIKE ?'),
      pinHashes: q('SELECT id FROM staff WHERE id LIKE ? AND pin_hash IS NOT NULL'),
      cards: q('SELECT uid FROM cards WHERE holder_id LIKE ?'),
      accounts: q('SELECT holder_id FROM accounts WHERE holder_id LIKE ?'),
      menu: q('SELECT id FROM menu_items WHERE id LIKE ?'),
      spareCards: q("SELECT uid FROM spare_cards WHERE label LIKE '%' || substr(?, 1, 1)"),
    };
  };
  const photoFiles = (dir: string) => new Set(readdirSync(join(dir, 'photos')));

  /** A station of school A with passes waiting (A is away), then enrolled with B. */
  async function detour(): Promise<{ dir: string; a: RunningServer; b: RunningServer; waiting: string[]; idA: string; photosA: Set<string> }> {
    const a = await server('school-a');
    const b = await server('school-b');
    await a.repo.setSchoolName('Школа № 1');
    await b.repo.setSchoolName('Ноутбук в коридоре');
    await seedRealSchool(a, 'A', 'AA');
    await seedRealSchool(b, 'B', 'BB');
    const dir = tempDir('detour-');
    station = await createStation({ dataDir: dir, sync: { pullIntervalMs: 60_000, timeoutMs: 2_000, backoff: { baseMs: 50, maxMs: 200 } } });
    await enroll(station, a);
    await synced(station);
    expect(schoolRows(station, 'A-%')).toEqual({ students: 3, staff: 1, pinHashes: 1, cards: 4, accounts: 4, menu: 1, spareCards: 1 });
    const photosA = photoFiles(dir);
    expect(photosA.size).toBe(3);

    // School A's server is away; three passes wait in the outbox.
    const idA = (await a.repo.identity()).id;
    await a.close();
    servers.splice(servers.indexOf(a), 1);
    const store = station.store()!;
    const waiting = [1, 2, 3].map(
      (i) => store.outbox.append('manual_open', { direction: 'in', reason: 'forgot_card', note: `A-${i}`, operatorId: null, holderId: 'A-S1' }).id,
    );
    await waitFor(async () => (await status(station!)).sync.state === 'offline', 10_000);

    await enroll(station, b);
    return { dir, a, b, waiting, idA, photosA };
  }

  it("enrolling with another backend leaves none of the first one's rows and none of its portrait files; its waiting events are held, not delivered", async () => {
    const { dir, b, waiting, idA, photosA } = await detour();
    expect(schoolRows(station!, 'A-%')).toEqual({ students: 0, staff: 0, pinHashes: 0, cards: 0, accounts: 0, menu: 0, spareCards: 0 });
    for (const f of photosA) expect(existsSync(join(dir, 'photos', f))).toBe(false);
    const st = await status(station!);
    expect(st.heldEvents).toEqual([{ backend: { id: idA, schoolName: 'Школа № 1', demo: false }, count: 3, heldAt: expect.any(String) }]);
    // What waits for B is only IT's own record of enrolling with it (an it_change made after the switch).
    expect(st.sync.eventsWaiting).toBe(1);
    const pendingForB = station!
      .store()!
      .db.prepare("SELECT type FROM outbox WHERE status = 'pending' AND id NOT IN (?, ?, ?)")
      .all(...waiting);
    expect(pendingForB).toEqual([{ type: 'it_change' }]);

    await synced(station!);
    // B's school arrived, A's did not come back, and B never saw A's events.
    expect(schoolRows(station!, 'B-%')).toMatchObject({ students: 3, pinHashes: 1, menu: 1, spareCards: 1 });
    expect(schoolRows(station!, 'A-%').students).toBe(0);
    expect([...photoFiles(dir)].some((f) => photosA.has(f))).toBe(false);
    const onB = (await b.repo.db.all<{ id: string }>('SELECT id FROM events')).map((r) => r.id);
    for (const id of waiting) expect(onB).not.toContain(id);
    // Still held after the sync, and after a restart.
    await station!.close();
    station = await createStation({ dataDir: dir });
    expect((await status(station)).heldEvents.map((h) => h.count)).toEqual([3]);
    await synced(station);
    expect((await b.repo.db.all<{ id: string }>('SELECT id FROM events')).map((r) => r.id).filter((id) => waiting.includes(id))).toEqual([]);
  });

  it('IT sends the held events to the new backend: they go, with an event saying who decided', async () => {
    const { b, waiting, idA } = await detour();
    // Only IT decides: without an IT session the request is refused and nothing moves.
    expect(await station!.router.dispatch({ t: 'req', id: reqId++, name: 'sync.releaseHeld', input: { backendId: idA } })).toMatchObject({
      ok: false,
      error: { code: 'refused', reason: 'it_session_required' },
    });
    expect((await status(station!)).heldEvents.map((h) => h.count)).toEqual([3]);
    // With it (here the station's setup PIN), who decided is the session's holder, not a typed name.
    const r = await ok<{ released: number }>(station!, 'sync.releaseHeld', { backendId: idA });
    expect(r).toEqual({ released: 3 });
    expect((await status(station!)).heldEvents).toEqual([]);
    await synced(station!);
    await waitFor(async () => (await status(station!)).sync.eventsWaiting === 0, 10_000);
    const onB = await b.repo.db.all<{ id: string; type: string; body: string }>('SELECT id, type, body FROM events ORDER BY seq');
    expect(onB.filter((e) => waiting.includes(e.id))).toHaveLength(3);
    const decision = onB.find((e) => e.type === 'held_events_released');
    expect(JSON.parse(decision!.body).payload).toMatchObject({ fromBackendId: idA, fromSchoolName: 'Школа № 1', count: 3, decidedBy: 'setup_pin' });
  });

  it('IT keeps the held events aside: exported with the reason, never sent', async () => {
    const { dir, b, waiting, idA } = await detour();
    const r = await ok<{ keptAside: number; file: string }>(station!, 'sync.setAsideHeld', { backendId: idA });
    expect(r.keptAside).toBe(3);
    expect(r.file.startsWith(join(dir, 'exports'))).toBe(true);
    const exported = JSON.parse(readFileSync(r.file, 'utf8')) as { reason: string; events: { id: string }[] };
    expect(exported.events.map((e) => e.id)).toEqual(waiting);
    expect(exported.reason).toContain(idA);
    expect(exported.reason).toContain('kept aside by setup_pin');
    await synced(station!);
    expect((await b.repo.db.all<{ id: string }>('SELECT id FROM events')).filter((e) => waiting.includes(e.id))).toEqual([]);
    const rows = station!.store()!.db.prepare("SELECT status, result_code FROM outbox WHERE type = 'manual_open'").all();
    expect(rows).toEqual(waiting.map(() => ({ status: 'invalid', result_code: 'held_other_backend' })));
    expect((await status(station!)).heldEvents).toEqual([]);
    // Deciding twice is refused in words.
    expect(await call(station!, 'sync.releaseHeld', { backendId: idA })).toMatchObject({ ok: false, error: { code: 'not_found', reason: 'no_held_events' } });
  });

  it('re-enrolling with the same backend keeps everything, and the waiting events go to it', async () => {
    const a = await server('same');
    await seedRealSchool(a, 'A', 'AA');
    const dir = tempDir('same-');
    station = await createStation({ dataDir: dir });
    await enroll(station, a);
    await synced(station);
    const before = schoolRows(station, 'A-%');
    const photos = photoFiles(dir);
    const id = station.store()!.outbox.append('manual_open', { direction: 'in', reason: 'forgot_card', note: '', operatorId: null, holderId: 'A-S1' }).id;
    await enroll(station, a);
    expect(schoolRows(station, 'A-%')).toEqual(before);
    expect(photoFiles(dir)).toEqual(photos);
    expect((await status(station)).heldEvents).toEqual([]);
    await synced(station);
    await waitFor(async () => (await a.repo.db.all<{ id: string }>('SELECT id FROM events WHERE id = ?', [id])).length === 1, 10_000);
  });

  it('a station from before backends had an identity learns its own, keeps its school and delivers its events', async () => {
    const a = await server('upgrade');
    await seedRealSchool(a, 'A', 'AA');
    const dir = tempDir('upgrade-');
    station = await createStation({ dataDir: dir });
    await enroll(station, a);
    await synced(station);
    const before = schoolRows(station, 'A-%');
    for (const older of [null, JSON.stringify({ id: `url:${a.url}`, schoolName: '', demo: false })]) {
      // What an older build left: no identity at all, or a backend known only by its address.
      station.store()!.syncState.set('backend_identity', older);
      await station.close();
      station = await createStation({ dataDir: dir });
      const id = station.store()!.outbox.append('manual_open', { direction: 'in', reason: 'forgot_card', note: '', operatorId: null, holderId: 'A-S1' }).id;
      await synced(station);
      await waitFor(async () => (await a.repo.db.all('SELECT id FROM events WHERE id = ?', [id])).length === 1, 10_000);
      expect(JSON.parse(station.store()!.syncState.get('backend_identity')!)).toEqual(await a.repo.identity());
      expect(schoolRows(station, 'A-%')).toEqual(before);
      expect((await status(station)).heldEvents).toEqual([]);
    }
  });

  it('a station whose backend was swapped under its address stops syncing rather than mix two schools', async () => {
    const a = await server('swap-a');
    await seedRealSchool(a, 'A', 'AA');
    station = await createStation({ dataDir: tempDir('swap-'), sync: { pullIntervalMs: 60_000, timeoutMs: 2_000, backoff: { baseMs: 50, maxMs: 200 } } });
    await enroll(station, a);
    await synced(station);
    // Another database behind the same address, which knows this station's token (a copy of A's stations).
    const port = a.port;
    const stationsRows = await a.repo.db.all<Record<string, unknown>>('SELECT * FROM stations');
    await a.close();
    servers.splice(servers.indexOf(a), 1);
    // The impostor is made ready elsewhere first (its school, the copied station rows), then put at A's
    // address: the station's retries must meet it ready, not a half-made one that does not know the token.
    const impostorDir = tempDir('swap-b-');
    const setup = await startServer({ dataDir: impostorDir, port: 0, logger: false });
    await seedRealSchool(setup, 'X', 'CC');
    for (const r of stationsRows) {
      await setup.repo.db.run('INSERT INTO stations (id, name, token_hash, enrolled_at, role) VALUES (?, ?, ?, ?, ?)', [
        r.id as string,
        r.name as string,
        r.token_hash as string,
        r.enrolled_at as string,
        (r.role as string | null) ?? null,
      ]);
    }
    await setup.close();
    const impostor = await startServer({ dataDir: impostorDir, port, logger: false });
    servers.push(impostor);
    // Nothing to push: the roster page names the other backend and is not applied.
    const s = await station.sync()!.syncNow();
    expect(s).toMatchObject({ needsEnrollment: true, lastErrorCode: 'wrong_backend' });
    expect(schoolRows(station, 'X-%').students).toBe(0);
    expect(schoolRows(station, 'A-%').students).toBe(3);
    // With an event waiting, the push is refused by the other backend too (and the station does not retry it there).
    const id = station.store()!.outbox.append('manual_open', { direction: 'in', reason: 'forgot_card', note: '', operatorId: null, holderId: 'A-S1' }).id;
    const client = createBackendClient({
      baseUrl: impostor.url,
      token: JSON.parse(readFileSync(join(station.photos.dir, '..', 'backend-token.json'), 'utf8')).token,
    });
    await expect(pushOutbox(client, createSyncStore(station.store()!, station.photos))).rejects.toMatchObject({ code: 'wrong_backend' });
    client.close();
    expect(await impostor.repo.db.all('SELECT id FROM events WHERE id = ?', [id])).toEqual([]);
    expect(station.store()!.db.prepare('SELECT status FROM outbox WHERE id = ?').get(id)).toEqual({ status: 'pending' });
  });
});
