/**
 * Every event reaches the backend exactly once whatever the network does: the real reference server
 * (SQLite and PostgreSQL), the fault proxy in front of it, a real station store, the real sync engine.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import type { RunningServer } from '../../server/index.ts';
import type { Repo } from '../../server/repo.ts';
import { createSyncEngine, type SyncEngine } from '../../sync/engine.ts';
import { fileTokenVault } from '../../sync/token-vault.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { freePort } from '../helpers/postgres.ts';
import {
  ROOT,
  appendEvents,
  balances,
  enrollDirect,
  expectExactlyOnce,
  makeStorage,
  openRepo,
  openStation,
  seedSmallSchool,
  spawnServer,
  startInProcessServer,
  storageLifecycle,
  tempDir,
  until,
  type ServerStorage,
  type Station,
  type StorageKind,
} from '../helpers/sync-rig.ts';

const EVENTS = 600;
const BATCH = 100;

describe.each<StorageKind>(['sqlite', 'postgres'])('sync faults against %s storage', (kind) => {
  // No skip: if PostgreSQL cannot start, this throws and every test here fails.
  const { cleanups, pg } = storageLifecycle(kind);

  interface Rig {
    storage: ServerStorage;
    server: RunningServer;
    proxy: FaultProxy;
    repo: Repo;
    station: Station;
    engine: SyncEngine;
    holders: string[];
  }

  async function rig(options: { timeoutMs?: number } = {}): Promise<Rig> {
    const t = tempDir('ss-faults-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage(kind, t.dir, pg());
    const { holders } = await seedSmallSchool(storage);
    const server = await startInProcessServer(storage);
    cleanups.push(() => server.close());
    const proxy = await startFaultProxy(server.url);
    cleanups.push(() => proxy.close());
    const station = openStation(join(t.dir, 'station'));
    cleanups.push(() => station.store.close());
    await enrollDirect(server.repo, proxy.url, station.vaultPath);
    const engine = createSyncEngine({
      store: station.syncStore,
      clock: station.clock,
      vault: fileTokenVault(station.vaultPath),
      timeoutMs: options.timeoutMs ?? 2000,
      batchSize: BATCH,
      pushDelayMs: 5,
      pullIntervalMs: 600_000,
      backoff: { baseMs: 20, maxMs: 250 },
    });
    cleanups.push(async () => {
      await engine.stop();
      engine.dispose();
    });
    return { storage, server, proxy, repo: server.repo, station, engine, holders };
  }

  /** Appends the events, runs the engine until the outbox is empty, then checks exactly-once. */
  async function pushThrough(r: Rig, seed: number): Promise<void> {
    const opening = await balances(r.repo, r.holders);
    const appended = appendEvents(r.station.store, r.holders, EVENTS, seed);
    r.engine.start();
    await until(() => r.engine.status().eventsWaiting === 0 && r.engine.status().state === 'online', 'the outbox to empty');
    await expectExactlyOnce(r.repo, r.station.store, appended, opening);
  }

  it('500 replies: retried with backoff, nothing lost, nothing doubled', async () => {
    const r = await rig();
    r.proxy.inject({ kind: 'status', status: 500 }, { path: '/v1/events', times: 2 });
    r.proxy.inject({ kind: 'status', status: 500, forward: true }, { path: '/v1/events', times: 1 });
    await pushThrough(r, 11);
    expect(r.proxy.hits.filter((h) => h.fault.kind === 'status')).toHaveLength(3);
    // The 500 that came after the server committed is answered "duplicate" on the retry.
    expect(r.station.store.outbox.after(0, 10_000).some((e) => e.status === 'duplicate')).toBe(true);
  });

  it('a stall past the client timeout after the server committed', async () => {
    const r = await rig({ timeoutMs: 400 });
    r.proxy.inject({ kind: 'stall', forward: true }, { path: '/v1/events', times: 1 });
    await pushThrough(r, 12);
    expect(r.proxy.hits.filter((h) => h.fault.kind === 'stall')).toHaveLength(1);
    expect(r.station.store.outbox.after(0, 10_000).filter((e) => e.status === 'duplicate').length).toBeGreaterThanOrEqual(1);
  });

  it('the connection cut in the middle of the reply after the server committed', async () => {
    const r = await rig();
    r.proxy.inject({ kind: 'cut' }, { path: '/v1/events', times: 2 });
    await pushThrough(r, 13);
    expect(r.proxy.hits.filter((h) => h.fault.kind === 'cut' && h.upstreamStatus === 200)).toHaveLength(2);
    // The first batch was committed twice over and heard only the third time: the server said "duplicate" and changed nothing.
    const retried = r.station.store.outbox.after(0, 10_000).filter((e) => e.attempts === 3);
    expect(retried).toHaveLength(BATCH);
    expect(retried.every((e) => e.status === 'duplicate' || e.status === 'anomaly')).toBe(true);
  });

  it('garbage JSON in reply: the station does not take it for an answer', async () => {
    const r = await rig();
    r.proxy.inject({ kind: 'garbage' }, { path: '/v1/events', times: 1 });
    r.proxy.inject({ kind: 'garbage' }, { path: '/v1/roster', times: 1 });
    await pushThrough(r, 14);
    expect(r.proxy.hits.filter((h) => h.fault.kind === 'garbage')).toHaveLength(2);
    const attempts = r.station.store.outbox.after(0, 10_000).filter((e) => e.lastError?.includes('not JSON'));
    expect(attempts.length).toBe(BATCH);
  });

  it('a 401: the station says it must be enrolled again, keeps its events, and delivers them after enrolling', async () => {
    const r = await rig();
    const opening = await balances(r.repo, r.holders);
    const stationId = r.engine.status().stationId ?? (await r.repo.stations())[0]!.id;
    expect(await r.repo.revokeStation(stationId)).toBe(true);
    const appended = appendEvents(r.station.store, r.holders, EVENTS, 15);
    r.engine.start();
    await until(() => r.engine.status().needsEnrollment, 'the station to ask for enrollment');
    const s = r.engine.status();
    expect(s).toMatchObject({ state: 'offline', lastErrorCode: 'unauthorized', eventsWaiting: EVENTS });
    expect(s.lastError).toMatch(/enroll the station again/);
    expect(await r.repo.counts()).toMatchObject({ events: 0 });
    // A wrong code is refused with its own reason.
    await expect(r.engine.enroll(r.proxy.url, 'ZZZZ-ZZZZ')).rejects.toMatchObject({ code: 'invalid_code' });
    const { code } = await r.repo.createEnrollmentCode('cashier');
    await r.engine.enroll(r.proxy.url, code, 'Касса 1');
    await until(() => r.engine.status().eventsWaiting === 0 && r.engine.status().state === 'online', 'the outbox to empty after enrolling');
    expect(r.engine.status().needsEnrollment).toBe(false);
    await expectExactlyOnce(r.repo, r.station.store, appended, opening);
  });

  it('the server killed (SIGKILL) mid-batch and restarted', async () => {
    const t = tempDir('ss-restart-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage(kind, t.dir, pg());
    const { holders } = await seedSmallSchool(storage);
    const port = await freePort();
    let server = await spawnServer(storage, port);
    cleanups.push(() => server.kill());
    const repo = await openRepo(storage);
    cleanups.push(() => repo.db.close());
    const station = openStation(join(t.dir, 'station'));
    cleanups.push(() => station.store.close());
    const engine = createSyncEngine({
      store: station.syncStore,
      clock: station.clock,
      vault: fileTokenVault(station.vaultPath),
      timeoutMs: 2000,
      batchSize: 200,
      pullIntervalMs: 600_000,
      backoff: { baseMs: 50, maxMs: 300 },
    });
    cleanups.push(async () => {
      await engine.stop();
      engine.dispose();
    });
    const opening = await balances(repo, holders);
    const appended = appendEvents(station.store, holders, 1000, 16);
    // Kill the server the moment the second batch reaches it, then bring it back on the same port.
    const proxy = await startFaultProxy(server.url);
    cleanups.push(() => proxy.close());
    await enrollDirect(repo, proxy.url, station.vaultPath);
    const killed = (async () => {
      await proxy.waitForForward('/v1/events');
      await proxy.waitForForward('/v1/events');
      await server.kill('SIGKILL');
    })();
    engine.start();
    await killed;
    expect(engine.status().eventsWaiting).toBeGreaterThan(0);
    await until(() => engine.status().state === 'offline', 'the station to notice the server is gone');
    server = await spawnServer(storage, port);
    await until(() => engine.status().eventsWaiting === 0 && engine.status().state === 'online', 'the outbox to empty after the restart', 30_000);
    await expectExactlyOnce(repo, station.store, appended, opening);
  });

  it('the station process killed (SIGKILL) mid-push and restarted', async () => {
    const t = tempDir('ss-kill-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage(kind, t.dir, pg());
    const { holders } = await seedSmallSchool(storage);
    const server = await startInProcessServer(storage);
    cleanups.push(() => server.close());
    const proxy = await startFaultProxy(server.url);
    cleanups.push(() => proxy.close());
    const stationDir = join(t.dir, 'station');
    const prepared = openStation(stationDir, systemClock());
    await enrollDirect(server.repo, proxy.url, prepared.vaultPath);
    const opening = await balances(server.repo, holders);
    const appended = appendEvents(prepared.store, holders, 1000, 17);
    prepared.store.close();

    const runChild = () => {
      const child = spawn(process.execPath, ['test/helpers/push-child.ts', stationDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<{ code: number | null; signal: string | null; err: string }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal, err })),
      );
      return { child, exited };
    };
    // The third batch is committed on the server and its reply held: the station dies before it hears it.
    proxy.inject({ kind: 'stall', forward: true }, { path: '/v1/events', times: 1, skip: 2 });
    const stalled = proxy.waitFor('stall');
    const first = runChild();
    const hit = await Promise.race([stalled, first.exited.then((e) => Promise.reject(new Error(`child exited early: ${JSON.stringify(e)}`)))]);
    expect(hit.upstreamStatus).toBe(200);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const committedBeforeKill = (await server.repo.counts()).events;
    expect(committedBeforeKill).toBeGreaterThan(0);

    const second = runChild();
    const done = await second.exited;
    expect(done, done.err).toMatchObject({ code: 0 });

    const station = openStation(stationDir, systemClock());
    cleanups.push(() => station.store.close());
    await expectExactlyOnce(server.repo, station.store, appended, opening);
    // The batch whose reply died with the station came back as duplicates, changing nothing.
    expect(station.store.outbox.after(0, 10_000).filter((e) => e.status === 'duplicate').length).toBeGreaterThan(0);
  });
});
