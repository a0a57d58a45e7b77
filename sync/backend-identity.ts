/**
 * How a station checks that it is talking to the backend its data belongs to (common/sync-api.ts
 * BackendIdentity): every roster page and push reply names its backend, and one that is not the
 * station's stops the sync until IT enrolls the station again.
 */
import type { BackendIdentity } from '../common/sync-api.ts';
import type { SyncStore } from './store.ts';
import { SyncError } from './errors.ts';

const LEGACY_PREFIX = 'url:';

/** An older backend names no identity: it is known by its address until it does. */
export function legacyIdentity(baseUrl: string, schoolName: string): BackendIdentity {
  return { id: `${LEGACY_PREFIX}${baseUrl.replace(/\/+$/, '')}`.slice(0, 100), schoolName, demo: false };
}

export function isLegacyIdentity(identity: BackendIdentity): boolean {
  return identity.id.startsWith(LEGACY_PREFIX);
}

/**
 * A reply from `seen`: fine when it is the station's backend; learnt when the station knew none (or only
 * an address); otherwise a SyncError('wrong_backend') and nothing of the reply is taken.
 */
export function checkBackend(store: SyncStore, seen: BackendIdentity | undefined, what: string): void {
  if (!seen) return;
  const mine = store.backend();
  if (mine && mine.id === seen.id) {
    if (mine.demo !== seen.demo || mine.schoolName !== seen.schoolName) store.learnBackend(seen);
    return;
  }
  if (!mine || isLegacyIdentity(mine)) {
    store.learnBackend(seen);
    return;
  }
  throw new SyncError(
    'wrong_backend',
    `${what}: the backend at this address is another one (${seen.id}, school "${seen.schoolName}") than the station's (${mine.id}, school "${mine.schoolName}"); enroll the station again`,
  );
}
