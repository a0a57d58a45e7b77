/**
 * The backend flags a pupil fed on a school day with no entry at any of the school's posts (by the
 * school's no-entry setting), and clears the flag itself when the entry arrives later from a post that
 * was offline: the administrator's list keeps only the children who really had no entry.
 */
import { execFileSync } from 'node:child_process';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { ExceptionView, type PushResult } from '../../common/sync-api.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { makeStorage, ROOT, seedSmallSchool, tempDir, type ServerStorage, storageLifecycle, type StorageKind } from '../helpers/sync-rig.ts';
import { adminOverHttp, enrollOverHttp, pushOverHttp } from '../helpers/server-http.ts';

let seq = 0;
const ev = (type: string, payload: unknown, occurredAt = new Date().toISOString()) => ({
  id: uuidv7(),
  seq: ++seq,
  type,
  occurredAt,
  clockOffsetMs: 0,
  payload,
});

/** M03 is 35,00 ₽ on the demo menu. */
const sale = (holderId: string, occurredAt?: string) =>
  ev(
    'sale',
    {
      saleId: uuidv7(),
      holderId,
      card: null,
      lines: [{ itemId: 'M03', name: 'Булочка с маком', category: 'Выпечка', price: 35_00, quantity: 1 }],
      total: 35_00,
      subsidyPart: 0,
      accountPart: 35_00,
      verifiedByPhoto: true,
      offline: false,
      shiftId: null,
      operatorId: null,
    },
    occurredAt,
  );

const pass = (holderId: string, p: { direction?: 'in' | 'out'; verdict?: 'allow' | 'deny'; occurredAt?: string } = {}) =>
  ev(
    'pass',
    {
      direction: p.direction ?? 'in',
      verdict: p.verdict ?? 'allow',
      reason: p.verdict === 'deny' ? 'card_blocked' : 'ok',
      readerId: 'r1',
      gate: null,
      card: { technology: 'iso14443', uid: '04A1B2C3D4E5F6' },
      holderKind: 'student',
      holderId,
    },
    p.occurredAt,
  );

const manualIn = (holderId: string) =>
  ev('manual_open', { direction: 'in', reason: 'forgot_card', note: 'забыл карту', operatorId: 'E0002', holderId, gate: null });

describe.each<StorageKind>(['sqlite', 'postgres'])('a pupil fed without an entry, on %s', (kind) => {
  let server: RunningServer;
  let storage: ServerStorage;
  let admin: string;
  const { cleanups, pg } = storageLifecycle(kind);

  async function boot(): Promise<{ guard: string; till: string }> {
    const t = tempDir('ss-noentry-');
    cleanups.push(t.cleanup);
    storage = await makeStorage(kind, t.dir, pg());
    await seedSmallSchool(storage, 12);
    server = await startServer({
      ...(storage.databaseUrl ? { databaseUrl: storage.databaseUrl } : { dataDir: storage.dataDir! }),
      port: 0,
      logger: false,
    });
    cleanups.push(() => server.close());
    admin = await server.repo.createAdminToken();
    return { guard: await enroll('guard', 'Главный вход'), till: await enroll('cashier', 'Буфет') };
  }

  const enroll = (role: 'guard' | 'cashier', name: string): Promise<string> => enrollOverHttp(server, role, name);

  const push = (token: string, events: unknown[]): Promise<PushResult[]> => pushOverHttp(server, token, events);

  const adminCall = (method: string, path: string, body?: unknown) => adminOverHttp(server, admin, method, path, body);
  const flags = async (status: 'open' | 'all' = 'open') =>
    ExceptionView.array()
      .parse((await adminCall('GET', `/v1/admin/exceptions?status=${status}`)).json)
      .filter((e) => e.kind === 'sold_without_entry');
  const balance = async (id: string) => (await server.repo.account(id))!.balance;

  it("a pupil's sale with no entry today is applied as it is and flagged once for the day, with no charge and no name", async () => {
    const { till } = await boot();
    const before = await balance('S00001');
    const first = sale('S00001');
    const second = sale('S00001');
    const results = await push(till, [first]);
    // The sale's own answer does not change: the entry may still come from a post that was offline.
    expect(results).toEqual([expect.objectContaining({ status: 'accepted' })]);
    expect((await push(till, [second]))[0]).toMatchObject({ status: 'accepted' });
    expect(await balance('S00001')).toBe(before - 70_00);

    const open = await flags();
    expect(open).toHaveLength(1);
    const flag = open[0]!;
    expect(flag).toMatchObject({ holderId: 'S00001', chargeAmount: 0, resolution: null });
    expect(flag.message).toMatch(/no entry at any of the school's posts/);
    // Both of the day's sales are in its story.
    expect(flag.events.map((e) => e.id)).toEqual([first.id, second.id]);
    const name = (await server.repo.db.get<{ full_name: string }>("SELECT full_name FROM students WHERE id = 'S00001'"))!.full_name;
    for (const part of name.split(' ')) expect(flag.message).not.toContain(part);

    // node server/cli.ts exceptions lists it.
    const cli = execFileSync(
      process.execPath,
      ['server/cli.ts', 'exceptions', ...(storage.databaseUrl ? ['--database-url', storage.databaseUrl] : ['--data-dir', storage.dataDir!])],
      { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' },
    );
    expect(ExceptionView.array().parse(JSON.parse(cli))).toContainEqual(
      expect.objectContaining({ id: flag.id, kind: 'sold_without_entry', holderId: 'S00001' }),
    );
  });

  it('a sale after an allowed entry (a pass in, or a manual opening in) is not flagged; a refused pass or a way out is no entry', async () => {
    const { guard, till } = await boot();
    expect(
      (await push(guard, [pass('S00002'), manualIn('S00003'), pass('S00004', { verdict: 'deny' }), pass('S00005', { direction: 'out' })])).map((r) => r.status),
    ).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    // The entry came from another guard post than the till ever hears of: any post of the school counts.
    const back = await enroll('guard', 'Чёрный вход');
    await push(back, [pass('S00006')]);
    await push(
      till,
      ['S00002', 'S00003', 'S00004', 'S00005', 'S00006'].map((id) => sale(id)),
    );
    expect((await flags()).map((e) => e.holderId).sort()).toEqual(['S00004', 'S00005']);
  });

  it('the entry arriving after the sale, in a later batch, resolves the flag by the backend: accepted, no balance change, once', async () => {
    const { guard, till } = await boot();
    // The post was offline for an hour: its 08:05 entry reaches the backend after the 08:40 sale.
    const entryAt = new Date(Date.now() - 60 * 60_000).toISOString();
    await push(till, [sale('S00007'), sale('S00008')]);
    expect((await flags()).map((e) => e.holderId).sort()).toEqual(['S00007', 'S00008']);
    const before = await balance('S00007');
    const ledgerBefore = await server.repo.db.all<{ event_id: string }>("SELECT event_id FROM ledger WHERE holder_id = 'S00007'");

    const entry = pass('S00007', { occurredAt: entryAt });
    await push(guard, [entry]);
    // The administrator's list keeps only the child who really had no entry.
    expect((await flags()).map((e) => e.holderId)).toEqual(['S00008']);
    const resolved = (await flags('all')).find((e) => e.holderId === 'S00007')!;
    expect(resolved).toMatchObject({ resolution: 'accept', resolvedBy: 'backend', correction: 0 });
    expect(resolved.note).toMatch(/arrived after the meal/);
    expect(resolved.note).toContain(entry.id);
    expect(await balance('S00007')).toBe(before);
    expect(await server.repo.db.all("SELECT event_id FROM ledger WHERE holder_id = 'S00007'")).toEqual(ledgerBefore);

    // Once only: the same entry again, or another entry, leaves the resolution as it was; the day's next sale is not flagged.
    await push(guard, [entry, pass('S00007', { direction: 'out' }), pass('S00007')]);
    await push(till, [sale('S00007')]);
    const after = (await flags('all')).filter((e) => e.holderId === 'S00007');
    const { events: _events, ...unchanged } = resolved;
    expect(after).toEqual([expect.objectContaining(unchanged)]);
    // A resolution by the backend is a resolution: the administrator cannot resolve it a second time.
    const twice = await adminCall('POST', `/v1/admin/exceptions/${resolved.id}/resolve`, { resolution: 'accept', note: 'ещё раз', by: 'Белова Н. А.' });
    expect(twice.status).toBe(409);
  });

  it('an entry leaves alone a flag the administrator resolved already, and a flag raised before the setting was turned off', async () => {
    const { guard, till } = await boot();
    await push(till, [sale('S00009'), sale('S00010')]);
    const open = await flags();
    const early = open.find((e) => e.holderId === 'S00009')!;
    const byHand = await adminCall('POST', `/v1/admin/exceptions/${early.id}/resolve`, { resolution: 'accept', note: 'пришёл без карты', by: 'Белова Н. А.' });
    expect(byHand.status).toBe(200);
    // Turning the note off does not strand the flag raised under it: the late entry still clears it.
    expect((await adminCall('POST', '/v1/admin/school-settings', { noEntryNoteAtTill: false })).status).toBe(200);
    await push(guard, [pass('S00009'), pass('S00010')]);
    const all = await flags('all');
    expect(all.find((e) => e.holderId === 'S00009')).toMatchObject({ resolution: 'accept', resolvedBy: 'Белова Н. А.', note: 'пришёл без карты' });
    expect(all.find((e) => e.holderId === 'S00010')).toMatchObject({ resolution: 'accept', resolvedBy: 'backend' });
  });

  it('with the setting off nothing is flagged, and a staff member is never flagged', async () => {
    const { till } = await boot();
    await server.repo.db.run("UPDATE accounts SET balance = 1000000 WHERE holder_id = 'E0001'");
    await push(till, [sale('E0001')]);
    expect(await flags('all')).toEqual([]);
    expect((await adminCall('POST', '/v1/admin/school-settings', { noEntryNoteAtTill: false })).status).toBe(200);
    const results = await push(till, [sale('S00011'), sale('E0001')]);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(await flags('all')).toEqual([]);
  });

  it('the same events pushed twice make one flag, and its resolution happens once', async () => {
    const { guard, till } = await boot();
    const events = [sale('S00012'), sale('S00012')];
    await push(till, events);
    const again = await push(till, events);
    expect(again.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(await flags('all')).toHaveLength(1);
    const entry = pass('S00012');
    await push(guard, [entry]);
    const first = (await flags('all'))[0]!;
    expect(first).toMatchObject({ resolution: 'accept', resolvedBy: 'backend' });
    await push(guard, [entry]);
    expect(await flags('all')).toEqual([first]);
  });

  it('a group meal flags its pupils with no entry; an entry in the same batch, behind the meal, resolves at once', async () => {
    const { guard, till } = await boot();
    await push(guard, [pass('S00001')]);
    const cls = (await server.repo.db.get<{ class_name: string }>("SELECT class_name FROM students WHERE id = 'S00001'"))!.class_name;
    const meal = ev('group_meal', {
      groupMealId: uuidv7(),
      className: cls,
      itemId: 'M01',
      itemName: 'Комплексный завтрак',
      price: 95_00,
      payer: 'school',
      students: ['S00001', 'S00002', 'S00003'].map((holderId) => ({ holderId, amount: 95_00 })),
      total: 3 * 95_00,
      shiftId: null,
      operatorId: null,
    });
    const [r] = await push(till, [meal]);
    expect(r).toMatchObject({ status: 'accepted' });
    expect((await flags()).map((e) => e.holderId).sort()).toEqual(['S00002', 'S00003']);
    expect((await flags())[0]!.events.map((e) => e.id)).toContain(meal.id);

    // A station enrolled before roles sends both kinds in one batch: the sale, then the late entry.
    await server.repo.db.run('UPDATE stations SET role = NULL');
    await push(till, [sale('S00004'), pass('S00004', { occurredAt: new Date(Date.now() - 30 * 60_000).toISOString() })]);
    expect((await flags('all')).find((e) => e.holderId === 'S00004')).toMatchObject({ resolution: 'accept', resolvedBy: 'backend', correction: 0 });
    expect((await flags()).map((e) => e.holderId).sort()).toEqual(['S00002', 'S00003']);
  });
});
