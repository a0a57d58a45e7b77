import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import { GuardPost } from '../../core/guard/guard-post.ts';
import { NO_GATE } from '../../hardware/relay.ts';
import { seedDemoSchool } from '../../server/admin.ts';
import type { RunningServer } from '../../server/index.ts';
import type { Repo } from '../../server/repo.ts';
import { createBackendClient } from '../../sync/client.ts';
import { pullRoster } from '../../sync/pull.ts';
import { pushOutbox } from '../../sync/push.ts';
import { pinoMemoryLog } from '../helpers/guard-fixture.ts';
import { enrollDirect, openRepo, openStation, startInProcessServer, type ServerStorage } from '../helpers/sync-rig.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'guard-sync-'));
  const storage: ServerStorage = { kind: 'sqlite', dataDir: join(dir, 'server') };
  const server: RunningServer = await startInProcessServer(storage);
  cleanups.push(() => server.close());
  const repo: Repo = await openRepo(storage);
  cleanups.push(() => repo.db.close());
  await seedDemoSchool(repo, { students: 30 });
  const station = (name: string) => {
    const s = openStation(join(dir, name), systemClock());
    cleanups.push(() => s.store.close());
    return s;
  };
  const guardStation = station('guard');
  const cashierStation = station('cashier');
  const client = async (vault: string) => {
    const creds = await enrollDirect(repo, server.url, vault, 'guard');
    return createBackendClient({ baseUrl: server.url, token: creds.token });
  };
  const gClient = await client(guardStation.vaultPath);
  const cClient = await client(cashierStation.vaultPath);
  await pullRoster(gClient, guardStation.syncStore);
  await pullRoster(cClient, cashierStation.syncStore);
  const guard = new GuardPost({ store: guardStation.store, clock: systemClock(), gate: () => NO_GATE, log: pinoMemoryLog(), exportDir: join(dir, 'exports') });
  return { dir, server, repo, storage, guardStation, cashierStation, gClient, cClient, guard };
}

describe('guard post events on the reference server', () => {
  it('each pass reaches the server exactly once with one notification row each, also after a retry and an offline spell', async () => {
    const { repo, guardStation, gClient, guard, server } = await setup();
    const cards = guardStation.store.roster.listCardsWithHolders(200).filter((c) => c.card.status === 'active' && c.card.holderKind === 'student');
    expect(cards.length).toBeGreaterThan(5);
    const before = await repo.counts();
    let t = 0;
    const tap = (c: (typeof cards)[number], role: 'entry' | 'exit') =>
      guard.onCard({ readerId: role, technology: c.card.technology, uid: c.card.uid, raw: '', at: new Date(Date.now() + t++).toISOString() }, role);
    for (const c of cards.slice(0, 5)) expect(tap(c, 'entry')).toMatchObject({ verdict: 'allow' });
    tap(cards[0]!, 'exit');

    // The first push's reply is lost (the connection drops): nothing is double-counted on the retry.
    const first = await pushOutbox(gClient, guardStation.syncStore);
    expect(first.acknowledged).toBe(6);
    const again = guardStation.store.outbox
      .after(0, 100)
      .map((e) => ({ id: e.id, seq: e.seq, type: e.type, occurredAt: e.occurredAt, clockOffsetMs: e.clockOffsetMs, payload: e.payload }));
    const dup = await gClient.pushEvents(again);
    expect(dup.every((r) => r.status === 'duplicate')).toBe(true);

    // Offline: the server is away, taps go on and wait in the outbox.
    const offline = createBackendClient({ baseUrl: 'http://127.0.0.1:9', token: 'x', timeoutMs: 500 });
    for (const c of cards.slice(5, 8)) tap(c, 'entry');
    await expect(pushOutbox(offline, guardStation.syncStore)).rejects.toThrow();
    expect(guardStation.store.outbox.pendingCount()).toBe(3);
    // Back online.
    expect((await pushOutbox(gClient, guardStation.syncStore)).acknowledged).toBe(3);
    expect(guardStation.store.outbox.pendingCount()).toBe(0);

    const after = await repo.counts();
    expect(after.events - before.events).toBe(9);
    expect(after.notifications - before.notifications).toBe(9);
    const rows = await repo.db.all<{ id: string; n: number }>("SELECT id, count(*) AS n FROM events WHERE type = 'pass' GROUP BY id");
    expect(rows).toHaveLength(9);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    const notes = await repo.db.all<{ event_id: string }>("SELECT event_id FROM notifications WHERE kind = 'pass'");
    expect(new Set(notes.map((n) => n.event_id))).toEqual(new Set(rows.map((r) => r.id)));
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  it('a spare card bound at the guard post is accepted by the server and reaches the canteen station; the balance stays on the account', async () => {
    const { repo, guardStation, cashierStation, gClient, cClient, guard } = await setup();
    const spare = { technology: 'iso14443' as const, uid: '04D0000000000099', label: 'Запасная' };
    // In the school's stock on the server (IT's tool) and at this post (as its roster pull would bring it).
    await repo.addSpareCard(spare, spare.label);
    guard.addSpareCards([spare]);
    const child = guardStation.store.roster.listCardsWithHolders(200).find((c) => c.card.status === 'active' && c.card.holderKind === 'student')!;
    const holderId = child.card.holderId;
    const balanceBefore = (await repo.db.get<{ balance: number }>('SELECT balance FROM accounts WHERE holder_id = ?', [holderId]))!.balance;

    const { validUntil } = guard.bindSpareCard({ card: spare, holderKind: 'student', holderId, operatorId: null });
    const report = await pushOutbox(gClient, guardStation.syncStore);
    expect(report).toMatchObject({ acknowledged: 1, anomalies: 0, invalid: 0 });
    expect(guardStation.store.outbox.after(0, 10)[0]).toMatchObject({ type: 'temp_card_bind', status: 'accepted' });

    await pullRoster(cClient, cashierStation.syncStore);
    expect(cashierStation.store.roster.lookupCard(spare)).toMatchObject({ card: { status: 'temporary', holderId, validUntil }, holder: { id: holderId } });
    expect(cashierStation.store.roster.account(holderId)?.balance).toBe(balanceBefore);

    guard.returnSpareCard(spare);
    await pushOutbox(gClient, guardStation.syncStore);
    await pullRoster(cClient, cashierStation.syncStore);
    expect(cashierStation.store.roster.lookupCard(spare)).toBeNull();
    expect((await repo.db.get<{ balance: number }>('SELECT balance FROM accounts WHERE holder_id = ?', [holderId]))!.balance).toBe(balanceBefore);
  });

  it('manual open, visitor pass and emergency mode are accepted by the server (not dropped as unknown types)', async () => {
    const { guardStation, gClient, guard } = await setup();
    await guard.manualOpen({ direction: 'in', reason: 'card_damaged', note: '', holderKind: null, holderId: null, operatorId: null });
    await guard.visitorPass({ visitorName: 'Гость', reason: 'delivery', note: '', operatorId: null });
    await guard.startEmergency(null);
    await guard.endEmergency(null);
    const r = await pushOutbox(gClient, guardStation.syncStore);
    expect(r).toMatchObject({ acknowledged: 4, invalid: 0, anomalies: 0 });
  });

  it('who was on duty reaches the server: the guard signs in with the PIN from the server’s roster, acts, signs out', async () => {
    const { repo, guardStation, gClient, guard } = await setup();
    // The demo school's guard (E0002, PIN 2222) came with the roster as a salted hash.
    const onDuty = await guard.duty.signIn('2222');
    expect(onDuty).toMatchObject({ staffId: 'E0002', position: 'Охранник' });
    await guard.manualOpen({
      direction: 'in',
      reason: 'forgot_card',
      note: '',
      holderKind: null,
      holderId: null,
      operatorId: await guard.duty.operatorFor(undefined),
    });
    guard.duty.signOut();
    await guard.startEmergency(guard.duty.onDuty());
    await guard.endEmergency(await guard.duty.operatorFor('3333')); // the supervisor (E0003) comes to end it
    guard.duty.signOut();
    const r = await pushOutbox(gClient, guardStation.syncStore);
    expect(r).toMatchObject({ acknowledged: 7, invalid: 0, anomalies: 0 });

    const rows = await repo.db.all<{ type: string; status: string; body: string }>(
      "SELECT type, status, body FROM events WHERE type IN ('guard_duty_start', 'guard_duty_end', 'manual_open', 'emergency_start', 'emergency_end') ORDER BY seq",
    );
    expect(rows.map((e) => [e.type, e.status, (JSON.parse(e.body) as { payload: { operatorId: string | null } }).payload.operatorId])).toEqual([
      ['guard_duty_start', 'accepted', 'E0002'],
      ['manual_open', 'accepted', 'E0002'],
      ['guard_duty_end', 'accepted', 'E0002'],
      ['emergency_start', 'accepted', null],
      ['guard_duty_start', 'accepted', 'E0003'],
      ['emergency_end', 'accepted', 'E0003'],
      ['guard_duty_end', 'accepted', 'E0003'],
    ]);
    expect(JSON.parse(rows[3]!.body).payload).toMatchObject({ nobodyOnDuty: true });
  });

  it('the server keeps a duty of someone it does not know as a guard, flagged as an anomaly', async () => {
    const { gClient } = await setup();
    const event = (operatorId: string, seq: number) => ({
      id: uuidv7(),
      seq,
      type: 'guard_duty_start',
      occurredAt: new Date().toISOString(),
      clockOffsetMs: 0,
      payload: { dutyId: uuidv7(), operatorId, via: 'sign_in' },
    });
    const results = await gClient.pushEvents([event('E0002', 1), event('E0004', 2), event('E9999', 3)]);
    expect(results.map((r) => [r.status, r.message ?? ''])).toEqual([
      ['accepted', ''],
      ['anomaly', 'applied; E0004 is not a guard or supervisor here'],
      ['anomaly', 'applied; E9999 is not on the staff list here'],
    ]);
  });
});
