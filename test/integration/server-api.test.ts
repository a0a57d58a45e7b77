/**
 * The reference server over HTTP on loopback, on SQLite and on PostgreSQL: enrollment and tokens,
 * the events ledger's rules, roster deltas with cursor and tombstones, photos by ETag, administration,
 * and the OpenAPI document against the registered routes.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { portraitPng } from '../../common/demo-portrait.ts';
import { EventsBatchResponse, RosterPage } from '../../common/sync-api.ts';
import { buildApp } from '../../server/app.ts';
import { schoolDate as schoolDateOf } from '../../common/school-time.ts';
import { importMenuCsv, importStudentsCsv } from '../../server/admin.ts';
import type { RunningServer } from '../../server/index.ts';
import { ROOT, makeStorage, seedSmallSchool, startInProcessServer, tempDir, storageLifecycle, type StorageKind } from '../helpers/sync-rig.ts';

const sale = (holderId: string, accountPart: number, seq: number, id = uuidv7()) => ({
  id,
  seq,
  type: 'sale',
  occurredAt: new Date().toISOString(),
  clockOffsetMs: 0,
  payload: {
    saleId: `s-${seq}`,
    holderId,
    card: null,
    lines: [{ itemId: `T${accountPart}`, name: 'Комплексный обед', category: 'Комплекс', price: accountPart, quantity: 1 }],
    total: accountPart,
    subsidyPart: 0,
    accountPart,
    verifiedByPhoto: true,
    offline: false,
    shiftId: null,
    operatorId: null,
  },
});

describe.each<StorageKind>(['sqlite', 'postgres'])('reference server on %s', (kind) => {
  let server: RunningServer;
  let token: string;
  let admin: string;
  const { cleanups, pg } = storageLifecycle(kind);

  async function boot(): Promise<void> {
    const t = tempDir('ss-server-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage(kind, t.dir, pg());
    await seedSmallSchool(storage, 6);
    server = await startInProcessServer(storage);
    cleanups.push(() => server.close());
    const res = await call('POST', '/v1/stations/enroll', { code: (await server.repo.createEnrollmentCode('cashier')).code, stationName: 'Касса 1' }, null);
    expect(res.status).toBe(200);
    token = ((await res.json()) as { token: string }).token;
    admin = await server.repo.createAdminToken();
  }

  function call(method: string, path: string, body?: unknown, bearer: string | null = token, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(server.url + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  async function push(events: unknown[]) {
    // Every price these tests sell at is on today's menu; selling off the menu is the hostile-station suite's.
    await onTodaysMenu(events);
    const res = await call('POST', '/v1/events', { events });
    expect(res.status).toBe(200);
    return EventsBatchResponse.parse(await res.json()).results;
  }

  async function onTodaysMenu(events: unknown[]) {
    const date = schoolDateOf(Date.now(), 'Europe/Moscow');
    const items = events.flatMap((e) => {
      const p = (e as { type?: string; payload?: { lines?: { itemId: string; name: string; category: string; price: number }[] } }).payload;
      return (e as { type?: string }).type === 'sale' && Array.isArray(p?.lines) ? p.lines : [];
    });
    await server.repo.putMenu(items.map((l) => ({ date, id: l.itemId, name: l.name, category: l.category, kind: 'complex', price: l.price, allergens: [] })));
  }

  const balance = async (id: string) => (await server.repo.account(id))!.balance;

  it('enrollment codes are single-use; tokens are stored hashed; bad and revoked tokens get 401', async () => {
    await boot();
    const { code } = await server.repo.createEnrollmentCode('guard');
    expect((await call('POST', '/v1/stations/enroll', { code, stationName: 'Вход 2' }, null)).status).toBe(200);
    const again = await call('POST', '/v1/stations/enroll', { code, stationName: 'Вход 2' }, null);
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ error: 'invalid_code' });
    const stored = await server.repo.db.all<{ token_hash: string }>('SELECT token_hash FROM stations');
    expect(stored.some((s) => s.token_hash === token)).toBe(false);
    expect((await call('GET', '/v1/time')).status).toBe(200);
    expect((await call('GET', '/v1/time', undefined, 'not-a-token')).status).toBe(401);
    expect((await call('GET', '/v1/time', undefined, null)).status).toBe(401);
    const station = (await server.repo.stations())[0]!;
    expect(await server.repo.revokeStation(station.id)).toBe(true);
    const revoked = await call('GET', '/v1/roster');
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toMatchObject({ error: 'revoked' });
  });

  it('a sale debits, a void credits back, a duplicate changes nothing, a conflict is refused, an overdraft is applied and flagged', async () => {
    await boot();
    const before = await balance('S00002');
    const s1 = sale('S00002', 100_00, 1);
    const [r1] = await push([s1]);
    expect(r1).toEqual({ id: s1.id, status: 'accepted' });
    expect(await balance('S00002')).toBe(before - 100_00);

    const [dup] = await push([s1]);
    expect(dup).toMatchObject({ id: s1.id, status: 'duplicate', first: { status: 'accepted' } });
    expect(await balance('S00002')).toBe(before - 100_00);

    const [conflict] = await push([{ ...s1, payload: { ...s1.payload, accountPart: 1, total: 1 } }]);
    expect(conflict).toMatchObject({ id: s1.id, status: 'invalid', code: 'conflict' });
    expect(await balance('S00002')).toBe(before - 100_00);

    const v = {
      id: uuidv7(),
      seq: 2,
      type: 'void',
      occurredAt: new Date().toISOString(),
      clockOffsetMs: 0,
      payload: { saleEventId: s1.id, holderId: 'S00002', amount: 100_00, supervisorId: 'E0003', reason: 'ошибка', shiftId: null },
    };
    const [rv] = await push([v]);
    expect(rv).toEqual({ id: v.id, status: 'accepted' });
    expect(await balance('S00002')).toBe(before);
    const v2 = { ...v, id: uuidv7(), seq: 3 };
    const [rv2] = await push([v2]);
    expect(rv2).toMatchObject({ status: 'invalid', code: 'already_voided' });
    expect(await balance('S00002')).toBe(before);

    const big = sale('S00002', before + 50_00, 4);
    const [over] = await push([big]);
    expect(over).toMatchObject({ id: big.id, status: 'anomaly', code: 'overdraft' });
    expect(await balance('S00002')).toBe(-50_00);
    // The retry of an anomaly carries the first answer.
    const [overDup] = await push([big]);
    expect(overDup).toMatchObject({ status: 'duplicate', first: { status: 'anomaly', code: 'overdraft' } });

    // Unknown holder, unknown type and a broken body: each answered invalid, each kept, none applied.
    const unknownHolder = sale('NOBODY', 10_00, 5);
    const unknownType = { id: uuidv7(), seq: 6, type: 'teleport', occurredAt: new Date().toISOString(), clockOffsetMs: 0, payload: {} };
    const broken = { id: 'not-a-uuid', seq: 7, type: 'sale' };
    const rs = await push([unknownHolder, unknownType, broken]);
    expect(rs.map((r) => [r.status, r.code])).toEqual([
      ['invalid', 'unknown_holder'],
      ['invalid', 'unknown_type'],
      ['invalid', 'schema'],
    ]);
    const kept = await server.repo.db.all<{ id: string; status: string }>('SELECT id, status FROM events ORDER BY seq');
    expect(kept.map((k) => k.id)).toEqual([s1.id, v.id, v2.id, big.id, unknownHolder.id, unknownType.id, 'not-a-uuid']);

    // Parents are told once per sale or pass, never twice.
    const notes = await server.repo.db.all<{ event_id: string }>('SELECT event_id FROM notifications');
    expect(notes.map((n) => n.event_id).sort()).toEqual([s1.id, big.id].sort());
  });

  it('roster deltas page by cursor, carry tombstones, and an incremental pull with nothing new is empty', async () => {
    await boot();
    const pages: RosterPage[] = [];
    let since = '';
    for (;;) {
      const res = await call('GET', `/v1/roster?limit=7${since ? `&since=${since}` : ''}`);
      const page = RosterPage.parse(await res.json());
      pages.push(page);
      since = page.cursor;
      if (!page.more) break;
    }
    const students = pages.flatMap((p) => p.students);
    expect(students.map((s) => s.id)).toEqual(['S00001', 'S00002', 'S00003', 'S00004', 'S00005', 'S00006']);
    expect(pages.every((p) => p.students.length + p.staff.length + p.cards.length + p.accounts.length + p.tombstones.length <= 7)).toBe(true);
    expect(pages[0]!.remaining).toBe(
      pages.reduce((n, p) => n + p.students.length + p.staff.length + p.cards.length + p.accounts.length + p.spareCards.length, 0),
    );

    const empty = RosterPage.parse(await (await call('GET', `/v1/roster?since=${since}`)).json());
    expect(empty).toMatchObject({ students: [], cards: [], accounts: [], tombstones: [], more: false, cursor: since });

    await server.repo.db.tx((tx) => server.repo.removePerson(tx, 'student', 'S00006'), { roster: true });
    const top = await call('POST', '/v1/admin/accounts/top-up', { holderId: 'S00001', amount: 500_00 }, admin);
    expect(top.status).toBe(200);
    const delta = RosterPage.parse(await (await call('GET', `/v1/roster?since=${since}`)).json());
    expect(delta.tombstones).toContainEqual({ kind: 'student', id: 'S00006' });
    expect(delta.tombstones.filter((t) => t.kind === 'card').length).toBeGreaterThan(0);
    expect(delta.accounts.map((a) => a.holderId)).toEqual(['S00001']);
  });

  it('photos by content hash with an ETag; 304 when unchanged', async () => {
    await boot();
    const page = RosterPage.parse(await (await call('GET', '/v1/roster')).json());
    const hash = page.students[0]!.photoHash!;
    const res = await call('GET', `/v1/photos/${hash}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/image\/png/);
    expect(res.headers.get('etag')).toBe(`"${hash}"`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(hash);
    expect((await call('GET', `/v1/photos/${hash}`, undefined, token, { 'if-none-match': `"${hash}"` })).status).toBe(304);
    expect((await call('GET', `/v1/photos/${'0'.repeat(64)}`)).status).toBe(404);
  });

  it('administration over admin-token endpoints: block, lost + temporary card, limits, subsidy, CSV import with photos, menu', async () => {
    await boot();
    expect((await call('POST', '/v1/admin/accounts/top-up', { holderId: 'S00001', amount: 100 }, token)).status).toBe(401);
    const cards = await server.repo.db.all<{ technology: string; uid: string }>(
      "SELECT technology, uid FROM cards WHERE holder_id = 'S00001' AND status = 'active'",
    );
    const card = cards[0]!;
    const before = await balance('S00001');
    const blocked = await call('POST', '/v1/admin/cards/block', card, admin);
    expect(await blocked.json()).toMatchObject({ status: 'blocked', holderId: 'S00001' });
    const lost = await call('POST', '/v1/admin/cards/lost', { card, temporary: { technology: 'iso14443', uid: '04AABBCCDDEEFF' } }, admin);
    expect(await lost.json()).toMatchObject({ status: 'temporary', holderId: 'S00001', uid: '04AABBCCDDEEFF' });
    expect(await server.repo.card(card.technology, card.uid)).toMatchObject({ status: 'lost' });
    expect(await balance('S00001')).toBe(before);
    expect(await (await call('POST', '/v1/admin/accounts/daily-limit', { holderId: 'S00001', dailyLimit: 250_00 }, admin)).json()).toMatchObject({
      dailyLimit: 250_00,
    });
    expect(
      await (await call('POST', '/v1/admin/accounts/forbidden-categories', { holderId: 'S00001', categories: ['Сладкое', 'Напитки'] }, admin)).json(),
    ).toMatchObject({
      forbiddenCategories: ['Сладкое', 'Напитки'],
    });
    expect(await (await call('POST', '/v1/admin/accounts/subsidy', { holderId: 'S00001', subsidy: 'discounted' }, admin)).json()).toMatchObject({
      subsidy: 'discounted',
    });
    expect((await call('POST', '/v1/admin/accounts/top-up', { holderId: 'NOBODY', amount: 100 }, admin)).status).toBe(404);

    const png = portraitPng({ bg: '#cfe3f7', skin: '#f1c27d', hair: '#2c1b10', shirtHue: 200, female: true }, deflateSync, { id: 'N1' });
    // An SVG can carry script: refused by its bytes, under its own name and under a raster one.
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="3" height="4"><script>alert(1)</script><rect width="3" height="4" fill="#abc"/></svg>';
    const csv =
      'id,full_name,class,photo,cards,photo_consent\nN1,"Новикова Ева, младшая",3Б,n1.png,iso14443:04111111111111,да\nN2,,3Б,,,\nN3,Орлов Лев,3Б,missing.jpg,,\n' +
      'N4,Орлова Ия,3Б,n4.svg,,да\nN5,Орлов Ян,3Б,n5.png,,да\n';
    const b64 = (b: Uint8Array | string) => Buffer.from(b).toString('base64');
    const rep = await call('POST', '/v1/admin/students/import', { csv, photos: { 'n1.png': b64(png), 'n4.svg': b64(svg), 'n5.png': b64(svg) } }, admin);
    const report = (await rep.json()) as { imported: number; rejected: { line: number; reason: string }[] };
    expect(report.imported).toBe(1);
    expect(report.rejected.map((r) => r.line)).toEqual([3, 4, 5, 6]);
    expect(report.rejected[1]!.reason).toMatch(/missing\.jpg not found/);
    expect(report.rejected[2]!.reason).toBe('photo n4.svg is not a JPEG, PNG or WebP image');
    expect(report.rejected[3]!.reason).toBe('photo n5.png is not a JPEG, PNG or WebP image');
    const page = RosterPage.parse(await (await call('GET', '/v1/roster?limit=5000')).json());
    const n1 = page.students.find((s) => s.id === 'N1')!;
    expect(n1).toMatchObject({ fullName: 'Новикова Ева, младшая', className: '3Б' });
    const served = await call('GET', `/v1/photos/${n1.photoHash}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toMatch(/image\/png/);
    expect(page.cards).toContainEqual(expect.objectContaining({ uid: '04111111111111', holderId: 'N1', status: 'active' }));

    const menu = await importMenuCsv(
      server.repo,
      'date;id;name;category;kind;price;allergens\n2026-09-01;X1;Сырники;Завтрак;complex;95,50;молоко\n2026-09-01;X2;;Завтрак;buffet;10;\n',
    );
    expect(menu).toMatchObject({ imported: 1, rejected: [{ line: 3 }] });
    expect(await (await call('GET', '/v1/menu?date=2026-09-01')).json()).toEqual({
      date: '2026-09-01',
      items: [{ date: '2026-09-01', id: 'X1', name: 'Сырники', category: 'Завтрак', kind: 'complex', price: 95_50, allergens: ['молоко'] }],
    });
    // The same CSV again changes nothing a station would have to pull.
    const cursor = page.cursor;
    await importStudentsCsv(server.repo, 'id,full_name,class\nN1,"Новикова Ева, младшая",3Б\n');
    const after = RosterPage.parse(await (await call('GET', `/v1/roster?since=${cursor}`)).json());
    expect(after.students).toEqual([]);
  });

  it('serves an OpenAPI document that names exactly the registered routes', async () => {
    await boot();
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const { app, routes } = buildApp({ repo: server.repo, logger: false });
    await app.ready();
    // Every documented operation is a route the server answers, and every route is documented.
    for (const op of documented) {
      const [method, path] = op.split(' ') as [string, string];
      expect(app.hasRoute({ method: method as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), op).toBe(true);
    }
    expect(routes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`).sort()).toEqual(documented);
    await app.close();
    const eventsOp = doc.paths['/v1/events']!.post as { requestBody: unknown; responses: Record<string, unknown> };
    expect(JSON.stringify(eventsOp.responses['200'])).toContain('duplicate');
  });

  it('the admin CLI seeds the demo school and issues a code a station can enroll with', async () => {
    const t = tempDir('ss-cli-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage(kind, t.dir, pg());
    const where = storage.databaseUrl ? ['--database-url', storage.databaseUrl] : ['--data-dir', storage.dataDir!];
    const cli = (...args: string[]) => execFileSync(process.execPath, ['server/cli.ts', ...args, ...where], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    expect(JSON.parse(cli('demo', '--students', '5'))).toMatchObject({ students: 5 });
    const photos = join(t.dir, 'photos');
    mkdirSync(photos);
    writeFileSync(
      join(photos, 'T1.png'),
      portraitPng({ bg: '#d8f0d2', skin: '#e0ac69', hair: '#6a4e23', shirtHue: 90, female: true }, deflateSync, { id: 'T1' }),
    );
    writeFileSync(join(t.dir, 'staff.csv'), 'id,full_name,position,roles,cards\nT1,Петрова Анна,Кассир,cashier;supervisor,em4100:0A0B0C0D0E\n');
    chmodSync(join(t.dir, 'staff.csv'), 0o644);
    // A row without photo consent is imported, and the report says what the school must still collect.
    expect(JSON.parse(cli('import-staff', join(t.dir, 'staff.csv'), '--photos', photos))).toEqual({
      imported: 1,
      rejected: [],
      removed: 0,
      warnings: [{ line: 2, reason: expect.stringMatching(/^T1: no photo consent/) }],
    });
    expect(JSON.parse(cli('top-up', 'S00001', '100'))).toMatchObject({ holderId: 'S00001' });
    expect(() => cli('enrollment-code')).toThrow(/--role guard or --role cashier/);
    const { code, role } = JSON.parse(cli('enrollment-code', '--role', 'guard')) as { code: string; role: string };
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(role).toBe('guard');
    expect(() => cli('top-up', 'S00001', 'много')).toThrow(/not a sum of money/);
  });
});
