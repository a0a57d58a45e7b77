import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isRandomUid } from '../common/card-id.ts';
import { bridgeContract, type CardPresented, type EnrollFailure, type KeptAsideFile, type StationStatus } from '../common/contract/index.ts';
import { DEFAULT_SCHOOL_SETTINGS, type SyncErrorCode, type SyncStatus } from '../common/sync-api.ts';
import type { CardRead } from '../common/readers.ts';
import { createReader } from '../hardware/index.ts';
import { createSyncEngine, type SyncEngine, type SyncEngineOptions } from '../sync/engine.ts';
import { SyncError } from '../sync/errors.ts';
import { fileTokenVault, type TokenVault } from '../sync/token-vault.ts';
import { Router, type Caller } from '../common/contract/router.ts';
import { DomainError } from '../common/errors.ts';
import { wireCashier } from '../core/cashier/wiring.ts';
import { tillOnline } from '../common/till-online.ts';
import { wireGuard } from '../core/guard/wiring.ts';
import { wireHardware } from './hardware-wiring.ts';
import { systemClock, type Clock } from '../common/clock.ts';
import { ensureDemoMenu, ensureDemoSpareCards, seedDemoSchool } from '../core/demo-seed.ts';
import {
  currentBackend,
  EMBEDDED_DEMO,
  heldEvents,
  heldRanges,
  HeldNotFound,
  isDemoBackend,
  releaseHeld,
  setAsideHeld,
  setCurrentBackend,
} from '../core/backend-switch.ts';
import type { ReaderConfig } from '../common/readers.ts';
import { allowedReaders, requireDemo, settleDemoReaders } from './demo-only.ts';
import { silentLogger, type Logger } from '../node/logger.ts';
import { createForeground } from '../core/foreground.ts';
import { PhotoStore } from '../node/photos.ts';
import { secureDataDir } from '../node/data-dir.ts';
import { deriveKey, fileKeyStore, keyDirFor, type KeyStore } from '../node/key-file.ts';
import { pruneExpired } from '../core/retention.ts';
import { cardTag, setCardTagSalt } from '../node/card-tag.ts';
import { ACTIVE_LOGS } from '../node/logger.ts';
import { ReaderHub, type ReaderFactory } from '../core/readers.ts';
import { clearStoreFault, openStore, StoreFault, type Store } from '../core/store/index.ts';
import { foundCard, type CardFound } from '../core/store/roster.ts';
import { createSyncStore } from './sync-store.ts';
import { ItAccess, settingChanges } from './it-access.ts';
import { pinSeal } from '../core/pin-seal.ts';
import { PinAttempts, StaffPins } from '../core/staff-pin.ts';

export interface StationOptions {
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  migrationsDir?: string;
  readerFactory?: ReaderFactory;
  /** Students in the embedded demo school seeded into an empty store with no backend (default 30). */
  demoStudents?: number;
  version?: string;
  /**
   * Where the backend token is kept. Default: `backend-token.json` in the data folder, file mode 600
   * (browser host). The Electron shell keeps it encrypted with safeStorage (main/token-vault.ts).
   */
  vault?: TokenVault;
  /**
   * A backend given by whoever starts the station (STATION_BACKEND_URL, STATION_ENROLLMENT_CODE):
   * it becomes the backend setting before the demo school would be seeded, and with a code the station
   * enrolls itself unless it already holds a token for that address.
   */
  backend?: { url: string; code?: string | null };
  /**
   * Where the station's secret keys come from (the `data` key opens the database and the portraits and
   * seals the PIN hashes, core/pin-seal.ts).
   * Default: key files beside the data folder (node/key-file.ts), as the browser host keeps them; the
   * Electron shell hands over keys it keeps with safeStorage.
   */
  keys?: KeyStore;
  /** Sync engine tuning (tests): pull interval, timeouts, backoff. */
  sync?: Pick<SyncEngineOptions, 'pullIntervalMs' | 'timeoutMs' | 'backoff'>;
  /** How long an IT session lasts without a guarded request (default station/it-access.ts IT_IDLE_MS). */
  itIdleMs?: number;
}

export interface Station {
  readonly router: Router;
  readonly photos: PhotoStore;
  readonly readers: ReaderHub;
  /** IT's sessions: who may change the station, and the record of what they changed. */
  readonly it: ItAccess;
  /** Null until the store is open (or while it is in a fault). */
  sync(): SyncEngine | null;
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
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const tightened = secureDataDir(options.dataDir);
  if (tightened > 0) log.warn({ tightened }, 'store: the data folder had files or folders other users could read; now 0600/0700');
  const dataKey = (options.keys ?? fileKeyStore(keyDirFor(options.dataDir))).key('data');
  setCardTagSalt(deriveKey(dataKey, 'card tags'));
  const photos = new PhotoStore(join(options.dataDir, 'photos'), deriveKey(dataKey, 'photos'));
  const sealed = photos.sealPlainFiles();
  if (sealed > 0) log.info({ sealed }, 'store: encrypted portrait files left plain by an older version');
  // A tap makes the sync engine's pull give way for a moment (core/foreground.ts).
  const foreground = createForeground();
  const router = new Router(bridgeContract, log);
  const readers = new ReaderHub(options.readerFactory ?? ((config) => createReader(config, { log: log.child({ area: 'hardware' }) })), log);
  let store: Store | null = null;
  let fault: StoreFault | null = null;
  let statusQueued = false;
  let engine: SyncEngine | null = null;
  let offEngine: (() => void) | null = null;
  const vault = options.vault ?? fileTokenVault(join(options.dataDir, 'backend-token.json'));
  const seal = pinSeal(dataKey);
  // One count of wrong PINs and one queue for the whole station: the till, the guard post and setup.
  const pinAttempts = new PinAttempts(log.child({ area: 'pin' }));
  let pinsOf: { store: Store; pins: StaffPins } | null = null;
  const staffPins = (s: Store): StaffPins => {
    if (pinsOf?.store !== s) pinsOf = { store: s, pins: new StaffPins(s.roster, log.child({ area: 'pin' }), Date.now, pinAttempts) };
    return pinsOf.pins;
  };
  // Credentials the vault holds right now (the engine loads them itself; this is for decisions here).
  let enrolledUrl: string | null = null;
  const idleSync = (): SyncStatus => ({
    state: 'not_configured',
    backendUrl: null,
    stationId: null,
    needsEnrollment: false,
    lastSyncAt: null,
    lastErrorCode: null,
    lastError: null,
    eventsWaiting: store ? store.outbox.pendingCount(heldRanges(store)) : 0,
    needsAttention: 0,
    clockOffsetMs: clock.offsetMs(),
    clockWarning: false,
    progress: null,
  });
  const syncStatus = (backendUrl: string | null): SyncStatus => {
    const s = engine?.status() ?? idleSync();
    // A backend is set but the station holds no token for it: IT must enroll (setup screen).
    if (backendUrl && s.state === 'not_configured') return { ...s, backendUrl, needsEnrollment: true };
    return s;
  };

  const status = (): StationStatus => {
    const settings = store?.settings.get();
    return {
      readers: readers.statuses(),
      sync: syncStatus(settings?.backendUrl ?? null),
      fault: fault ? { code: fault.code, detail: fault.message, keptAt: fault.keptAt } : null,
      version: options.version ?? '0.0.0',
      demo: store ? isDemoBackend(store) : false,
      heldEvents: store ? heldEvents(store) : [],
      school: store?.syncState.schoolSettings() ?? DEFAULT_SCHOOL_SETTINGS,
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
      store = openStore(dbPath, clock, {
        key: deriveKey(dataKey, 'database'),
        pinSeal: seal,
        ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}),
      });
      fault = null;
    } catch (err) {
      if (!(err instanceof StoreFault)) throw err;
      fault = err;
      store = null;
      log.error({ code: err.code, keptAt: err.keptAt, err: err.message }, 'store: cannot open the station database');
      return;
    }
    const s = store;
    const dropped = s.settings.droppedFields();
    if (dropped.length > 0) log.warn({ fields: dropped }, 'store: stored settings had fields that did not validate; those are read as their defaults');
    const given = options.backend;
    if (given && s.settings.get().backendUrl !== given.url) {
      s.settings.update({ backendUrl: given.url });
      log.info({ backendUrl: given.url }, 'sync: backend given at start');
    }
    const known = currentBackend(s);
    // No backend, never enrolled: the station runs the embedded demo school (a station from before
    // backends had an identity learns it here).
    if (!known && !s.settings.get().backendUrl && !enrolledUrl) setCurrentBackend(s, EMBEDDED_DEMO);
    // The demo school is never seeded over a real school's data (IT cleared the backend address).
    if (!s.settings.get().backendUrl && isDemoBackend(s)) {
      if (s.roster.counts().cards === 0) {
        seedDemoSchool(s, photos, clock, options.demoStudents ?? 30);
        log.info('store: seeded the demo school');
      }
      ensureDemoMenu(s, clock);
      ensureDemoSpareCards(s);
    }
    settleDemoReaders(s, log, { offerDemoReader: !known && isDemoBackend(s) });
    s.outbox.onChange(publishStatus);
    prune();
    startSync(s);
  };

  // Retention (core/retention.ts): at start and every few hours, what is older than the school's period goes.
  const prune = (): void => {
    if (!store) return;
    try {
      const r = pruneExpired(store, clock, { folders: [join(options.dataDir, 'exports'), join(options.dataDir, 'logs')], keep: ACTIVE_LOGS });
      if (r.rows + r.files > 0) log.info({ rows: r.rows, files: r.files, before: r.cutoff }, 'store: deleted what is older than the retention period');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'store: the retention sweep failed; it runs again later');
    }
  };
  const pruneTimer = setInterval(prune, 6 * 3_600_000);
  pruneTimer.unref();

  function startSync(s: Store): void {
    const syncLog = log.child({ area: 'sync' });
    engine = createSyncEngine({
      store: createSyncStore(
        s,
        photos,
        syncLog,
        () => {
          // A backend learnt or changed: its school decides whether the demo reader may exist.
          settleDemoReaders(s, log, { offerDemoReader: true });
          // Readers the settings name but the school did not allow (a simulated one before a demo backend was known) start now, and the reverse.
          if (JSON.stringify(allowedReaders(s, s.settings.get().readers)) !== JSON.stringify(appliedReaders)) void configureReaders(s.settings.get().readers);
          publishStatus();
        },
        (people) => {
          // Pupils or staff who left: the guard post's screens must stop naming them now, not at the next restart.
          try {
            if (s.settings.get().mode === 'guard') guard.current()?.peopleRemoved(people.map((p) => p.id));
          } catch (err) {
            log.error({ err }, 'guard: telling the screens of removed people failed');
          }
        },
      ),
      clock,
      vault,
      logger: syncLog,
      giveWay: () => foreground.giveWay(),
      ...options.sync,
    });
    offEngine = engine.onChange(publishStatus);
    // The school's other stations: their passes reach the guard post's counters and roll call (the
    // till reads its figures from the store at each sale).
    const offDay = engine.onSchoolDay((fresh) => {
      if (!fresh.length) return;
      try {
        if (s.settings.get().mode === 'guard') guard.current()?.schoolFacts(fresh);
      } catch (err) {
        log.error({ err }, 'guard: merging the other posts’ passes failed');
      }
    });
    const offStatus = offEngine;
    offEngine = () => {
      offStatus();
      offDay();
    };
    engine.start();
    void vault.load().then(async (creds) => {
      enrolledUrl = creds?.baseUrl ?? null;
      const given = options.backend;
      if (!given?.code || sameUrl(enrolledUrl, given.url)) return;
      const r = await enroll(given.url, given.code);
      if (!r.ok) log.error({ backendUrl: given.url, reason: r.reason, detail: r.detail }, 'sync: could not enroll with the code given at start');
    });
  }

  async function stopSync(): Promise<void> {
    const e = engine;
    engine = null;
    offEngine?.();
    offEngine = null;
    if (!e) return;
    await e.stop();
    e.dispose();
  }

  const enrollFailure = (code: SyncErrorCode): EnrollFailure =>
    code === 'invalid_code' || code === 'unauthorized'
      ? 'bad_code'
      : code === 'network'
        ? 'unreachable'
        : code === 'store_error'
          ? 'store_error'
          : code === 'wrong_backend'
            ? 'bad_reply'
            : code;

  async function enroll(backendUrl: string, code: string): Promise<{ ok: true; status: SyncStatus } | { ok: false; reason: EnrollFailure; detail: string }> {
    const s = requireStore();
    const e = engine;
    if (!e) throw new DomainError('unavailable', 'sync_unavailable', 'the sync engine is not running');
    // The engine is held while the backend changes hands: no push, page or portrait of the old backend
    // lands after its data was removed (core/backend-switch.ts), and nothing of it goes to the new one.
    await e.stop();
    try {
      await e.enroll(backendUrl, code, s.settings.get().stationName);
    } catch (err) {
      e.start();
      const se = err instanceof SyncError ? err : new SyncError('store_error', err instanceof Error ? err.message : String(err));
      log.warn({ backendUrl, code: se.code, err: se.message }, 'sync: enrollment failed');
      return { ok: false, reason: enrollFailure(se.code), detail: se.message };
    }
    e.start();
    const url = e.status().backendUrl ?? backendUrl;
    enrolledUrl = url;
    if (s.settings.get().backendUrl !== url) s.settings.update({ backendUrl: url });
    await readerWork;
    publishStatus();
    return { ok: true, status: syncStatus(url) };
  }

  // Reader changes in order, so a caller can wait for the last one (enrollment waits before it answers).
  let readerWork: Promise<void> = Promise.resolve();
  let appliedReaders: ReaderConfig[] = [];
  const configureReaders = (list: readonly ReaderConfig[]): Promise<void> => {
    const s = store;
    const run = () => {
      appliedReaders = s ? allowedReaders(s, list) : list.filter((r) => r.kind !== 'simulated');
      return readers.configure(appliedReaders);
    };
    readerWork = readerWork.then(run, run);
    return readerWork;
  };

  const requireStore = (): Store => {
    if (!store) throw new DomainError('unavailable', fault?.code ?? 'store_unavailable', 'the station database is not available');
    return store;
  };

  const resolveCard = (read: CardRead, lookup: CardFound): CardPresented => {
    const found = foundCard(lookup);
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
    // The sync engine's view: a sale made while it cannot reach the backend is flagged offline and capped.
    isOnline: () => tillOnline(syncStatus(store?.settings.get().backendUrl ?? null)),
    exportDir: join(options.dataDir, 'exports'),
    portrait: (hash) => photos.dataUrl(hash),
    pins: staffPins,
  });

  const guard = wireGuard(router, {
    store: () => store,
    clock,
    log,
    exportDir: join(options.dataDir, 'exports'),
    portrait: (hash) => photos.dataUrl(hash),
    pins: staffPins,
  });
  const it = new ItAccess({
    router,
    store: () => store,
    staffPins: () => (store ? staffPins(store) : null),
    attempts: pinAttempts,
    seal,
    setupPinPath: join(options.dataDir, 'setup-pin.json'),
    clock,
    log: log.child({ area: 'it' }),
    ...(options.itIdleMs ? { idleMs: options.itIdleMs } : {}),
  });
  // The relay test is a manual open of the gate by the IT person whose session this is.
  wireHardware(router, { readers, log, testRelay: (direction, caller) => guard.testRelay(direction, it.require(caller).operatorId) });

  readers.on('status', publishStatus);
  readers.on('card', (read) => {
    foreground.touch();
    if (!store) return;
    // One lookup per tap: the guard post, the till and the screen's card.presented all see the same row.
    let found: CardFound | undefined;
    try {
      found = store.roster.lookupCard(read);
    } catch (err) {
      log.error({ err, reader: read.readerId }, 'card: lookup failed');
    }
    // Setup is open (an IT session): a tap is a test that shows the card's forms; never a pass or a sale.
    if (it.anyOpen()) {
      log.info({ reader: read.readerId }, 'card: test tap in setup (not a pass, not a sale)');
      if (found !== undefined) router.publish('card.presented', resolveCard(read, found));
      return;
    }
    // Guard mode: every reader but a cashier's serves the turnstile (a role-less one is refused with a note for IT).
    if (store.settings.get().mode === 'guard' && read.role !== 'cashier') guard.onCard(read, found);
    // The on-screen demo reader feeds the till whenever the station is in cashier mode.
    const demoTill = store.settings.get().mode === 'cashier' && readers.get(read.readerId)?.kind === 'simulated';
    if (read.role === 'cashier' || demoTill) cashier.onCard(read, found);
    if (found !== undefined) router.publish('card.presented', resolveCard(read, found));
  });

  router.handle('station.getStatus', () => status());
  router.handle('station.cardTag', (card) => ({ tag: cardTag(card) }));
  // A damaged database kept aside (core/store/db.ts) is `station.db.db_corrupt-<time>` with its -wal/-shm.
  const keptAside = (): KeptAsideFile[] =>
    readdirSync(options.dataDir)
      .filter((n) => /^station\.db\.db_corrupt-[\w-]+$/.test(n))
      .map((name) => {
        const st = statSync(join(options.dataDir, name));
        return { name, bytes: st.size, modifiedAt: st.mtime.toISOString() };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  router.handle('store.keptAside', () => keptAside());
  router.handle('store.deleteKeptAside', ({ name }) => {
    if (!keptAside().some((f) => f.name === name)) throw new DomainError('not_found', 'kept_aside_not_found', 'no such kept-aside database');
    if (fault?.keptAt && basename(fault.keptAt) === name) throw new DomainError('conflict', 'kept_aside_in_use', 'the station is still showing this fault');
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(options.dataDir, name + suffix), { force: true });
    log.warn({ name }, 'store: IT deleted a kept-aside damaged database');
    return keptAside();
  });
  router.handle('hardware.cardAmbiguity', () => requireStore().roster.cardAmbiguity());
  router.handle('settings.get', () => requireStore().settings.get());
  router.handle('settings.update', async (patch, caller) => {
    const who = it.require(caller, 'settings.update');
    const s = requireStore();
    const before = s.settings.get();
    if ((patch as { readers?: { kind?: unknown }[] }).readers?.some((r) => r?.kind === 'simulated'))
      requireDemo(s, log, 'settings.update (a simulated reader)');
    const next = s.settings.update(patch);
    const changes = settingChanges(before, next);
    if (changes.length > 0) it.record(who, 'settings', changes);
    if (JSON.stringify(before.readers) !== JSON.stringify(next.readers)) await configureReaders(next.readers);
    // Another backend (or none): the token was for the old one; the station waits to be enrolled again.
    if (before.backendUrl !== next.backendUrl && enrolledUrl && !sameUrl(enrolledUrl, next.backendUrl)) {
      await engine?.forget();
      enrolledUrl = null;
      log.warn({ from: before.backendUrl, to: next.backendUrl }, 'sync: backend changed; the station must be enrolled again');
    }
    log.info({ changed: Object.keys(patch) }, 'settings updated');
    // On the next turn, as the status is: the window that asked gets its answer before the event.
    setImmediate(() => router.publish('settings.changed', next));
    publishStatus();
    return next;
  });
  router.handle('station.startEmptyAfterFault', async (_input, caller) => {
    const who = it.require(caller, 'station.startEmptyAfterFault');
    if (!fault) return status();
    const was = fault;
    log.warn({ keptAt: fault.keptAt }, 'store: IT chose to start with an empty store');
    clearStoreFault(dbPath);
    await stopSync();
    openTheStore();
    it.record(who, 'fault_recovery', [{ setting: 'database', from: was.code, to: 'empty' }], store ? 'started_empty' : 'still_faulty');
    if (store) await configureReaders((store as Store).settings.get().readers);
    publishStatus();
    return status();
  });
  const requireSync = (): SyncEngine => {
    requireStore();
    if (!engine) throw new DomainError('unavailable', 'sync_unavailable', 'the sync engine is not running');
    return engine;
  };
  router.handle('sync.enroll', async ({ backendUrl, code }, caller) => {
    const who = it.require(caller, 'sync.enroll');
    // A station that can be opened only through a school's roster could be locked out by it: IT sets the
    // station's own setup PIN before the station leaves the demo school or changes backend.
    if (!it.setupPinSet())
      throw new DomainError(
        'refused',
        'setup_pin_missing',
        'задайте ПИН-код настройки станции перед подключением / set the station setup PIN before enrolling',
      );
    const from = requireStore().settings.get().backendUrl;
    const r = await enroll(backendUrl, code);
    // The code is a secret: the event says which backend, and how it went.
    it.record(who, 'enroll', [{ setting: 'backendUrl', from, to: backendUrl }], r.ok ? 'enrolled' : r.reason);
    return r;
  });
  router.handle('sync.now', async () => {
    await requireSync().syncNow();
    return status().sync;
  });
  router.handle('sync.status', () => status().sync);
  router.handle('sync.attention', ({ limit }) => requireSync().attention(limit));
  router.handle('sync.clearAttention', ({ id }) => {
    requireSync().clearAttention(id);
    return { ok: true as const };
  });

  const heldDecision = <T>(fn: (s: Store) => T): T => {
    const s = requireStore();
    try {
      const out = fn(s);
      publishStatus();
      return out;
    } catch (err) {
      if (err instanceof HeldNotFound) throw new DomainError('not_found', 'no_held_events', err.message);
      throw err;
    }
  };
  // Who decided is the IT session's holder: a staff id, or the station's setup PIN.
  const decider = (caller: Caller, name: string): string => it.require(caller, name).operatorId ?? 'setup_pin';
  router.handle('sync.releaseHeld', ({ backendId }, caller) => heldDecision((s) => releaseHeld(s, backendId, decider(caller, 'sync.releaseHeld'), log)));
  router.handle('sync.setAsideHeld', ({ backendId }, caller) =>
    heldDecision((s) =>
      setAsideHeld(s, backendId, decider(caller, 'sync.setAsideHeld'), join(options.dataDir, 'exports'), new Date(clock.now()).toISOString(), log),
    ),
  );

  router.handle('demo.listCards', () => {
    const s = requireStore();
    requireDemo(s, log, 'demo.listCards');
    return s.roster
      .listCardsWithHolders(200)
      .flatMap((c) => (c.holder ? [{ technology: c.card.technology, uid: c.card.uid, status: c.card.status, holder: c.holder }] : []));
  });
  router.handle('demo.tap', ({ readerId, technology, uid }) => {
    requireDemo(requireStore(), log, 'demo.tap');
    const reader = readers.get(readerId);
    if (!reader?.tap) throw new DomainError('not_found', 'no_simulated_reader', `no simulated reader "${readerId}"`);
    reader.tap(technology, uid, new Date(clock.now()));
    return { ok: true as const };
  });

  // Known before the store opens: a station enrolled with a backend is not the embedded demo school.
  enrolledUrl = (await vault.load())?.baseUrl ?? null;
  openTheStore();
  if (store) await configureReaders((store as Store).settings.get().readers);

  return {
    router,
    photos,
    readers,
    it,
    sync: () => engine,
    store: () => store,
    status,
    close: async () => {
      clearInterval(pruneTimer);
      await stopSync();
      await readers.stop();
      await guard.close();
      store?.close();
      store = null;
    },
  };
}

function sameUrl(a: string | null, b: string | null): boolean {
  const norm = (u: string | null) => (u ? u.replace(/\/+$/, '') : null);
  return norm(a) === norm(b);
}
