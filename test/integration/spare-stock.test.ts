/**
 * The school's spare-card stock lives on the reference server: IT adds, lists and removes
 * spare cards (admin endpoints and CLI, on SQLite and PostgreSQL), the roster carries them and their
 * tombstones, and stations (guard posts and the canteen) keep their stock from it. A card removed while
 * handed out stays with the child until it comes back, then leaves the station's stock.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cardTag } from '../../node/card-tag.ts';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_SPARE_CARDS } from '../../common/demo-school.ts';
import { EventsBatchResponse, RosterPage, SpareCardAdminView, SpareCardRemoveResponse } from '../../common/sync-api.ts';
import { systemClock } from '../../common/clock.ts';
import { ensureDemoSpareCards, retireDemoSchool } from '../../core/demo-seed.ts';
import { NO_GATE } from '../../hardware/relay.ts';
import { GuardPost } from '../../core/guard/guard-post.ts';
import { DomainError } from '../../common/errors.ts';
import { configureConnection, loadMigrations, migrate } from '../../core/store/db.ts';
import { createSyncStore } from '../../station/sync-store.ts';
import { ensureDemoSchool, removeSpareCard, seedDemoSchool } from '../../server/admin.ts';
import type { RunningServer } from '../../server/index.ts';
import { createBackendClient } from '../../sync/client.ts';
import { pullRoster } from '../../sync/pull.ts';
import { pushOutbox } from '../../sync/push.ts';
import { pinoMemoryLog } from '../helpers/guard-fixture.ts';
import {
  enrollDirect,
  makeStorage,
  openRepo,
  openStation,
  ROOT,
  seedSmallSchool,
  startInProcessServer,
  storageLifecycle,
  tempDir,
  type StorageKind,
} from '../helpers/sync-rig.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** What the station answers the guard's screen with when it refuses (the code and reason the renderer translates). */
function refusal(fn: () => unknown): { code: string; reason: string } | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof DomainError) return { code: err.code, reason: err.reason };
    throw err;
  }
}

/** The admin endpoints as IT's tools call them. */
function adminApi(server: RunningServer, token: string) {
  const call = (method: 'GET' | 'POST', path: string, body?: unknown) =>
    fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  return {
    call,
    async add(body: Record<string, unknown>) {
      const res = await call('POST', '/v1/admin/spare-cards', body);
      expect(res.status, await res.clone().text()).toBe(200);
      return SpareCardAdminView.parse(await res.json());
    },
    async list() {
      const res = await call('GET', '/v1/admin/spare-cards');
      expect(res.status).toBe(200);
      return SpareCardAdminView.array().parse(await res.json());
    },
    async remove(body: Record<string, unknown>) {
      const res = await call('POST', '/v1/admin/spare-cards/remove', body);
      expect(res.status, await res.clone().text()).toBe(200);
      return SpareCardRemoveResponse.parse(await res.json());
    },
  };
}

describe.each<StorageKind>(['sqlite', 'postgres'])('the spare-card stock on the reference server on %s', (kind) => {
  // The file's own cleanups (above) serve every block; this one's PostgreSQL comes and goes with it.
  const { pg } = storageLifecycle(kind);

  async function boot() {
    const t = tempDir('ss-spare-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage(kind, t.dir, pg());
    await seedSmallSchool(storage, 6);
    const server = await startInProcessServer(storage);
    cleanups.push(() => server.close());
    const { code } = await server.repo.createEnrollmentCode('guard');
    const station = (await server.repo.enroll(code, 'Вход 1'))!;
    const admin = adminApi(server, await server.repo.createAdminToken());
    const roster = async (since: string) => {
      const res = await fetch(`${server.url}/v1/roster?since=${since}`, { headers: { authorization: `Bearer ${station.token}` } });
      return RosterPage.parse(await res.json());
    };
    const push = async (events: unknown[]) => {
      const res = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${station.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      return EventsBatchResponse.parse(await res.json()).results;
    };
    return { t, storage, server, admin, roster, push };
  }

  it('IT adds spare cards in any printed form, lists them with who holds each now, removes them; the roster carries each and its tombstone', async () => {
    const { server, admin, roster, push } = await boot();
    // The demo school keeps its spare cards in the server's stock.
    expect((await admin.list()).map((s) => s.uid)).toEqual(DEMO_SPARE_CARDS.map((c) => c.uid));
    let since = (await server.repo.rosterPage(0, 100_000)).cursor;

    // Hex with separators, a Wiegand-26 print and a 10-digit decimal print.
    const a = await admin.add({ technology: 'iso14443', uid: '04:e1:00:00:00:00:00:01', label: '  Запасная 5 ' });
    expect(a).toMatchObject({ technology: 'iso14443', uid: '04E1000000000001', label: 'Запасная 5', boundTo: null });
    const b = await admin.add({ technology: 'em4100', uid: '123,45678', format: 'wiegand26' });
    expect(b).toMatchObject({ technology: 'em4100', uid: '7BB26E', label: '', printed: { wiegand26: '123,45678' } });
    const c = await admin.add({ technology: 'em4100', uid: '0012345678', format: 'dec10', label: 'Запасная 7' });
    expect(c).toMatchObject({ uid: '00BC614E', printed: { dec10: '0012345678' } });
    // Adding one again relabels it; nothing doubles.
    expect(await admin.add({ technology: 'iso14443', uid: '04E1000000000001', label: 'Запасная 6' })).toMatchObject({ label: 'Запасная 6' });
    expect((await admin.list()).map((s) => `${s.label}|${s.uid}`)).toEqual([
      '|7BB26E',
      ...DEMO_SPARE_CARDS.map((d) => `${d.label}|${d.uid}`),
      'Запасная 6|04E1000000000001',
      'Запасная 7|00BC614E',
    ]);

    // The roster delta carries the three (the relabelled one once, with its new label), each with the part
    // of the number its printed form holds (Wiegand-26: the last 3 bytes; 10 digits: the last 4).
    const delta = await roster(since);
    expect(delta.spareCards).toEqual([
      { technology: 'em4100', uid: '7BB26E', part: 'last3', label: '' },
      { technology: 'em4100', uid: '00BC614E', part: 'last4', label: 'Запасная 7' },
      { technology: 'iso14443', uid: '04E1000000000001', label: 'Запасная 6' },
    ]);
    expect(delta.remaining).toBe(3);
    expect(delta.tombstones).toEqual([]);
    since = delta.cursor;

    // Refused with a clear message: somebody's own card, a random uid, a uid that is not in the named form.
    const own = (await server.repo.db.get<{ uid: string; holder_id: string }>(
      "SELECT uid, holder_id FROM cards WHERE status = 'active' AND holder_kind = 'student' ORDER BY uid",
    ))!;
    const refused = await admin.call('POST', '/v1/admin/spare-cards', { technology: 'iso14443', uid: own.uid.toLowerCase() });
    expect(refused.status).toBe(400);
    const why = ((await refused.json()) as { message: string }).message;
    expect(why).toContain(`iso14443:${own.uid}`);
    expect(why).toContain(`${own.holder_id} (`);
    expect(why).toMatch(/active card\. A spare card must be a card nobody owns/);
    const random = await admin.call('POST', '/v1/admin/spare-cards', { technology: 'iso14443', uid: '08A1B2C3' });
    expect(((await random.json()) as { message: string }).message).toMatch(/random uid/);
    const garbled = await admin.call('POST', '/v1/admin/spare-cards', { technology: 'em4100', uid: '12,3456789', format: 'wiegand26' });
    expect(garbled.status).toBe(400);
    expect(((await garbled.json()) as { message: string }).message).toMatch(/Wiegand-26/);
    expect((await fetch(`${server.url}/v1/admin/spare-cards`)).status).toBe(401);
    expect((await roster(since)).remaining).toBe(0);

    // A station binds one to a child (a temp_card_bind event): the list says who holds it now.
    const child = (await server.repo.db.get<{ id: string; full_name: string }>('SELECT id, full_name FROM students ORDER BY id'))!;
    const validUntil = new Date(Date.now() + 3_600_000).toISOString();
    const [bind] = await push([
      {
        id: uuidv7(),
        seq: 1,
        type: 'temp_card_bind',
        occurredAt: new Date().toISOString(),
        clockOffsetMs: 0,
        payload: { card: { technology: 'iso14443', uid: '04E1000000000001' }, holderKind: 'student', holderId: child.id, validUntil, operatorId: null },
      },
    ]);
    expect(bind).toMatchObject({ status: 'accepted' });
    // A card that is not in the stock (IT removed it while a post was offline): the backend is the authority
    // on cards, so the binding is refused (kept as invalid) and the school sees a spare-card exception.
    const [outside] = await push([
      {
        id: uuidv7(),
        seq: 2,
        type: 'temp_card_bind',
        occurredAt: new Date().toISOString(),
        clockOffsetMs: 0,
        payload: { card: { technology: 'iso14443', uid: '04E10000000000FF' }, holderKind: 'student', holderId: child.id, validUntil, operatorId: null },
      },
    ]);
    expect(outside).toMatchObject({ status: 'invalid', rule: 'not_spare', message: "card iso14443:04E10000000000FF is not in the school's spare-card stock" });
    expect(await server.repo.card('iso14443', '04E10000000000FF')).toBeNull();
    expect((await server.repo.exceptions.list()).map((e) => [e.kind, e.holderId])).toEqual([['spare_card_refused', child.id]]);
    expect((await admin.list()).find((s) => s.uid === '04E1000000000001')!.boundTo).toEqual({
      holderKind: 'student',
      holderId: child.id,
      fullName: child.full_name,
      validUntil,
    });
    // A bound spare card is not somebody's own card: adding it again only relabels it.
    expect(await admin.add({ technology: 'iso14443', uid: '04E1000000000001', label: 'Запасная 6' })).toMatchObject({ boundTo: { holderId: child.id } });
    since = (await roster(since)).cursor; // the temporary card row

    // Removing: an unbound one goes; a bound one goes from the stock but stays with the child.
    expect(await admin.remove({ technology: 'em4100', uid: '0012345678', format: 'dec10' })).toMatchObject({ stillBound: false, removed: { uid: '00BC614E' } });
    const bound = await admin.remove({ technology: 'iso14443', uid: '04E1000000000001' });
    expect(bound).toMatchObject({ stillBound: true, removed: { boundTo: { holderId: child.id } } });
    expect(await server.repo.card('iso14443', '04E1000000000001')).toMatchObject({ holderId: child.id, status: 'temporary' });
    const gone = await admin.call('POST', '/v1/admin/spare-cards/remove', { technology: 'em4100', uid: '00BC614E' });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { message: string }).message).toMatch(/not in the spare-card stock/);
    expect((await admin.list()).map((s) => s.uid)).not.toContain('00BC614E');

    const tombs = await roster(since);
    expect(tombs.spareCards).toEqual([]);
    expect(tombs.tombstones).toEqual([
      { kind: 'spare_card', id: 'em4100:00BC614E' },
      { kind: 'spare_card', id: 'iso14443:04E1000000000001' },
    ]);
    since = tombs.cursor;
    // Added back: the tombstone goes, the card comes again.
    await admin.add({ technology: 'em4100', uid: '00BC614E', label: 'Запасная 7' });
    const back = await roster(since);
    expect(back.spareCards.map((s) => s.uid)).toEqual(['00BC614E']);
    expect((await server.repo.rosterPage(0, 10_000)).tombstones.filter((t) => t.kind === 'spare_card')).toEqual([
      { kind: 'spare_card', id: 'iso14443:04E1000000000001' },
    ]);
  });

  it("a spare card cannot become somebody else's card by a CSV import or as a lost card's replacement", async () => {
    const { server, admin } = await boot();
    const csv =
      'id,full_name,class,cards\nS09001,Новикова Дарья Андреевна,3А,iso14443:04D0000000000002\nS09002,Егоров Лев Иванович,3А,iso14443:04E2000000000001\n';
    const res = await admin.call('POST', '/v1/admin/students/import', { csv });
    expect(await res.json()).toMatchObject({
      imported: 1,
      rejected: [{ line: 2, reason: "card iso14443:04D0000000000002 is a spare card in the school's stock; remove it from the stock first" }],
      removed: 0,
    });
    const lost = (await server.repo.db.get<{ uid: string }>("SELECT uid FROM cards WHERE status = 'active' AND technology = 'iso14443' ORDER BY uid"))!;
    const refused = await admin.call('POST', '/v1/admin/cards/lost', {
      card: { technology: 'iso14443', uid: lost.uid },
      temporary: { technology: 'iso14443', uid: '04D0000000000003' },
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/spare card in the school's stock/);
    expect(await server.repo.card('iso14443', lost.uid)).toMatchObject({ status: 'active' });
  });

  it('a demo server from before the stock gets the demo spare cards on its next start; a stock IT emptied stays empty', async () => {
    const t = tempDir('ss-spare-old-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage(kind, t.dir, pg());
    const repo = await openRepo(storage);
    cleanups.push(() => repo.db.close());
    await seedDemoSchool(repo, { students: 2, menuDays: 1 });
    await repo.db.run('DELETE FROM spare_cards'); // as a database seeded before the server kept spare cards
    expect(await ensureDemoSchool(repo)).toBe(false);
    expect((await repo.spareCards()).map((c) => c.label)).toEqual(DEMO_SPARE_CARDS.map((c) => c.label));
    for (const c of DEMO_SPARE_CARDS) await removeSpareCard(repo, { technology: c.technology, uid: c.uid, format: 'hex' });
    await ensureDemoSchool(repo);
    expect(await repo.spareCards()).toEqual([]);
  });

  it('the CLI adds, lists and removes spare cards, refuses a card somebody owns, and its help names the commands', async () => {
    const t = tempDir('ss-spare-cli-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage(kind, t.dir, pg());
    await seedSmallSchool(storage, 3);
    const where = storage.databaseUrl ? ['--database-url', storage.databaseUrl] : ['--data-dir', storage.dataDir!];
    const cli = (...args: string[]) => execFileSync(process.execPath, ['server/cli.ts', ...args, ...where], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    const help = spawnSync(process.execPath, ['server/cli.ts', '--help'], { cwd: ROOT, encoding: 'utf8' }).stdout;
    expect(help).toMatch(/spare-cards/);
    expect(help).toMatch(/add-spare-card TECH:UID \[--label TEXT\] \[--format F\]/);
    expect(help).toMatch(/remove-spare-card TECH:UID/);

    expect(JSON.parse(cli('add-spare-card', 'em4100:0012345678', '--format', 'dec10', '--label', 'Запасная 9'))).toMatchObject({
      technology: 'em4100',
      uid: '00BC614E',
      label: 'Запасная 9',
    });
    const listed = SpareCardAdminView.array().parse(JSON.parse(cli('spare-cards')));
    expect(listed.map((s) => s.label)).toContain('Запасная 9');
    expect(listed).toHaveLength(DEMO_SPARE_CARDS.length + 1);

    const repo = await openRepo(storage);
    const own = (await repo.db.get<{ uid: string }>("SELECT uid FROM cards WHERE technology = 'iso14443' ORDER BY uid"))!;
    await repo.db.close();
    expect(() => cli('add-spare-card', `iso14443:${own.uid}`)).toThrow(/A spare card must be a card nobody owns/);
    expect(() => cli('add-spare-card', 'em4100:12345', '--format', 'octal')).toThrow(/unknown --format "octal"/);

    expect(JSON.parse(cli('remove-spare-card', 'em4100:00BC614E'))).toMatchObject({ stillBound: false, removed: { uid: '00BC614E' } });
    expect(() => cli('remove-spare-card', 'em4100:00BC614E')).toThrow(/not in the spare-card stock/);
  });
});

describe('spare cards from IT to the guard post, end to end (reference server on loopback, real station stores)', () => {
  async function school() {
    const t = tempDir('ss-spare-e2e-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage('sqlite', t.dir, null);
    await seedSmallSchool(storage, 8);
    const server = await startInProcessServer(storage);
    cleanups.push(() => server.close());
    const admin = adminApi(server, await server.repo.createAdminToken());
    /** A station of the school: its own store, enrolled, syncing through the real pull and push. */
    const station = async (name: string) => {
      const s = openStation(join(t.dir, name), systemClock());
      cleanups.push(() => s.store.close());
      const log = pinoMemoryLog();
      const syncStore = createSyncStore(s.store, s.photos, log);
      const creds = await enrollDirect(server.repo, server.url, s.vaultPath, 'guard');
      const client = createBackendClient({ baseUrl: server.url, token: creds.token });
      const guard = new GuardPost({ store: s.store, clock: systemClock(), gate: () => NO_GATE, log, exportDir: join(t.dir, name, 'exports') });
      const stock = () =>
        s.store.db.prepare<[], { uid: string; label: string; holder_id: string | null }>('SELECT uid, label, holder_id FROM spare_cards ORDER BY uid').all();
      return {
        store: s.store,
        guard,
        log,
        stock,
        pull: () => pullRoster(client, syncStore),
        push: () => pushOutbox(client, syncStore),
      };
    };
    return { server, admin, station };
  }

  it('IT adds two spare cards → the stations pull them → the guard binds one → accepted → IT removes the other → gone from the stock after the next pull', async () => {
    const { server, admin, station } = await school();
    const post = await station('guard');
    const canteen = await station('canteen');
    await post.pull();
    await canteen.pull();
    const demoUids = DEMO_SPARE_CARDS.map((d) => d.uid);
    expect(post.stock().map((s) => s.uid)).toEqual(demoUids);

    await admin.add({ technology: 'iso14443', uid: '04E1000000000001', label: 'Запасная 5' });
    await admin.add({ technology: 'iso14443', uid: '04E1000000000002', label: 'Запасная 6' });
    expect(post.guard.spareCards().some((s) => s.uid === '04E1000000000001')).toBe(false); // not pulled yet
    expect((await post.pull()).rows).toBe(2);
    await canteen.pull();
    const five = { technology: 'iso14443' as const, uid: '04E1000000000001' };
    const six = { technology: 'iso14443' as const, uid: '04E1000000000002' };
    expect(post.guard.spareCards().filter((s) => !demoUids.includes(s.uid))).toEqual([
      { technology: 'iso14443', uid: '04E1000000000001', label: 'Запасная 5', printed: '04E1000000000001', boundTo: null, boundUntil: null },
      { technology: 'iso14443', uid: '04E1000000000002', label: 'Запасная 6', printed: '04E1000000000002', boundTo: null, boundUntil: null },
    ]);
    // Every station of the school knows the stock, the canteen too.
    expect(canteen.stock().map((s) => s.uid)).toEqual(post.stock().map((s) => s.uid));

    // The guard hands «Запасная 5» to a child who forgot their card; the server accepts the event.
    const child = (await server.repo.db.get<{ id: string; full_name: string }>('SELECT id, full_name FROM students ORDER BY id'))!;
    const { validUntil } = post.guard.bindSpareCard({ card: five, holderKind: 'student', holderId: child.id, operatorId: null });
    expect(await post.push()).toMatchObject({ acknowledged: 1, anomalies: 0, invalid: 0 });
    expect(post.store.outbox.after(0, 10).map((e) => [e.type, e.status])).toEqual([['temp_card_bind', 'accepted']]);
    expect((await admin.list()).find((s) => s.uid === five.uid)!.boundTo).toMatchObject({ holderId: child.id, fullName: child.full_name, validUntil });
    expect(post.guard.onCard({ readerId: 'entry', ...five, raw: '', at: new Date().toISOString() }, 'entry')).toMatchObject({
      verdict: 'allow',
      reason: 'temporary_card',
      holder: { id: child.id },
    });

    // The canteen (and any other post) sees it handed out: it cannot be handed out twice.
    await canteen.pull();
    expect(canteen.guard.spareCards().find((s) => s.uid === five.uid)).toMatchObject({ boundTo: { id: child.id }, boundUntil: validUntil });
    const other = (await server.repo.db.get<{ id: string }>('SELECT id FROM students WHERE id <> ? ORDER BY id', [child.id]))!;
    expect(refusal(() => canteen.guard.bindSpareCard({ card: five, holderKind: 'student', holderId: other.id, operatorId: null }))).toEqual({
      code: 'conflict',
      reason: 'spare_already_bound',
    });

    // IT removes «Запасная 6»: after the next pull it is gone from every station's stock.
    expect(await admin.remove({ technology: 'iso14443', uid: six.uid })).toMatchObject({ stillBound: false });
    expect(post.stock().map((s) => s.uid)).toContain(six.uid);
    await post.pull();
    await canteen.pull();
    expect(post.stock().map((s) => s.uid)).not.toContain(six.uid);
    expect(canteen.stock().map((s) => s.uid)).not.toContain(six.uid);
    expect(post.guard.spareCards().map((s) => s.uid)).not.toContain(six.uid);
    expect(refusal(() => post.guard.bindSpareCard({ card: six, holderKind: 'student', holderId: other.id, operatorId: null }))).toEqual({
      code: 'not_found',
      reason: 'spare_not_in_stock',
    });
    expect(post.log.lines.some((l) => l.msg === 'sync: spare card removed from the stock by the server' && l.obj.card === cardTag(six))).toBe(true);
    // The log names the card by its tag, never its number.
    expect(post.log.lines.filter((l) => JSON.stringify(l).includes(six.uid))).toEqual([]);

    // IT removes «Запасная 5» while the child has it: the child keeps passing until it comes back …
    expect(await admin.remove({ technology: 'iso14443', uid: five.uid })).toMatchObject({ stillBound: true });
    await post.pull();
    expect(post.stock().find((s) => s.uid === five.uid)).toMatchObject({ holder_id: child.id });
    expect(post.guard.onCard({ readerId: 'exit', ...five, raw: '', at: new Date().toISOString() }, 'exit')).toMatchObject({ verdict: 'allow' });
    expect(post.log.lines.some((l) => /handed out now and leaves the stock when it comes back/.test(l.msg))).toBe(true);
    // … then it leaves the stock (logged), and the server unbinds it for every station.
    post.guard.returnSpareCard(five);
    expect(post.stock().map((s) => s.uid)).not.toContain(five.uid);
    expect(post.log.lines.some((l) => l.msg === 'guard: spare card returned and dropped: IT removed it from the stock' && l.obj.card === cardTag(five))).toBe(
      true,
    );
    expect(post.guard.onCard({ readerId: 'entry', ...five, raw: '', at: new Date().toISOString() }, 'entry')).toMatchObject({
      verdict: 'deny',
      reason: 'unknown_card',
    });
    // Three passes and the return.
    expect(await post.push()).toMatchObject({ acknowledged: 4, invalid: 0 });
    expect(await server.repo.card('iso14443', five.uid)).toBeNull();
    await canteen.pull();
    expect(canteen.stock().map((s) => s.uid)).toEqual(demoUids);
    expect(canteen.store.roster.lookupCard(five)).toBeNull();
  });

  it("a spare card handed out at gate A and brought back at gate B is back in A's stock after A's next pull; a binding A has not pushed yet is kept", async () => {
    const { server, station } = await school();
    const a = await station('gate-a');
    const b = await station('gate-b');
    const c = await station('gate-c');
    await a.pull();
    await b.pull();
    await c.pull();
    const [child, other, third] = await server.repo.db.all<{ id: string }>('SELECT id FROM students ORDER BY id LIMIT 3');
    const spare = { technology: DEMO_SPARE_CARDS[0]!.technology, uid: DEMO_SPARE_CARDS[0]!.uid };
    const tap = (post: typeof a, direction: 'entry' | 'exit') =>
      post.guard.onCard({ readerId: direction, ...spare, raw: '', at: new Date().toISOString() }, direction);

    // Gate A hands the spare card to a child; gate B sees it handed out and takes it back in the afternoon.
    a.guard.bindSpareCard({ card: spare, holderKind: 'student', holderId: child!.id, operatorId: null });
    expect(await a.push()).toMatchObject({ acknowledged: 1, invalid: 0 });
    await b.pull();
    expect(b.guard.spareCards().find((s) => s.uid === spare.uid)).toMatchObject({ boundTo: { id: child!.id } });
    b.guard.returnSpareCard(spare);
    expect(await b.push()).toMatchObject({ acknowledged: 1, invalid: 0 });

    // Until gate A pulls, it still has the card out; after, it is in A's stock again and A can hand it out.
    expect(a.guard.spareCards().find((s) => s.uid === spare.uid)).toMatchObject({ boundTo: { id: child!.id } });
    await a.pull();
    expect(a.guard.spareCards().find((s) => s.uid === spare.uid)).toMatchObject({ boundTo: null, boundUntil: null });
    expect(tap(a, 'entry')).toMatchObject({ verdict: 'deny', reason: 'spare_unbound' });
    expect(a.log.lines.some((l) => l.msg === 'sync: spare card brought back at another post; back in stock here' && l.obj.holder === child!.id)).toBe(true);
    a.guard.bindSpareCard({ card: spare, holderKind: 'student', holderId: other!.id, operatorId: null });
    expect(tap(a, 'entry')).toMatchObject({ verdict: 'allow', reason: 'temporary_card', holder: { id: other!.id } });

    // Gate C was offline all day (its cursor is from the morning): it hands the card, free in its stock, to a
    // third child before it can pull. The afternoon's return then arrives: C keeps its own binding and the
    // card row (the server has not seen them), so the child keeps passing, and its push binds the card.
    c.guard.bindSpareCard({ card: spare, holderKind: 'student', holderId: third!.id, operatorId: null });
    await c.pull();
    expect(c.stock().find((s) => s.uid === spare.uid)).toMatchObject({ holder_id: third!.id });
    expect(tap(c, 'exit')).toMatchObject({ verdict: 'allow', reason: 'temporary_card', holder: { id: third!.id } });
    expect(c.log.lines.some((l) => /brought back at another post/.test(l.msg))).toBe(false);
    expect(await c.push()).toMatchObject({ invalid: 0 });
    expect((await server.repo.card(spare.technology, spare.uid))?.holderId).toBe(third!.id);
    await c.pull();
    expect(tap(c, 'entry')).toMatchObject({ verdict: 'allow', holder: { id: third!.id } });
  });
});

describe('the station side of the stock', () => {
  it('005-spare-stock: applies over a 004 store that has spare cards handed out, keeping them', () => {
    const t = tempDir('spare-mig-');
    cleanups.push(t.cleanup);
    const db = new Database(join(t.dir, 'station.db'));
    cleanups.push(() => db.close());
    configureConnection(db);
    const all = loadMigrations();
    expect(all.find((m) => m.version === 5)?.name).toBe('005-spare-stock.sql');
    expect(migrate(db, all.slice(0, 4))).toBe(4);
    db.prepare(
      "INSERT INTO spare_cards (technology, uid, label, holder_kind, holder_id, bound_at, bound_until) VALUES ('iso14443', '04D1', 'Запасная 1', 'student', 'S1', 'a', 'b')",
    ).run();
    db.prepare("INSERT INTO spare_cards (technology, uid, label) VALUES ('iso14443', '04D2', 'Запасная 2')").run();
    expect(migrate(db, all.slice(0, 5))).toBe(5);
    expect(db.prepare('SELECT uid, holder_id, removed_at FROM spare_cards ORDER BY uid').all()).toEqual([
      { uid: '04D1', holder_id: 'S1', removed_at: null },
      { uid: '04D2', holder_id: null, removed_at: null },
    ]);
  });

  it('the embedded demo (no server) seeds its own stock once; enrolling with a backend retires it', () => {
    const t = tempDir('spare-demo-');
    cleanups.push(t.cleanup);
    const s = openStation(join(t.dir, 'station'), systemClock());
    cleanups.push(() => s.store.close());
    expect(ensureDemoSpareCards(s.store)).toBe(DEMO_SPARE_CARDS.length);
    expect(ensureDemoSpareCards(s.store)).toBe(0);
    const count = () => s.store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM spare_cards').get()!.n;
    expect(count()).toBe(DEMO_SPARE_CARDS.length);
    retireDemoSchool(s.store);
    expect(count()).toBe(0);
  });
});
