/**
 * The station's sync engine against the real reference server on loopback: enrollment, the first
 * roster sync with portraits, incremental deltas with tombstones, the clock offset, offline and back,
 * and Retry-After.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../common/clock.ts';
import { PhotoStore } from '../../node/photos.ts';
import type { SyncStatus } from '../../common/sync-api.ts';
import type { RunningServer } from '../../server/index.ts';
import { createSyncEngine, type SyncEngine } from '../../sync/engine.ts';
import { fileTokenVault } from '../../sync/token-vault.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import {
  appendEvents,
  enrollDirect,
  makeStorage,
  openStation,
  seedSmallSchool,
  startInProcessServer,
  tempDir,
  until,
  type Station,
} from '../helpers/sync-rig.ts';
import { createForeground } from '../../core/foreground.ts';
import type { SyncStore } from '../../sync/store.ts';
import { createBackendClient, type BackendClient } from '../../sync/client.ts';
import { pullRoster } from '../../sync/pull.ts';
import { foundCard } from '../../core/store/roster.ts';

describe('sync engine', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(clock: Clock = systemClock(), port = 0) {
    const t = tempDir('ss-engine-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage('sqlite', t.dir, null);
    const { holders } = await seedSmallSchool(storage, 8);
    let server: RunningServer = await startInProcessServer(storage, port);
    cleanups.push(() => server.close());
    const station: Station = openStation(join(t.dir, 'station'), clock);
    cleanups.push(() => station.store.close());
    const engine = createSyncEngine({
      store: station.syncStore,
      clock,
      vault: fileTokenVault(station.vaultPath),
      timeoutMs: 1500,
      pushDelayMs: 5,
      pullIntervalMs: 600_000,
      backoff: { baseMs: 20, maxMs: 200 },
    });
    cleanups.push(async () => {
      await engine.stop();
      engine.dispose();
    });
    return {
      t,
      storage,
      holders,
      get server() {
        return server;
      },
      async restart() {
        const p = server.port;
        await server.close();
        server = await startInProcessServer(storage, p);
      },
      station,
      engine,
    };
  }

  async function enroll(engine: SyncEngine, server: RunningServer, url = server.url) {
    const { code } = await server.repo.createEnrollmentCode('cashier');
    engine.start();
    await engine.enroll(url, code.toLowerCase().replace('-', ' '), 'Вход 1');
  }

  it('enrolls with a code, keeps the token in a mode-600 file, and makes a first sync with progress and portraits', async () => {
    const r = await setup();
    const seen: SyncStatus[] = [];
    r.engine.onChange((s) => seen.push(s));
    expect(r.engine.status().state).toBe('not_configured');
    await expect(r.engine.enroll(r.server.url, 'AAAA-AAAA')).rejects.toMatchObject({ code: 'invalid_code' });
    await enroll(r.engine, r.server);
    const s = await r.engine.syncNow();
    expect(s).toMatchObject({ state: 'online', needsEnrollment: false, lastError: null, backendUrl: r.server.url });
    expect(s.lastSyncAt).not.toBeNull();

    expect(statSync(r.station.vaultPath).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(r.station.vaultPath, 'utf8')) as { token: string; stationId: string };
    expect((await r.server.repo.authenticateStation(saved.token)).ok).toBe(true);

    expect(r.station.store.roster.counts()).toEqual({ students: 8, staff: 4, cards: (await r.server.repo.counts()).cards });
    const progress = seen.filter((x) => x.progress);
    expect(progress.some((x) => x.progress!.phase === 'roster' && x.progress!.total > 0)).toBe(true);
    // 8 pupils and 4 staff, but S00007's parents gave no photo consent: 11 portraits, none for S00007.
    expect(progress.some((x) => x.progress!.phase === 'photos' && x.progress!.done === 11 && x.progress!.total === 11)).toBe(true);
    expect(r.station.store.roster.person('student', 'S00007')).toMatchObject({ photoHash: null });
    expect(readdirSync(join(r.station.dir, 'photos'))).toHaveLength(11);

    // Each portrait is on disk under the sha256 of its bytes.
    const card = r.station.store.roster.listCardsWithHolders(100).find((c) => c.holder?.kind === 'student')!;
    const hash = card.holder!.photoHash!;
    const bytes = readFileSync(join(r.station.dir, 'photos', hash));
    expect(PhotoStore.hashOf(bytes)).toBe(hash);
    expect(r.station.syncStore.missingPhotos(100)).toEqual([]);
    // Today's menu came with it.
    expect(r.station.store.db.prepare('SELECT count(*) AS n FROM menu_items').get()).toEqual({ n: 8 });
  });

  it('incremental syncs apply changes and tombstones; nothing new changes nothing', async () => {
    const r = await setup();
    await enroll(r.engine, r.server);
    await r.engine.syncNow();
    const cursor = r.station.syncStore.rosterCursor();
    await r.engine.syncNow();
    expect(r.station.syncStore.rosterCursor()).toBe(cursor);

    const repo = r.server.repo;
    const blocked = (await repo.db.get<{ technology: 'iso14443'; uid: string }>(
      "SELECT technology, uid FROM cards WHERE holder_id = 'S00003' AND status = 'active'",
    ))!;
    await repo.setCardStatus(blocked.technology, blocked.uid, 'blocked');
    await repo.topUp('S00004', 123_45);
    await repo.db.tx((tx) => repo.removePerson(tx, 'student', 'S00008'), { roster: true });
    const s = await r.engine.syncNow();
    expect(s.state).toBe('online');
    expect(foundCard(r.station.store.roster.lookupCard(blocked))?.card.status).toBe('blocked');
    expect(r.station.store.roster.account('S00004')?.balance).toBe((await repo.account('S00004'))!.balance);
    expect(r.station.store.roster.counts().students).toBe(7);
    expect(r.station.store.db.prepare("SELECT count(*) AS n FROM cards WHERE holder_id = 'S00008'").get()).toEqual({ n: 0 });
  });

  it('learns the clock offset from /v1/time, applies it to new events and warns when it is large', async () => {
    const skewed: Clock = systemClock();
    const behind = { ...skewed, now: () => Date.now() - 5 * 60_000 };
    const r = await setup(behind);
    await enroll(r.engine, r.server);
    const s = await r.engine.syncNow();
    expect(Math.abs(s.clockOffsetMs - 5 * 60_000)).toBeLessThan(2000);
    expect(s.clockWarning).toBe(true);
    const e = r.station.store.outbox.append('shift_open', { shiftId: 'x', operatorId: 'E0001' });
    expect(r.station.store.outbox.after(e.seq - 1, 1)[0]!.clockOffsetMs).toBe(s.clockOffsetMs);
    // The offset survives a restart of the station.
    expect(r.station.syncStore.getState('clock_offset_ms')).toBe(String(s.clockOffsetMs));
  });

  it('goes offline when the server is down, keeps working from the store, and delivers once it is back', async () => {
    const r = await setup();
    await enroll(r.engine, r.server);
    await r.engine.syncNow();
    await r.server.close();
    const appended = appendEvents(r.station.store, r.holders, 20, 5);
    const off = await r.engine.syncNow();
    expect(off).toMatchObject({ state: 'offline', lastErrorCode: 'network', eventsWaiting: 20 });
    expect(off.lastError).toMatch(/cannot reach the backend/);
    // Taps still resolve from the store.
    expect(r.station.store.roster.listCardsWithHolders(5).length).toBe(5);
    await r.restart();
    await until(() => r.engine.status().state === 'online' && r.engine.status().eventsWaiting === 0, 'delivery after the server came back');
    expect((await r.server.repo.counts()).events).toBe(appended.ids.length);
  });

  it('honours Retry-After from a busy server', async () => {
    const r = await setup();
    const proxy = await startFaultProxy(r.server.url);
    cleanups.push(() => proxy.close());
    await enroll(r.engine, r.server, proxy.url);
    await r.engine.syncNow();
    proxy.inject({ kind: 'status', status: 503, retryAfter: '1' }, { path: '/v1/events' });
    const busy = proxy.waitFor('status');
    appendEvents(r.station.store, r.holders, 5, 6);
    await busy;
    const refusedAt = Date.now();
    await proxy.waitForForward('/v1/events');
    expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(900);
    await until(() => r.engine.status().eventsWaiting === 0, 'delivery after the wait');
    expect(existsSync(r.station.vaultPath)).toBe(true);
  });

  it('a roster page that arrives right after a tap is written only once the screen has had its moment', async () => {
    const t = tempDir('ss-giveway-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage('sqlite', t.dir, null);
    await seedSmallSchool(storage, 8);
    const server = await startInProcessServer(storage);
    cleanups.push(() => server.close());
    const station = openStation(join(t.dir, 'station'), systemClock());
    cleanups.push(() => station.store.close());
    const creds = await enrollDirect(server.repo, server.url, station.vaultPath);
    const client = createBackendClient({ baseUrl: server.url, token: creds.token });
    const foreground = createForeground({ quietMs: 150 });
    let tapAt: number | null = null;
    const appliedAfterTap: number[] = [];
    const store: SyncStore = {
      ...station.syncStore,
      applyRosterPage: (page) => {
        if (tapAt !== null) appliedAfterTap.push(performance.now() - tapAt);
        station.syncStore.applyRosterPage(page);
      },
    };
    // A card comes while the first page is on its way.
    const timed: BackendClient = {
      ...client,
      roster: async (...args) => {
        const page = await client.roster(...args);
        if (tapAt === null) {
          tapAt = performance.now();
          foreground.touch();
        }
        return page;
      },
    };
    const pulled = await pullRoster(timed, store, { pageSize: 10, giveWay: () => foreground.giveWay() });
    expect(pulled.pages).toBeGreaterThan(1);
    // The first page waited out the quiet time after the tap before it was written; the rest followed.
    expect(appliedAfterTap[0]).toBeGreaterThanOrEqual(145);
    expect(appliedAfterTap).toHaveLength(pulled.pages);
    expect(station.store.roster.counts().students).toBe(8);
  });
});
