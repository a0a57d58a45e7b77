/**
 * Sync benchmarks (docs/architecture.md, "Figures") against the reference server running as its own process on loopback,
 * for both storages:
 *   roster_first_5k_s      first sync of 5,000 students with ~30 KB portraits (roster pages + photos + menu)
 *   roster_incremental_ms  a sync with nothing new (median of 15; p95 printed beside it)
 *   push_10k_s             10,000 queued events pushed and acknowledged (events/s printed beside it)
 * The plain names are the SQLite server; the same figures for PostgreSQL carry a `_postgres` suffix.
 *   npm run bench -- sync
 */
import { join } from 'node:path';
import type { Report } from './run.ts';
import { systemClock } from '../common/clock.ts';
import { createSyncEngine, type SyncEngine } from '../sync/engine.ts';
import { fileTokenVault } from '../sync/token-vault.ts';
import type { SyncStatus } from '../common/sync-api.ts';
import { seedDemoSchool } from '../server/admin.ts';
import { freePort, startPostgres, type PgCluster } from '../test/helpers/postgres.ts';
import { appendEvents, enrollDirect, makeStorage, openRepo, openStation, spawnServer, tempDir, type StorageKind } from '../test/helpers/sync-rig.ts';

const STUDENTS = 5000;
const PHOTO_BYTES = 30_000;
const EVENTS = 10_000;

function waitFor(engine: SyncEngine, check: (s: SyncStatus) => boolean, timeoutMs: number): Promise<SyncStatus> {
  return new Promise((resolve, reject) => {
    if (check(engine.status())) return resolve(engine.status());
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out; status ${JSON.stringify(engine.status())}`));
    }, timeoutMs);
    const off = engine.onChange((s) => {
      if (check(s)) {
        clearTimeout(timer);
        off();
        resolve(s);
      }
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;

async function run(kind: StorageKind, pg: PgCluster | null, report: Report): Promise<void> {
  const suffix = kind === 'sqlite' ? '' : '_postgres';
  const t = tempDir('ss-bench-sync-');
  try {
    const storage = await makeStorage(kind, t.dir, pg);
    const repo = await openRepo(storage);
    const seedStart = performance.now();
    await seedDemoSchool(repo, { students: STUDENTS, photoBytes: PHOTO_BYTES, menuDays: 1 });
    const holders = (await repo.db.all<{ id: string }>('SELECT id FROM students ORDER BY id')).map((r) => r.id);
    console.log(`  ${kind}: seeded ${STUDENTS} students with ${PHOTO_BYTES / 1000} KB portraits in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

    const server = await spawnServer(storage, await freePort());
    const station = openStation(join(t.dir, 'station'), systemClock());
    await enrollDirect(repo, server.url, station.vaultPath);
    const engine = createSyncEngine({
      store: station.syncStore,
      clock: station.clock,
      vault: fileTokenVault(station.vaultPath),
      pullIntervalMs: 3_600_000,
      batchSize: 500,
    });
    try {
      let pages = 0;
      engine.onChange((s) => {
        if (s.progress?.phase === 'roster') pages++;
      });
      const t0 = performance.now();
      engine.start();
      const s = await waitFor(engine, (x) => x.state === 'online' || x.lastErrorCode !== null, 300_000);
      if (s.state !== 'online') throw new Error(`first sync failed: ${s.lastError}`);
      const firstS = (performance.now() - t0) / 1000;
      const counts = station.store.roster.counts();
      console.log(
        `  ${kind}: first sync ${counts.students} students, ${counts.cards} cards, ${station.syncStore.missingPhotos(10).length} photos missing, ${pages} progress updates`,
      );
      report(`roster_first_5k_s${suffix}`, firstS, 's');

      const inc: number[] = [];
      for (let i = 0; i < 15; i++) {
        const a = performance.now();
        const after = await engine.syncNow();
        if (after.state !== 'online') throw new Error(`incremental sync failed: ${after.lastError}`);
        inc.push(performance.now() - a);
      }
      report(`roster_incremental_ms${suffix}`, median(inc), 'ms');
      report(`roster_incremental_p95_ms${suffix}`, p95(inc), 'ms');

      const appended = appendEvents(station.store, holders, EVENTS, 42);
      const p0 = performance.now();
      // The append above woke the engine; it pushes until the outbox is empty.
      await waitFor(engine, (x) => x.eventsWaiting === 0, 300_000);
      const pushS = (performance.now() - p0) / 1000;
      const onServer = (await repo.counts()).events;
      if (onServer !== appended.ids.length) throw new Error(`server holds ${onServer} events, expected ${appended.ids.length}`);
      report(`push_10k_s${suffix}`, pushS, 's');
      report(`push_10k_events_per_s${suffix}`, Math.round(EVENTS / pushS), 'events/s');
    } finally {
      await engine.stop();
      engine.dispose();
      station.store.close();
      await server.kill('SIGTERM');
      await repo.db.close();
    }
  } finally {
    t.cleanup();
  }
}

export default async function (report: Report): Promise<void> {
  await run('sqlite', null, report);
  let pg: PgCluster | null = null;
  try {
    pg = await startPostgres();
  } catch (err) {
    for (const n of ['roster_first_5k_s', 'roster_incremental_ms', 'push_10k_s'])
      report(`${n}_postgres`, `PostgreSQL did not start: ${(err as Error).message.split('\n')[0]}`, '');
    return;
  }
  try {
    await run('postgres', pg, report);
  } finally {
    await pg.stop();
  }
}
