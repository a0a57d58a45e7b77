/**
 * The sync test rig: the real reference server (in this process or as a child process) on SQLite or
 * PostgreSQL, the demo school seeded into it, a real station store on a SQLite file, and the checks
 * every fault test ends with: each event on the server exactly once, the outbox all acknowledged,
 * balances equal to the opening figure plus the sales and voids.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock, type Clock } from '../../common/clock.ts';
import { PhotoStore } from '../../node/photos.ts';
import { openStore, type Store } from '../../core/store/index.ts';
import { createSyncStore } from '../../station/sync-store.ts';
import type { SyncStore } from '../../sync/store.ts';
import { seedDemoSchool } from '../../server/admin.ts';
import { openServerDatabase, startServer, type RunningServer } from '../../server/index.ts';
import type { StationRole } from '../../common/events.ts';
import { Repo } from '../../server/repo.ts';
import { fileTokenVault, type StationCredentials } from '../../sync/token-vault.ts';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startPostgres, type PgCluster } from './postgres.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export type StorageKind = 'sqlite' | 'postgres';

export interface ServerStorage {
  kind: StorageKind;
  dataDir?: string;
  databaseUrl?: string;
}

export async function makeStorage(kind: StorageKind, dir: string, pg: PgCluster | null): Promise<ServerStorage> {
  if (kind === 'sqlite') return { kind, dataDir: join(dir, 'server') };
  if (!pg) throw new Error('PostgreSQL cluster not started');
  return { kind, databaseUrl: await pg.createDatabase() };
}

const storageOpts = (s: ServerStorage) => (s.databaseUrl ? { databaseUrl: s.databaseUrl } : { dataDir: s.dataDir! });

/** A repository on the server's storage, opened beside the server (for seeding and for checks). */
export async function openRepo(s: ServerStorage): Promise<Repo> {
  return new Repo(await openServerDatabase(storageOpts(s)));
}

export async function startInProcessServer(s: ServerStorage, port = 0, logger: Parameters<typeof startServer>[0]['logger'] = false): Promise<RunningServer> {
  return startServer({ ...storageOpts(s), port, logger });
}

export interface ChildServer {
  url: string;
  child: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** `node server/cli.ts serve` as a child process: a server that can be SIGKILLed mid-batch. */
export async function spawnServer(s: ServerStorage, port: number): Promise<ChildServer> {
  const args = ['server/cli.ts', 'serve', '--port', String(port), ...(s.databaseUrl ? ['--database-url', s.databaseUrl] : ['--data-dir', s.dataDir!])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SERVER_LOG_LEVEL: 'warn' } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server child did not start:\n${stderr}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\S+)/.exec(d.toString());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`server child exited ${code}:\n${stderr}`)));
  });
  return {
    url,
    child,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

export interface Station {
  dir: string;
  clock: Clock;
  store: Store;
  photos: PhotoStore;
  syncStore: SyncStore;
  vaultPath: string;
}

export function openStation(dir: string, clock: Clock = systemClock()): Station {
  mkdirSync(dir, { recursive: true });
  const store = openStore(join(dir, 'station.sqlite'), clock);
  const photos = new PhotoStore(join(dir, 'photos'));
  return { dir, clock, store, photos, syncStore: createSyncStore(store, photos), vaultPath: join(dir, 'token.json') };
}

/** Enrolls a station for a role straight through the repository and writes its vault file (for child processes). */
export async function enrollDirect(repo: Repo, baseUrl: string, vaultPath: string, role: StationRole = 'cashier'): Promise<StationCredentials> {
  const { code } = await repo.createEnrollmentCode(role);
  const r = await repo.enroll(code, 'test station');
  if (!r) throw new Error('enrollment failed');
  const creds = { baseUrl, stationId: r.stationId, token: r.token, enrolledAt: new Date().toISOString(), schoolName: '' };
  await fileTokenVault(vaultPath).save(creds);
  return creds;
}

export interface Appended {
  ids: string[];
  /** Expected change of each holder's balance. */
  delta: Map<string, number>;
  /** Events the parents' table must hold one row for. */
  notifiable: number;
}

/**
 * Appends `n` events a till sends through the station's own outbox: sales at the demo menu's price
 * (some overdrawing, some past a daily limit), voids of some of those sales, photo-check rejections,
 * and a shift open. A till's token sends only a till's events, so there are no passes here.
 * Deterministic for a seed.
 */
export function appendEvents(store: Store, holders: readonly string[], n: number, seed = 1): Appended {
  let a = seed >>> 0;
  const r = () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
  const out: Appended = { ids: [], delta: new Map(), notifiable: 0 };
  const sales: { id: string; holderId: string; amount: number }[] = [];
  const add = (h: string, d: number) => out.delta.set(h, (out.delta.get(h) ?? 0) + d);
  store.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const holderId = holders[Math.floor(r() * holders.length)]!;
      const roll = r();
      if (i === 0) {
        out.ids.push(store.outbox.append('shift_open', { shiftId: 'shift-1', operatorId: 'E0001' }).id);
      } else if (roll < 0.5) {
        // M03 (Булочка с маком) costs 35,00 ₽ on the demo menu; the server re-prices against it.
        const price = 35_00;
        const quantity = 1 + Math.floor(r() * 6);
        const total = price * quantity;
        const e = store.outbox.append('sale', {
          saleId: `sale-${seed}-${i}`,
          holderId,
          card: null,
          lines: [{ itemId: 'M03', name: 'Булочка с маком', category: 'Выпечка', price, quantity }],
          total,
          subsidyPart: 0,
          accountPart: total,
          verifiedByPhoto: true,
          offline: false,
          shiftId: 'shift-1',
          operatorId: 'E0001',
        });
        sales.push({ id: e.id, holderId, amount: total });
        add(holderId, -total);
        out.notifiable++;
        out.ids.push(e.id);
      } else if (roll < 0.6 && sales.length > 0) {
        const s = sales.splice(Math.floor(r() * sales.length), 1)[0]!;
        const e = store.outbox.append('void', {
          saleEventId: s.id,
          holderId: s.holderId,
          amount: s.amount,
          supervisorId: 'E0003',
          reason: 'ошибка кассира',
          shiftId: 'shift-1',
        });
        add(s.holderId, s.amount);
        out.ids.push(e.id);
      } else {
        const e = store.outbox.append('sale_rejected', {
          saleId: `rejected-${seed}-${i}`,
          holderId,
          card: null,
          reason: 'not_this_child',
          shiftId: 'shift-1',
          operatorId: 'E0001',
        });
        out.ids.push(e.id);
      }
    }
  })();
  return out;
}

/** Opening balances of the given holders, from the server. */
export async function balances(repo: Repo, holders: readonly string[]): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (const h of holders) m.set(h, (await repo.account(h))!.balance);
  return m;
}

/** The promise every fault test ends with. */
export async function expectExactlyOnce(repo: Repo, store: Store, appended: Appended, opening: Map<string, number>): Promise<void> {
  // Imported here so benchmarks can use this rig outside the test runner.
  const { expect } = await import('vitest');
  const rows = await repo.db.all<{ id: string; status: string }>('SELECT id, status FROM events');
  expect(rows.length).toBe(appended.ids.length);
  expect(new Set(rows.map((r) => r.id))).toEqual(new Set(appended.ids));
  expect(rows.filter((r) => r.status === 'invalid')).toEqual([]);

  const outbox = store.outbox.after(0, 1_000_000);
  expect(outbox.length).toBe(appended.ids.length);
  expect(outbox.filter((e) => e.status === 'pending' || e.status === 'invalid').map((e) => `${e.id} ${e.status} ${e.lastError}`)).toEqual([]);

  for (const [holder, before] of opening) {
    expect({ holder, balance: (await repo.account(holder))!.balance }).toEqual({ holder, balance: before + (appended.delta.get(holder) ?? 0) });
  }
  const ledger = await repo.db.all<{ event_id: string }>("SELECT event_id FROM ledger WHERE kind IN ('sale', 'void')");
  expect(new Set(ledger.map((l) => l.event_id)).size).toBe(ledger.length);
  const notifications = await repo.db.get<{ n: number }>('SELECT count(*) AS n FROM notifications');
  expect(Number(notifications!.n)).toBe(appended.notifiable);
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function seedSmallSchool(s: ServerStorage, students = 12): Promise<{ holders: string[] }> {
  const repo = await openRepo(s);
  try {
    await seedDemoSchool(repo, { students, menuDays: 1 });
    const rows = await repo.db.all<{ id: string }>('SELECT id FROM students ORDER BY id');
    return { holders: rows.map((r) => r.id) };
  } finally {
    await repo.db.close();
  }
}

/** Waits until `check` holds, polling; throws with `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The lifecycle of a describe block on one server storage: PostgreSQL started once for the block when
 * that is the kind (a throwaway cluster), stopped after it, and the block's cleanups run after each
 * test, newest first. `pg()` is the cluster for `makeStorage` (null for SQLite).
 */
export function storageLifecycle(kind: StorageKind): { pg(): PgCluster | null; cleanups: (() => unknown)[] } {
  let pg: PgCluster | null = null;
  const cleanups: (() => unknown)[] = [];
  beforeAll(async () => {
    if (kind === 'postgres') pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return { pg: () => pg, cleanups };
}
