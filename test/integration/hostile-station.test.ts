/**
 * The backend is the authority: the reference server on loopback, on SQLite and on PostgreSQL, driven
 * as someone holding one station's token would drive it. Every attack is refused (invalid, kept, never
 * blocking what follows) or applied and flagged as an exception, and the balances, cards and queue stay
 * right; school-wide rules are counted across two tills; resolving an exception corrects the balance once.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_OFFSET_MS } from '../../common/events.ts';
import { ExceptionView, RosterPage, type PushResult } from '../../common/sync-api.ts';
import { addSpareCard } from '../../server/admin.ts';
import { openServerDatabase, startServer, type RunningServer } from '../../server/index.ts';
import { Repo } from '../../server/repo.ts';
import { schoolDate as schoolDateOf } from '../../common/school-time.ts';
import { makeStorage, ROOT, seedSmallSchool, tempDir, storageLifecycle, type StorageKind } from '../helpers/sync-rig.ts';
import { adminOverHttp, enrollOverHttp, pushOverHttp } from '../helpers/server-http.ts';

let seq = 0;
const ev = (type: string, payload: unknown, extra: Record<string, unknown> = {}) => ({
  id: uuidv7(),
  seq: ++seq,
  type,
  occurredAt: new Date().toISOString(),
  clockOffsetMs: 0,
  payload,
  ...extra,
});

/** M03 is 35,00 ₽ and M02 145,00 ₽ on the demo menu. */
const sale = (
  holderId: string,
  p: { price?: number; quantity?: number; subsidyPart?: number; accountPart?: number; total?: number; offline?: boolean; itemId?: string } = {},
) => {
  const price = p.price ?? 35_00;
  const quantity = p.quantity ?? 1;
  const total = p.total ?? price * quantity;
  const subsidyPart = p.subsidyPart ?? 0;
  return ev('sale', {
    saleId: uuidv7(),
    holderId,
    card: null,
    lines: [{ itemId: p.itemId ?? 'M03', name: 'Булочка с маком', category: 'Выпечка', price, quantity }],
    total,
    subsidyPart,
    accountPart: p.accountPart ?? total - subsidyPart,
    verifiedByPhoto: true,
    offline: p.offline ?? false,
    shiftId: null,
    operatorId: null,
  });
};

describe.each<StorageKind>(['sqlite', 'postgres'])('a hostile station against the server on %s', (kind) => {
  let server: RunningServer;
  let admin: string;
  const { cleanups, pg } = storageLifecycle(kind);

  async function boot(): Promise<void> {
    const t = tempDir('ss-hostile-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage(kind, t.dir, pg());
    await seedSmallSchool(storage, 12);
    server = await startServer({
      ...(storage.databaseUrl ? { databaseUrl: storage.databaseUrl } : { dataDir: storage.dataDir! }),
      port: 0,
      logger: false,
      enrollGuard: { free: 3, baseDelayMs: 60_000 },
    });
    cleanups.push(() => server.close());
    admin = await server.repo.createAdminToken();
    // A known starting point: S00001 has 500 ₽, a 300 ₽ daily limit and a free meal a day.
    await server.repo.db.run("UPDATE accounts SET balance = ?, daily_limit = ?, subsidy = 'free' WHERE holder_id = 'S00001'", [500_00, 300_00]);
  }

  const enroll = (role: 'guard' | 'cashier', name: string = role): Promise<string> => enrollOverHttp(server, role, name);

  const push = (token: string, events: unknown[]): Promise<PushResult[]> => pushOverHttp(server, token, events);

  const adminCall = (method: string, path: string, body?: unknown) => adminOverHttp(server, admin, method, path, body);
  const balance = async (id: string) => (await server.repo.account(id))!.balance;
  const stored = async (id: string) =>
    server.repo.db.get<{ status: string; code: string | null; body: string }>('SELECT status, code, body FROM events WHERE id = ?', [id]);

  it("a guard post's token cannot sell, and a till's money fields must add up: refused, kept with the body, balance unchanged", async () => {
    await boot();
    const guard = await enroll('guard');
    const till = await enroll('cashier');
    const before = await balance('S00001');

    const negative = sale('S00001', { accountPart: -100_000_000, total: 35_00 });
    const fromGuard = sale('S00001');
    const [neg, wrongRole] = await push(guard, [negative, fromGuard]);
    expect(neg).toMatchObject({ status: 'invalid', code: 'schema' });
    expect(wrongRole).toMatchObject({ status: 'invalid', rule: 'wrong_role' });
    expect(wrongRole!.message).toMatch(/guard station may not send sale events/);

    const huge = sale('S00001', { quantity: 1e9, total: 1 });
    const notItsLines = sale('S00001', { total: 1, accountPart: 1 });
    const negPrice = sale('S00001', { price: -35_00 });
    const partsOver = sale('S00001', { accountPart: 70_00 });
    const results = await push(till, [huge, notItsLines, negPrice, partsOver]);
    expect(results.map((r) => [r.status, r.code ?? r.rule])).toEqual([
      ['invalid', 'schema'],
      ['invalid', 'total_mismatch'],
      ['invalid', 'schema'],
      ['invalid', 'parts_mismatch'],
    ]);
    expect(await balance('S00001')).toBe(before);
    // Kept with its body, for IT.
    const kept = await stored(negative.id);
    expect(kept).toMatchObject({ status: 'invalid' });
    expect(JSON.parse(kept!.body)).toMatchObject({ payload: { accountPart: -100_000_000 } });
    expect(Number((await server.repo.db.get<{ n: number }>("SELECT count(*) AS n FROM ledger WHERE holder_id = 'S00001' AND kind = 'sale'"))!.n)).toBe(0);

    // A till cannot send a guard's events either.
    const [pass] = await push(till, [
      ev('pass', {
        direction: 'in',
        verdict: 'allow',
        reason: 'ok',
        readerId: 'r',
        gate: null,
        card: { technology: 'iso14443', uid: '04A1B2C3D4E5F6' },
        holderKind: 'student',
        holderId: 'S00001',
      }),
    ]);
    expect(pass).toMatchObject({ status: 'invalid', rule: 'wrong_role' });
  });

  it('a line priced below the menu is applied and becomes a price exception', async () => {
    await boot();
    const till = await enroll('cashier');
    const before = await balance('S00002');
    const cheap = sale('S00002', { itemId: 'M02', price: 1 });
    const [r] = await push(till, [cheap]);
    expect(r).toMatchObject({ status: 'anomaly', rule: 'price_differs' });
    expect(await balance('S00002')).toBe(before - 1);
    const open = ExceptionView.array().parse((await adminCall('GET', '/v1/admin/exceptions')).json);
    expect(open).toContainEqual(expect.objectContaining({ kind: 'price_differs', holderId: 'S00002', chargeAmount: 145_00 - 1 }));
  });

  it("a void of another station's sale, a larger void and a second void are refused; the balance is credited once", async () => {
    await boot();
    const tillA = await enroll('cashier', 'Касса 1');
    const tillB = await enroll('cashier', 'Касса 2');
    const before = await balance('S00003');
    const s = sale('S00003', { quantity: 2 });
    await push(tillA, [s]);
    const voidOf = (amount: number) => ev('void', { saleEventId: s.id, holderId: 'S00003', amount, supervisorId: 'E0003', reason: 'ошибка', shiftId: null });
    const [other] = await push(tillB, [voidOf(70_00)]);
    expect(other).toMatchObject({ status: 'invalid', rule: 'other_station' });
    const [larger] = await push(tillA, [voidOf(70_01)]);
    expect(larger).toMatchObject({ status: 'invalid', code: 'void_exceeds_sale' });
    const [ok, again] = await push(tillA, [voidOf(70_00), voidOf(70_00)]);
    expect(ok).toMatchObject({ status: 'accepted' });
    expect(again).toMatchObject({ status: 'invalid', code: 'already_voided' });
    expect(await balance('S00003')).toBe(before);
  });

  it("a spare card is bound only from the stock, never somebody's own card, and only until the day ends", async () => {
    await boot();
    const guard = await enroll('guard');
    const own = (await server.repo.db.get<{ technology: string; uid: string }>(
      "SELECT technology, uid FROM cards WHERE holder_id = 'S00004' AND status = 'active'",
    ))!;
    const bind = (card: { technology: string; uid: string }, validUntil: string) =>
      ev('temp_card_bind', { card, holderKind: 'student', holderId: 'S00005', validUntil, operatorId: 'E0002' });
    await addSpareCard(server.repo, { technology: 'iso14443', uid: '04E10000000001', format: 'hex', label: 'Запасная 1' });
    const tz = 'Europe/Moscow';
    const endOfToday = new Date(Date.parse(`${schoolDateOf(Date.now(), tz)}T20:59:59.999Z`)).toISOString();
    const [ownCard, until2099, notInStock, good] = await push(guard, [
      bind(own, '2099-01-01T00:00:00.000Z'),
      bind({ technology: 'iso14443', uid: '04E10000000001' }, '2099-01-01T00:00:00.000Z'),
      bind({ technology: 'iso14443', uid: '04E100000000FF' }, endOfToday),
      bind({ technology: 'iso14443', uid: '04E10000000001' }, endOfToday),
    ]);
    expect(ownCard).toMatchObject({ status: 'invalid', rule: 'own_card' });
    expect(until2099).toMatchObject({ status: 'invalid', rule: 'past_day_end' });
    expect(notInStock).toMatchObject({ status: 'invalid', rule: 'not_spare' });
    expect(good).toMatchObject({ status: 'accepted' });
    // The pupil's own card is still theirs and active; the spare is bound to the other pupil until tonight.
    expect(await server.repo.card(own.technology, own.uid)).toMatchObject({ holderId: 'S00004', status: 'active' });
    expect(await server.repo.card('iso14443', '04E10000000001')).toMatchObject({ holderId: 'S00005', status: 'temporary', validUntil: endOfToday });
    expect(await server.repo.card('iso14443', '04E100000000FF')).toBeNull();
    const refused = ExceptionView.array()
      .parse((await adminCall('GET', '/v1/admin/exceptions')).json)
      .filter((e) => e.kind === 'spare_card_refused');
    expect(refused).toHaveLength(3);
  });

  it('a poison event in the middle of a valid batch gets its own invalid; the events behind it are applied', async () => {
    await boot();
    const till = await enroll('cashier');
    const before = await balance('S00006');
    const good1 = sale('S00006');
    const poison = { ...sale('S00006'), clockOffsetMs: 9e15 };
    const future = { ...sale('S00006'), occurredAt: '2099-01-01T00:00:00.000Z' };
    const beyond = { ...sale('S00006'), clockOffsetMs: MAX_CLOCK_OFFSET_MS + 1 };
    const good2 = sale('S00006', { quantity: 2 });
    const results = await push(till, [good1, poison, future, beyond, good2]);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'invalid', 'invalid', 'invalid', 'accepted']);
    expect(results[2]).toMatchObject({ rule: 'time_bounds' });
    expect(await balance('S00006')).toBe(before - 35_00 * 3);
    expect(await stored(poison.id)).toMatchObject({ status: 'invalid' });
  });

  it('balances stay within range: a top-up past the limit is refused, and every roster page parses', async () => {
    await boot();
    const res = await adminCall('POST', '/v1/admin/accounts/top-up', { holderId: 'S00007', amount: Number.MAX_SAFE_INTEGER });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toMatch(/past/);
    const till = await enroll('cashier');
    await server.repo.db.run("UPDATE accounts SET balance = -99999999000 WHERE holder_id = 'S00007'");
    const [r] = await push(till, [sale('S00007', { itemId: 'M02', price: 145_00, quantity: 100 })]);
    expect(r).toMatchObject({ status: 'invalid', rule: 'balance_limit' });
    expect(await balance('S00007')).toBe(-99_999_999_000);
    const page = await fetch(`${server.url}/v1/roster?limit=5000`, { headers: { authorization: `Bearer ${till}` } });
    expect(RosterPage.safeParse(await page.json()).success).toBe(true);
  });

  it('two tills and one child: the daily limit, the subsidy once a day and the offline cap hold across them, online and offline', async () => {
    await boot();
    await adminCall('POST', '/v1/admin/school-settings', { offlineCapPerDay: 100_00 });
    const tillA = await enroll('cashier', 'Касса 1');
    const tillB = await enroll('cashier', 'Касса 2');
    const before = await balance('S00001');
    // Till A online: a free lunch and 245 ₽ of buffet (under the 300 ₽ limit).
    const lunchA = sale('S00001', { itemId: 'M02', price: 145_00, subsidyPart: 145_00 });
    const buffetA = sale('S00001', { quantity: 7 });
    expect((await push(tillA, [lunchA, buffetA])).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    // Till B was offline meanwhile: a second free lunch, and 140 ₽ more (past the limit and the offline cap).
    const lunchB = { ...sale('S00001', { itemId: 'M02', price: 145_00, subsidyPart: 145_00, offline: true }) };
    const buffetB = sale('S00001', { quantity: 4, offline: true });
    const [rl, rb] = await push(tillB, [lunchB, buffetB]);
    expect(rl).toMatchObject({ status: 'anomaly', rule: 'second_subsidised_meal' });
    expect(rb).toMatchObject({ status: 'anomaly' });
    expect(await balance('S00001')).toBe(before - 245_00 - 140_00);

    const open = ExceptionView.array().parse((await adminCall('GET', '/v1/admin/exceptions')).json);
    const kinds = open
      .filter((e) => e.holderId === 'S00001')
      .map((e) => e.kind)
      .sort();
    // The child never came through a guard post today either: one flag for the day, however many sales.
    expect(kinds).toEqual(['daily_limit_exceeded', 'offline_overdraft', 'second_subsidised_meal', 'sold_without_entry']);
    const second = open.find((e) => e.kind === 'second_subsidised_meal')!;
    // The administrator sees both lunches, from both tills.
    expect(new Set(second.events.map((e) => e.stationId)).size).toBe(2);
    expect(second.events.map((e) => e.id)).toEqual(expect.arrayContaining([lunchA.id, lunchB.id]));

    // The figures travel to the stations with the roster.
    const page = RosterPage.parse(await (await fetch(`${server.url}/v1/roster?limit=5000`, { headers: { authorization: `Bearer ${tillA}` } })).json());
    expect(page.school).toMatchObject({ timeZone: 'Europe/Moscow', offlineCapPerDay: 100_00 });
    expect(page.today!.figures).toContainEqual({ holderId: 'S00001', spent: 385_00, subsidyMeals: 2, offlineSpent: 140_00 });

    // A class's group meal twice in one day.
    const cls = (await server.repo.db.get<{ class_name: string }>("SELECT class_name FROM students WHERE id = 'S00002'"))!.class_name;
    const meal = () =>
      ev('group_meal', {
        groupMealId: uuidv7(),
        className: cls,
        itemId: 'M01',
        itemName: 'Комплексный завтрак',
        price: 95_00,
        payer: 'school',
        students: [{ holderId: 'S00002', amount: 95_00 }],
        total: 95_00,
        shiftId: null,
        operatorId: null,
      });
    const [g1] = await push(tillA, [meal()]);
    const [g2] = await push(tillB, [meal()]);
    expect(g1).toMatchObject({ status: 'accepted' });
    expect(g2).toMatchObject({ status: 'anomaly', rule: 'group_meal_twice' });
  });

  it('resolving an exception corrects the balance once through the ledger and tells the parents once', async () => {
    await boot();
    const tillA = await enroll('cashier', 'Касса 1');
    const tillB = await enroll('cashier', 'Касса 2');
    await push(tillA, [sale('S00001', { itemId: 'M02', price: 145_00, subsidyPart: 145_00 })]);
    await push(tillB, [sale('S00001', { itemId: 'M02', price: 145_00, subsidyPart: 145_00, offline: true })]);
    const before = await balance('S00001');
    const exc = ExceptionView.array()
      .parse((await adminCall('GET', '/v1/admin/exceptions')).json)
      .find((e) => e.kind === 'second_subsidised_meal')!;
    const resolved = await adminCall('POST', `/v1/admin/exceptions/${exc.id}/resolve`, {
      resolution: 'charge_paid',
      note: 'второй обед оплачивает семья',
      by: 'Белова Н. А.',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.json).toMatchObject({ resolution: 'charge_paid', correction: -145_00, resolvedBy: 'Белова Н. А.', note: 'второй обед оплачивает семья' });
    expect(await balance('S00001')).toBe(before - 145_00);
    const twice = await adminCall('POST', `/v1/admin/exceptions/${exc.id}/resolve`, { resolution: 'void', note: 'ещё раз', by: 'кто-то' });
    expect(twice.status).toBe(409);
    expect(await balance('S00001')).toBe(before - 145_00);
    const ledger = await server.repo.db.all<{ delta: number }>('SELECT delta FROM ledger WHERE event_id LIKE ?', [`exception:${exc.id}%`]);
    expect(ledger.map((l) => Number(l.delta))).toEqual([-145_00]);
    const notes = await server.repo.db.all<{ text: string }>("SELECT text FROM notifications WHERE kind = 'correction'");
    expect(notes).toHaveLength(1);
    expect(notes[0]!.text).toMatch(/списано 145,00/);
    expect(
      ExceptionView.array()
        .parse((await adminCall('GET', '/v1/admin/exceptions')).json)
        .map((e) => e.id),
    ).not.toContain(exc.id);
  });

  it('parents read school time and words that do not guess the child’s gender', async () => {
    await boot();
    await adminCall('POST', '/v1/admin/school-settings', { timeZone: 'Asia/Yekaterinburg' });
    const guard = await enroll('guard');
    const at = '2026-09-01T03:15:00.000Z';
    const p = ev(
      'pass',
      {
        direction: 'in',
        verdict: 'allow',
        reason: 'ok',
        readerId: 'r',
        gate: null,
        card: { technology: 'iso14443', uid: '04A1B2C3D4E5F6' },
        holderKind: 'student',
        holderId: 'S00002',
      },
      { occurredAt: at },
    );
    expect((await push(guard, [p]))[0]).toMatchObject({ status: 'accepted' });
    const n = await server.repo.db.get<{ text: string }>('SELECT text FROM notifications WHERE event_id = ?', [p.id]);
    expect(n!.text).toBe('Вход в школу в 08:15');
  });

  it('a station enrolled before roles keeps working until IT sets its role', async () => {
    await boot();
    const token = await enroll('guard');
    const station = (await server.repo.stations())[0]!;
    await server.repo.db.run('UPDATE stations SET role = NULL WHERE id = ?', [station.id]);
    expect((await push(token, [sale('S00008')]))[0]!.status).not.toBe('invalid');
    const set = await adminCall('POST', `/v1/admin/stations/${station.id}/role`, { role: 'guard' });
    expect(set).toMatchObject({ status: 200, json: { role: 'guard' } });
    expect((await push(token, [sale('S00008')]))[0]).toMatchObject({ status: 'invalid', rule: 'wrong_role' });
  });

  it('enrollment guesses are slowed per address: 429 with Retry-After, even for the right code', async () => {
    await boot();
    const { code } = await server.repo.createEnrollmentCode('guard');
    const tryCode = (c: string) =>
      fetch(`${server.url}/v1/stations/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: c, stationName: 'x' }),
      });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 40; i++) {
      const r = await tryCode(`AAAA-${String(i).padStart(4, 'A')}`);
      statuses.push(r.status);
      if (r.status === 429) retryAfter ??= r.headers.get('retry-after');
      await r.arrayBuffer();
    }
    expect(statuses.slice(0, 4)).toEqual([403, 403, 403, 403]);
    expect(statuses.slice(4).every((s) => s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect((await tryCode(code)).status).toBe(429);
    // Codes live at most a day.
    expect((await adminCall('POST', '/v1/admin/enrollment-codes', { role: 'guard', ttlMinutes: 7 * 24 * 60 })).status).toBe(400);
  });

  it('one enrollment code used by two stations at the same moment enrolls exactly one', async () => {
    await boot();
    const { code } = await server.repo.createEnrollmentCode('cashier');
    const attempts = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        fetch(`${server.url}/v1/stations/enroll`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code, stationName: `Касса ${i}` }),
        }).then((r) => r.status),
      ),
    );
    expect(attempts.filter((s) => s === 200)).toHaveLength(1);
    expect(await server.repo.stations()).toHaveLength(1);
  });

  it('a 100 MB body without a token is refused before it is read', async () => {
    await boot();
    const total = 100 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const { status, sent } = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const req = request(
        `${server.url}/v1/events`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(total) } },
        (res) => {
          answered = true;
          res.resume();
          resolve({ status: res.statusCode ?? 0, sent });
          req.destroy();
        },
      );
      req.on('error', (err) => (answered ? undefined : reject(err)));
      const pump = () => {
        while (!answered && sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', () => setTimeout(pump, 5));
        }
        if (!answered) req.end();
      };
      req.write('{"events":[');
      setTimeout(pump, 5);
    });
    expect(status).toBe(401);
    // Answered while most of the upload was still to come: the server never waited for the body.
    expect(sent).toBeLessThan(total / 2);
  });
});

describe('the admin CLI for roles, exceptions and school settings', () => {
  it('sets the school settings, a station role and lists exceptions; refuses a code without a role or longer than a day', async () => {
    const t = tempDir('ss-cli13-');
    try {
      const dataDir = join(t.dir, 'server');
      const cli = (...args: string[]) =>
        execFileSync(process.execPath, ['server/cli.ts', ...args, '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
      cli('demo', '--students', '3');
      expect(JSON.parse(cli('school-settings', '--time-zone', 'Asia/Omsk', '--offline-cap', '150'))).toMatchObject({
        timeZone: 'Asia/Omsk',
        offlineCapPerDay: 150_00,
      });
      expect(() => cli('school-settings', '--time-zone', 'Mars/Olympus')).toThrow(/not a time zone/);
      expect(() => cli('enrollment-code', '--role', 'cashier', '--ttl', '2000')).toThrow(/a day/);
      const { code } = JSON.parse(cli('enrollment-code', '--role', 'cashier')) as { code: string };
      const repo = new Repo(await openServerDatabase({ dataDir }));
      try {
        const st = (await repo.enroll(code, 'Касса'))!;
        expect(st.role).toBe('cashier');
        expect(JSON.parse(cli('set-station-role', st.stationId, 'guard'))).toMatchObject({ id: st.stationId, role: 'guard' });
        expect(JSON.parse(cli('exceptions'))).toEqual([]);
      } finally {
        await repo.db.close();
      }
    } finally {
      t.cleanup();
    }
  });
});

describe('the reference server over HTTPS', () => {
  it('serves HTTPS with --tls-cert and --tls-key, and refuses to start with only one of them', async () => {
    const t = tempDir('ss-tls-');
    try {
      const cert = join(t.dir, 'cert.pem');
      const key = join(t.dir, 'key.pem');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'pipe' },
      );
      await expect(startServer({ dataDir: join(t.dir, 'half'), port: 0, logger: false, tlsCertFile: cert })).rejects.toThrow(/both a certificate/);
      const server = await startServer({ dataDir: join(t.dir, 'server'), port: 0, logger: false, tlsCertFile: cert, tlsKeyFile: key });
      try {
        expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        const status = await new Promise<number>((resolve, reject) => {
          httpsGet(`${server.url}/healthz`, { ca: readFileSync(cert) }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          }).on('error', reject);
        });
        expect(status).toBe(200);
      } finally {
        await server.close();
      }
    } finally {
      t.cleanup();
    }
  });
});
