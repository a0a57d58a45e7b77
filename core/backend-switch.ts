/**
 * Which backend the station's data belongs to, and what a change of backend does to it.
 *
 * The station keeps the identity of its backend (common/sync-api.ts BackendIdentity) in its sync state.
 * Enrolled with the same backend again, it keeps everything. Enrolled with another one, the old one's
 * roster, accounts, cards, menu, portraits (files too), spare cards, PIN hashes, figures and cursors
 * go, and the events still waiting for the old one are held: never sent to the new backend unless IT
 * says so (`releaseHeld`, itself an event naming who decided), or kept aside for good (`setAsideHeld`,
 * exported with the reason). Events of a demo school are never anybody else's: they are kept unsent.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { BackendIdentity } from '../common/sync-api.ts';
import type { Logger } from '../common/logger.ts';
import type { PhotoStore } from '../node/photos.ts';
import type { Store } from './store/index.ts';
import type { SeqRange } from './store/outbox.ts';

const BACKEND_KEY = 'backend_identity';
const HELD_KEY = 'held_for_backends';

/** Sync-state keys that describe the old backend's school: they go with its roster. */
const SCHOOL_KEYS = ['roster_cursor', 'school_settings', 'school_day_figures', 'roster_skipped_rows', 'last_sync_at', 'day_cursor', 'day_heard_at'] as const;

/** The school a station runs with no backend (core/demo-seed.ts): a demo backend of its own. */
export const EMBEDDED_DEMO: BackendIdentity = { id: 'embedded-demo-school', schoolName: 'Демо-школа', demo: true };

const Held = z.object({ backend: BackendIdentity, from: z.number().int(), to: z.number().int(), heldAt: z.string() });
type Held = z.infer<typeof Held>;

/** Events held for IT's decision, per previous backend, as the setup screen shows them. */
export interface HeldEvents {
  backend: BackendIdentity;
  count: number;
  heldAt: string;
}

export function currentBackend(store: Store): BackendIdentity | null {
  const raw = store.syncState.get(BACKEND_KEY);
  if (!raw) return null;
  try {
    const parsed = BackendIdentity.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function setCurrentBackend(store: Store, identity: BackendIdentity): void {
  store.syncState.set(BACKEND_KEY, JSON.stringify(identity));
}

/** The station runs a demo school: the embedded one, or a backend that says it serves one. */
export function isDemoBackend(store: Store): boolean {
  return currentBackend(store)?.demo === true;
}

function holds(store: Store): Held[] {
  const raw = store.syncState.get(HELD_KEY);
  if (!raw) return [];
  try {
    const parsed = z.array(Held).safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

function saveHolds(store: Store, list: readonly Held[]): void {
  store.syncState.set(HELD_KEY, list.length ? JSON.stringify(list) : null);
}

/** The outbox ranges the push must leave alone. */
export function heldRanges(store: Store): SeqRange[] {
  return holds(store).map((h) => ({ from: h.from, to: h.to }));
}

/** What waits for IT's decision (an empty hold, all of whose events were answered meanwhile, is not shown). */
export function heldEvents(store: Store): HeldEvents[] {
  return holds(store)
    .map((h) => ({ backend: h.backend, count: store.outbox.pendingIn(h).length, heldAt: h.heldAt }))
    .filter((h) => h.count > 0);
}

export interface SwitchReport {
  switched: boolean;
  /** Events held for IT's decision. */
  held: number;
  /** Demo events kept unsent. */
  retired: number;
  photosRemoved: number;
}

/**
 * The station is enrolled with `next`. `previousUrl`: the address it was enrolled with before (a
 * station enrolled before backends had an identity is taken to be with the same backend at the same address).
 */
export function switchBackend(
  store: Store,
  photos: PhotoStore,
  next: BackendIdentity,
  urls: { baseUrl: string; previousUrl: string | null },
  at: string,
  log?: Pick<Logger, 'info' | 'warn'>,
): SwitchReport {
  const prev = currentBackend(store);
  const trimmed = (u: string | null) => (u ? u.replace(/\/+$/, '') : null);
  const sameAsBefore = prev ? prev.id === next.id : urls.previousUrl !== null && trimmed(urls.previousUrl) === trimmed(urls.baseUrl);
  const nothingHere = store.roster.counts().cards === 0 && store.outbox.pendingCount() === 0 && store.spares.count() === 0;
  if (sameAsBefore || (!prev && nothingHere)) {
    setCurrentBackend(store, next);
    return { switched: false, held: 0, retired: 0, photosRemoved: 0 };
  }
  // Back with a backend whose events were held: they were made for it, so they simply go again.
  const own = holds(store).filter((h) => h.backend.id === next.id);
  if (own.length)
    saveHolds(
      store,
      holds(store).filter((h) => h.backend.id !== next.id),
    );
  const before = prev ?? { id: 'unknown', schoolName: '', demo: false };
  let held = 0;
  let retired = 0;
  store.db.transaction(() => {
    store.roster.clear();
    store.spares.clear();
    // The other school's day (its posts' passes, its tills' meals, its stations) is not this school's.
    store.schoolDay.clear();
    for (const key of SCHOOL_KEYS) store.syncState.set(key, null);
    const range = store.outbox.pendingRange();
    if (range) {
      // Events held for a backend before that one stay held for it: only the newer ones are this backend's.
      const others = heldRanges(store);
      const mine = { from: Math.max(range.from, ...others.map((o) => o.to + 1)), to: range.to };
      const fresh = mine.from <= mine.to ? store.outbox.pendingIn(mine).length : 0;
      if (fresh > 0 && before.demo) {
        // A made-up pass or sale is nobody's fact: kept here, never sent.
        retired = store.outbox.retirePendingIn(mine, 'demo school event: kept on this station, not sent', 'demo_event');
      } else if (fresh > 0) {
        saveHolds(store, [...holds(store), { backend: before, ...mine, heldAt: at }]);
        held = fresh;
      }
    }
    setCurrentBackend(store, next);
  })();
  // The files after the rows: a crash between the two leaves files nobody lists, never a row without its file.
  const photosRemoved = photos.removeAll();
  log?.warn(
    { from: before.id, to: next.id, held, retired, photosRemoved },
    "sync: enrolled with another backend; the previous backend's roster, accounts, cards, menu, portraits, spare cards and PIN hashes were removed",
  );
  return { switched: true, held, retired, photosRemoved };
}

function takeHold(store: Store, backendId: string): Held {
  const h = holds(store).find((x) => x.backend.id === backendId);
  if (!h) throw new HeldNotFound(backendId);
  return h;
}

export class HeldNotFound extends Error {
  override name = 'HeldNotFound';
  constructor(backendId: string) {
    super(`no events are held for backend ${backendId}`);
  }
}

/**
 * IT decided: the events held for `backendId` go to the backend the station is enrolled with now.
 * The decision is an event of its own, after them, naming who decided.
 */
export function releaseHeld(store: Store, backendId: string, decidedBy: string, log?: Pick<Logger, 'info' | 'warn'>): { released: number } {
  let released = 0;
  store.db.transaction(() => {
    const h = takeHold(store, backendId);
    const events = store.outbox.pendingIn(h);
    released = events.length;
    saveHolds(
      store,
      holds(store).filter((x) => x.backend.id !== backendId),
    );
    if (released > 0) {
      store.outbox.append('held_events_released', {
        fromBackendId: h.backend.id,
        fromSchoolName: h.backend.schoolName,
        count: released,
        firstSeq: events[0]!.seq,
        lastSeq: events[events.length - 1]!.seq,
        decidedBy,
      });
    }
  })();
  log?.warn(
    { fromBackend: backendId, to: currentBackend(store)?.id ?? null, released, decidedBy },
    'sync: IT sent the events held for the previous backend to this one',
  );
  return { released };
}

/**
 * IT decided: the events held for `backendId` are never sent. They are written to a file in `exportDir`
 * (mode 600, with the reason) and kept in the outbox as refused, with the reason, off the push for good.
 */
export function setAsideHeld(
  store: Store,
  backendId: string,
  decidedBy: string,
  exportDir: string,
  at: string,
  log?: Pick<Logger, 'info' | 'warn'>,
): { keptAside: number; file: string | null } {
  const h = takeHold(store, backendId);
  const events = store.outbox.pendingIn(h);
  const reason = `made for the previous backend ${h.backend.id} (school "${h.backend.schoolName}"); kept aside by ${decidedBy} at ${at}, never sent`;
  let file: string | null = null;
  if (events.length > 0) {
    mkdirSync(exportDir, { recursive: true, mode: 0o700 });
    file = join(exportDir, `held-events-${at.replace(/[:.]/g, '-')}.json`);
    const body = {
      reason,
      backend: h.backend,
      decidedBy,
      at,
      events: events.map((e) => ({ id: e.id, seq: e.seq, type: e.type, occurredAt: e.occurredAt, clockOffsetMs: e.clockOffsetMs, payload: e.payload })),
    };
    writeFileSync(file, JSON.stringify(body, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  let keptAside = 0;
  store.db.transaction(() => {
    keptAside = store.outbox.retirePendingIn(h, reason, 'held_other_backend');
    saveHolds(
      store,
      holds(store).filter((x) => x.backend.id !== backendId),
    );
  })();
  log?.warn({ fromBackend: backendId, keptAside, decidedBy, file }, 'sync: IT kept the events held for the previous backend aside; they are never sent');
  return { keptAside, file };
}
