import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isRandomUid } from '../common/card-id.ts';
import type { CardPresented, StationStatus } from '../common/contract/index.ts';
import type { CardRead } from '../common/readers.ts';
import { createReader, SimulatedReader } from '../hardware/index.ts';
import { DomainError, Router } from './bridge/router.ts';
import { wireCashier } from './cashier/wiring.ts';
import { wireGuard } from './guard/wiring.ts';
import { systemClock, type Clock } from './clock.ts';
import { ensureDemoMenu, seedDemoSchool } from './demo-seed.ts';
import { silentLogger, type Logger } from './logger.ts';
import { PhotoStore } from './photos.ts';
import { ReaderHub, type ReaderFactory } from './readers.ts';
import { clearStoreFault, openStore, StoreFault, type Store } from './store/index.ts';

export interface StationOptions {
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  migrationsDir?: string;
  readerFactory?: ReaderFactory;
  /** Students in the embedded demo school seeded into an empty store with no backend (default 30). */
  demoStudents?: number;
  version?: string;
}

export interface Station {
  readonly router: Router;
  readonly photos: PhotoStore;
  readonly readers: ReaderHub;
  /** Null while the station is in a store fault (the renderer shows what IT must do). */
  store(): Store | null;
  status(): StationStatus;
  close(): Promise<void>;
}

/**
 * Wires the station's services: store, readers, bridge handlers. Everything it needs comes in through
 * `options`, so tests wire a real store in a temp folder and real or simulated readers.
 */
export async function createStation(options: StationOptions): Promise<Station> {
  const clock = options.clock ?? systemClock();
  const log = options.logger ?? silentLogger();
  const dbPath = join(options.dataDir, 'station.db');
  mkdirSync(options.dataDir, { recursive: true });
  const photos = new PhotoStore(join(options.dataDir, 'photos'));
  const router = new Router(log);
  const readers = new ReaderHub(options.readerFactory ?? createReader, log);
  let store: Store | null = null;
  let fault: StoreFault | null = null;
  let statusQueued = false;

  const status = (): StationStatus => {
    const settings = store?.settings.get();
    return {
      mode: settings?.mode ?? 'unset',
      stationName: settings?.stationName ?? '',
      readers: readers.statuses(),
      outboxPending: store?.outbox.pendingCount() ?? 0,
      sync: { state: settings?.backendUrl ? 'offline' : 'not_configured', lastSyncAt: null, lastError: null },
      fault: fault ? { code: fault.code, detail: fault.message, keptAt: fault.keptAt } : null,
      version: options.version ?? '0.0.0',
    };
  };
  // Many changes can land in one tick (a batch of results, several reader statuses): send one status.
  const publishStatus = (): void => {
    if (statusQueued) return;
    statusQueued = true;
    setImmediate(() => {
      statusQueued = false;
      router.publish('station.status', status());
    });
  };

  const openTheStore = (): void => {
    try {
      store = openStore(dbPath, clock, options.migrationsDir ? { migrationsDir: options.migrationsDir } : {});
      fault = null;
    } catch (err) {
      if (!(err instanceof StoreFault)) throw err;
      fault = err;
      store = null;
      log.error({ code: err.code, keptAt: err.keptAt, err: err.message }, 'store: cannot open the station database');
      return;
    }
    const s = store;
    if (!s.settings.get().backendUrl) {
      if (s.roster.counts().cards === 0) {
        seedDemoSchool(s, photos, clock, options.demoStudents ?? 30);
        log.info('store: seeded the demo school');
      }
      ensureDemoMenu(s, clock);
    }
    s.outbox.onChange(publishStatus);
  };

  const requireStore = (): Store => {
    if (!store) throw new DomainError('unavailable', fault?.code ?? 'store_unavailable', 'the station database is not available');
    return store;
  };

  const resolveCard = (read: CardRead): CardPresented => {
    const s = requireStore();
    const found = s.roster.lookupCard(read);
    return {
      read,
      card: found ? { status: found.card.status, validUntil: found.card.validUntil } : null,
      holder: found?.holder ?? null,
      randomUid: isRandomUid(read),
    };
  };

  const cashier = wireCashier(router, {
    store: () => store,
    clock,
    log,
    isOnline: () => status().sync.state !== 'offline',
    exportDir: join(options.dataDir, 'exports'),
  });

  const guard = wireGuard(router, { store: () => store, clock, log, exportDir: join(options.dataDir, 'exports') });

  readers.on('status', publishStatus);
  readers.on('card', (read) => {
    if (!store) return;
    // Guard mode: every reader but a cashier's serves the turnstile (a role-less one is refused with a note for IT).
    if (store.settings.get().mode === 'guard' && read.role !== 'cashier') guard.onCard(read);
    // The on-screen demo reader feeds the till whenever the station is in cashier mode.
    const demoTill = store.settings.get().mode === 'cashier' && readers.get(read.readerId)?.kind === 'simulated';
    if (read.role === 'cashier' || demoTill) cashier.onCard(read);
    try {
      router.publish('card.presented', resolveCard(read));
    } catch (err) {
      log.error({ err, reader: read.readerId }, 'card: lookup failed');
    }
  });

  router.handle('station.getStatus', () => status());
  router.handle('settings.get', () => requireStore().settings.get());
  router.handle('settings.update', async (patch) => {
    const s = requireStore();
    const before = s.settings.get();
    const next = s.settings.update(patch);
    if (JSON.stringify(before.readers) !== JSON.stringify(next.readers)) await readers.configure(next.readers);
    log.info({ changed: Object.keys(patch) }, 'settings updated');
    publishStatus();
    return next;
  });
  router.handle('station.startEmptyAfterFault', async () => {
    if (!fault) return status();
    log.warn({ keptAt: fault.keptAt }, 'store: IT chose to start with an empty store');
    clearStoreFault(dbPath);
    openTheStore();
    if (store) await readers.configure((store as Store).settings.get().readers);
    publishStatus();
    return status();
  });
  router.handle('demo.listCards', () =>
    requireStore()
      .roster.listCardsWithHolders(200)
      .flatMap((c) => (c.holder ? [{ technology: c.card.technology, uid: c.card.uid, status: c.card.status, holder: c.holder }] : [])),
  );
  router.handle('demo.tap', ({ readerId, technology, uid }) => {
    const reader = readers.get(readerId);
    if (!(reader instanceof SimulatedReader)) throw new DomainError('not_found', 'no_simulated_reader', `no simulated reader "${readerId}"`);
    reader.tap(technology, uid, new Date(clock.now()));
    return { ok: true as const };
  });

  openTheStore();
  if (store) await readers.configure((store as Store).settings.get().readers);

  return {
    router,
    photos,
    readers,
    store: () => store,
    status,
    close: async () => {
      await readers.stop();
      await guard.close();
      store?.close();
      store = null;
    },
  };
}
