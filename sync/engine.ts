/**
 * The sync engine: one loop that pushes the outbox (promptly after each new event) and pulls the
 * roster, photos and menu (every `pullIntervalMs` and on demand), retrying with backoff and jitter,
 * and publishing a status the station shows in its status bar.
 *
 *   const sync = createSyncEngine({ store: createSyncStore(store, photos), clock, vault, logger });
 *   sync.start(); sync.status(); sync.onChange(cb); await sync.syncNow(); await sync.stop();
 */
import { CLOCK_WARNING_MS, type AttentionItem, type SyncStatus } from '../common/sync-api.ts';
import type { Clock } from '../common/clock.ts';
import { schoolDate } from '../common/school-time.ts';
import type { Logger } from '../common/logger.ts';
import type { SyncStore } from './store.ts';
import { DEFAULT_BACKOFF, retryDelay, type BackoffOptions } from './backoff.ts';
import { createBackendClient, type BackendClient } from './client.ts';
import { SyncError } from './errors.ts';
import { legacyIdentity } from './backend-identity.ts';
import { pullMenu, pullPhotos, pullRoster, SKIPPED_ROWS_KEY, type Progress } from './pull.ts';
import { pushOutbox } from './push.ts';
import { DAY_CURSOR_KEY, DAY_HEARD_KEY, runDayLoop } from './day.ts';
import type { DayReply } from '../common/sync-api.ts';
import type { StationCredentials, TokenVault } from './token-vault.ts';

export interface SyncEngineOptions {
  store: SyncStore;
  clock: Clock;
  vault: TokenVault;
  logger?: Logger;
  /** Pull every this often while online (default 30 s). */
  pullIntervalMs?: number;
  /** Wait this long after a new event before pushing, so a burst goes in one batch (default 50 ms). */
  pushDelayMs?: number;
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  batchSize?: number;
  pageSize?: number;
  photoConcurrency?: number;
  backoff?: BackoffOptions;
  /**
   * Awaited before each roster page and each portrait: the station makes it wait for a moment after a
   * tap, so a long pull never competes with the screen (core/foreground.ts). Default: never waits.
   */
  giveWay?: () => Promise<void>;
  /** Follow the school's other stations (GET /v1/day) beside the roster pull (default true). */
  followSchoolDay?: boolean;
  /** Seconds the backend may hold a school-day poll (default 25). */
  dayWaitSeconds?: number;
  dayBackoff?: BackoffOptions;
}

/** Where the school-day loop stands: whether its last poll was answered, and when. */
export interface SchoolDayStatus {
  connected: boolean;
  lastHeardAt: string | null;
}

export interface SyncEngine {
  start(): void;
  stop(): Promise<void>;
  status(): SyncStatus;
  onChange(listener: (status: SyncStatus) => void): () => void;
  /** Runs a full cycle (push, then pull) as soon as possible; resolves with the status after it. */
  syncNow(): Promise<SyncStatus>;
  /** Backend URL + one-time code → token kept in the vault; a first full sync follows. Throws SyncError. */
  enroll(baseUrl: string, code: string, stationName?: string): Promise<void>;
  /** Forgets the credentials (the station stops syncing until enrolled again). */
  forget(): Promise<void>;
  attention(limit?: number): AttentionItem[];
  clearAttention(id: string): void;
  /** Stops following the outbox (after stop(), when the station shuts down). */
  dispose(): void;
  schoolDay(): SchoolDayStatus;
  /** Called after each school-day reply is merged (with the facts that were new) and when the loop's state changes. */
  onSchoolDay(listener: (fresh: DayReply['facts'], status: SchoolDayStatus) => void): () => void;
}

const noopLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  child: () => noopLogger,
} as unknown as Logger;

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const { store, clock, vault } = options;
  const log = options.logger ?? noopLogger;
  /** Events the backend flagged or refused, and roster rows this station had to skip. */
  const attentionCount = () => store.attentionCount() + (JSON.parse(store.getState(SKIPPED_ROWS_KEY) ?? '[]') as unknown[]).length;
  const pullIntervalMs = options.pullIntervalMs ?? 30_000;
  const pushDelayMs = options.pushDelayMs ?? 50;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;

  let creds: StationCredentials | null = null;
  let credsLoaded = false;
  let client: BackendClient | null = null;
  let running = false;
  let loopDone: Promise<void> | null = null;
  let abort = new AbortController();
  let failures = 0;
  let nextPullAt = 0;
  let forcePull = false;
  let waiters: ((s: SyncStatus) => void)[] = [];
  let wakeUp: (() => void) | null = null;
  let pushTimer: NodeJS.Timeout | null = null;
  const photoSkips = new Set<string>();
  const listeners = new Set<(s: SyncStatus) => void>();
  const dayListeners = new Set<(fresh: DayReply['facts'], status: SchoolDayStatus) => void>();
  let day: { abort: AbortController; done: Promise<void> } | null = null;
  let dayStatus: SchoolDayStatus = { connected: false, lastHeardAt: store.getState(DAY_HEARD_KEY) };
  const dayChanged = (fresh: DayReply['facts'], next: SchoolDayStatus) => {
    const changed = next.connected !== dayStatus.connected;
    dayStatus = next;
    if (!fresh.length && !changed) return;
    for (const l of dayListeners) {
      try {
        l(fresh, dayStatus);
      } catch (err) {
        log.error({ err }, 'school day listener failed');
      }
    }
  };

  async function stopDay(): Promise<void> {
    const d = day;
    day = null;
    if (!d) return;
    d.abort.abort();
    await d.done;
    dayChanged([], { ...dayStatus, connected: false });
  }

  function startDay(): void {
    if (day || !running || !client || options.followSchoolDay === false) return;
    const abortDay = new AbortController();
    const c = client;
    const done = runDayLoop({
      client: c,
      store,
      log,
      signal: abortDay.signal,
      ...(options.dayWaitSeconds !== undefined ? { waitSeconds: options.dayWaitSeconds } : {}),
      ...(options.dayBackoff ? { backoff: options.dayBackoff } : {}),
      ...(options.giveWay ? { giveWay: options.giveWay } : {}),
      onReply: (fresh) => dayChanged(fresh, { connected: true, lastHeardAt: new Date().toISOString() }),
      onError: (e) => {
        dayChanged([], { ...dayStatus, connected: false });
        // The token is refused: the push/pull loop says so and waits for IT; this loop stops asking.
        if (e.code === 'unauthorized') abortDay.abort();
      },
    }).catch((err: unknown) => log.error({ err }, 'school day loop crashed'));
    day = { abort: abortDay, done };
  }

  const offset0 = Number(store.getState('clock_offset_ms') ?? '0');
  if (Number.isFinite(offset0) && offset0 !== 0) clock.setOffsetMs(offset0);

  let current: SyncStatus = {
    state: 'not_configured',
    backendUrl: null,
    stationId: null,
    needsEnrollment: false,
    lastSyncAt: store.getState('last_sync_at'),
    lastErrorCode: null,
    lastError: null,
    eventsWaiting: store.pendingCount(),
    needsAttention: attentionCount(),
    clockOffsetMs: clock.offsetMs(),
    clockWarning: Math.abs(clock.offsetMs()) > CLOCK_WARNING_MS,
    progress: null,
  };

  function update(patch: Partial<SyncStatus>): void {
    const next = { ...current, ...patch };
    if (JSON.stringify(next) === JSON.stringify(current)) return;
    current = next;
    for (const l of listeners) {
      try {
        l(current);
      } catch (err) {
        log.error({ err }, 'sync status listener failed');
      }
    }
  }

  function wake(): void {
    const w = wakeUp;
    wakeUp = null;
    w?.();
  }

  const offOutbox = store.onOutboxChange(() => {
    update({ eventsWaiting: store.pendingCount(), needsAttention: attentionCount() });
    // A new event goes out promptly, unless the backend is failing (then the backoff decides).
    if (!running || failures > 0 || pushTimer || !creds || current.needsEnrollment) return;
    pushTimer = setTimeout(() => {
      pushTimer = null;
      wake();
    }, pushDelayMs);
  });

  function useCredentials(c: StationCredentials | null): void {
    void stopDay();
    client?.close();
    creds = c;
    client = c ? createBackendClient({ baseUrl: c.baseUrl, token: c.token, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) }) : null;
    update({
      backendUrl: c?.baseUrl ?? null,
      stationId: c?.stationId ?? null,
      // Until the first exchange the station is "syncing", not "offline": it has not failed yet.
      state: c ? (current.state === 'not_configured' ? 'syncing' : current.state) : 'not_configured',
    });
    startDay();
  }

  async function syncClock(c: BackendClient, signal: AbortSignal): Promise<void> {
    const t0 = clock.now();
    const t = await c.time(signal);
    const t1 = clock.now();
    // The server read its clock about halfway through the round trip.
    const offset = Math.round(t.epochMs - (t0 + t1) / 2);
    clock.setOffsetMs(offset);
    store.setState('clock_offset_ms', String(offset));
    const warn = Math.abs(offset) > CLOCK_WARNING_MS;
    if (warn && !current.clockWarning) log.warn({ offsetMs: offset }, "the station's clock differs from the backend's");
    update({ clockOffsetMs: offset, clockWarning: warn });
  }

  async function cycle(pull: boolean): Promise<void> {
    const c = client!;
    const signal = abort.signal;
    const first = store.rosterCursor() === null;
    if (pull) await syncClock(c, signal);
    const pushed = await pushOutbox(c, store, { ...(options.batchSize ? { batchSize: options.batchSize } : {}), signal });
    if (pushed.sent > 0) {
      log.info({ ...pushed }, 'events pushed');
      update({ eventsWaiting: store.pendingCount(), needsAttention: attentionCount() });
    }
    if (pull) {
      // Small incremental pulls (a few balances) do not flash "syncing" in the status bar.
      const onProgress = (p: Progress) => {
        if (first || p.total >= 200) update({ state: 'syncing', progress: p });
      };
      if (first) update({ state: 'syncing', progress: { phase: 'roster', done: 0, total: 0 } });
      const giveWay = options.giveWay ? { giveWay: options.giveWay } : {};
      const roster = await pullRoster(c, store, { ...(options.pageSize ? { pageSize: options.pageSize } : {}), signal, onProgress, ...giveWay });
      const photos = await pullPhotos(c, store, { concurrency: options.photoConcurrency ?? 6, signal, onProgress, skip: photoSkips, ...giveWay });
      for (const f of photos.failed) log.warn({ hash: f.hash, error: f.error }, 'photo not fetched');
      // A row the station cannot take is skipped, not the page; IT reads which (ids only, never names).
      for (const r of roster.skipped) log.warn({ kind: r.kind, id: r.id, reason: r.reason }, 'roster row skipped');
      if (roster.skipped.length) update({ needsAttention: attentionCount() });
      // The school's day in its own zone, as the page just pulled says it (the defaults before one has).
      const today = schoolDate(clock.now() + clock.offsetMs(), store.schoolSettings().timeZone);
      await pullMenu(c, store, today, signal);
      if (roster.rows || photos.fetched) log.info({ rows: roster.rows, pages: roster.pages, photos: photos.fetched }, 'roster pulled');
      nextPullAt = Date.now() + pullIntervalMs;
    }
  }

  async function loop(): Promise<void> {
    while (running) {
      if (!credsLoaded) {
        useCredentials(await vault.load());
        credsLoaded = true;
      }
      if (!creds || current.needsEnrollment) {
        update({ progress: null });
        flushWaiters();
        await sleep(Number.POSITIVE_INFINITY);
        continue;
      }
      const pull = forcePull || Date.now() >= nextPullAt;
      forcePull = false;
      let delay: number;
      try {
        await cycle(pull);
        if (!running) break;
        failures = 0;
        const at = new Date().toISOString();
        store.setState('last_sync_at', at);
        update({ state: 'online', lastSyncAt: at, lastErrorCode: null, lastError: null, progress: null });
        delay = Math.max(0, nextPullAt - Date.now());
      } catch (err) {
        if (!running) break;
        const e = err instanceof SyncError ? err : new SyncError('store_error', err instanceof Error ? err.message : String(err), { cause: err });
        failures++;
        delay = retryDelay(failures, e, backoff);
        if (e.code === 'wrong_backend') {
          log.error(
            { error: e.message },
            'the backend at this address is not the one the station is enrolled with: sync stopped until IT enrolls the station again',
          );
          update({ state: 'offline', needsEnrollment: true, lastErrorCode: e.code, lastError: e.message, progress: null });
        } else if (e.code === 'unauthorized') {
          log.warn({ error: e.message }, 'backend refused the token: the station must be enrolled again');
          update({ state: 'offline', needsEnrollment: true, lastErrorCode: e.code, lastError: e.message, progress: null });
        } else {
          log.warn({ code: e.code, error: e.message, failures, retryInMs: delay }, 'sync failed; will retry');
          update({ state: 'offline', lastErrorCode: e.code, lastError: e.message, progress: null });
        }
        if (failures > 0 && !forcePull) nextPullAt = 0; // after a failure, the next good cycle pulls too
      }
      flushWaiters();
      if (store.pendingCount() > 0 && failures === 0) delay = 0;
      await sleep(delay);
    }
    flushWaiters();
  }

  function flushWaiters(): void {
    const w = waiters;
    waiters = [];
    for (const f of w) f(current);
  }

  function sleep(ms: number): Promise<void> {
    if (!running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => wake(), ms) : null;
      wakeUp = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  return {
    start() {
      if (running) return;
      running = true;
      // stop() closed the client's connections: a start after it talks over fresh ones.
      if (creds && loopDone === null && credsLoaded) useCredentials(creds);
      abort = new AbortController();
      loopDone = loop().catch((err: unknown) => {
        log.error({ err }, 'sync loop crashed');
        update({ state: 'offline', lastErrorCode: 'store_error', lastError: err instanceof Error ? err.message : String(err) });
      });
      startDay();
    },
    async stop() {
      running = false;
      abort.abort();
      await stopDay();
      if (pushTimer) clearTimeout(pushTimer);
      pushTimer = null;
      wake();
      await loopDone;
      loopDone = null;
      client?.close();
      flushWaiters();
    },
    status: () => current,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    syncNow() {
      forcePull = true;
      const p = new Promise<SyncStatus>((resolve) => waiters.push(resolve));
      if (!running) flushWaiters();
      else wake();
      return p;
    },
    async enroll(baseUrl, code, stationName = '') {
      const c = createBackendClient({ baseUrl, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
      try {
        const r = await c.enroll(code, stationName);
        const next: StationCredentials = {
          baseUrl: c.baseUrl,
          stationId: r.stationId,
          token: r.token,
          enrolledAt: new Date().toISOString(),
          schoolName: r.schoolName,
        };
        // Another backend's data leaves (or waits for IT) before this one's token is kept.
        store.switchBackend(r.backend ?? legacyIdentity(c.baseUrl, r.schoolName), c.baseUrl, creds?.baseUrl ?? (await vault.load())?.baseUrl ?? null);
        await vault.save(next);
        // A new enrollment may be a different backend: pull the roster from the start (upserts are safe to repeat).
        store.setState('roster_cursor', null);
        store.setState(DAY_CURSOR_KEY, null);
        credsLoaded = true;
        failures = 0;
        forcePull = true;
        photoSkips.clear();
        useCredentials(next);
        // Events held for a previous backend no longer count as waiting for this one.
        update({ needsEnrollment: false, lastErrorCode: null, lastError: null, eventsWaiting: store.pendingCount(), needsAttention: attentionCount() });
        log.info({ baseUrl: c.baseUrl, stationId: r.stationId }, 'station enrolled');
        wake();
      } finally {
        c.close();
      }
    },
    async forget() {
      await vault.clear();
      useCredentials(null);
      update({ needsEnrollment: false });
    },
    attention: (limit = 100) => store.attention(limit),
    clearAttention(id) {
      store.clearAttention(id);
      update({ needsAttention: attentionCount() });
    },
    dispose() {
      offOutbox();
    },
    schoolDay: () => dayStatus,
    onSchoolDay(listener) {
      dayListeners.add(listener);
      return () => dayListeners.delete(listener);
    },
  };
}
