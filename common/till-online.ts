import type { SyncStatus } from './sync-api.ts';

/**
 * Whether the till sells "online" (the sale is not flagged offline and the offline cap does not
 * apply), from the sync engine's status:
 * - `online`, or `syncing` (a cycle is under way and the backend is answering): online.
 * - `offline` (the last exchange failed; the engine is retrying): offline.
 * - `not_configured` with no backend at all (a standalone or demo station, whose store is the only
 *   book): online, there is no server to be cut off from.
 * - a backend is set but the station holds no token for it, or the backend refused the token
 *   (`needsEnrollment`): offline, nothing the till sells reaches the server until IT enrolls it.
 */
export function tillOnline(sync: Pick<SyncStatus, 'state' | 'backendUrl' | 'needsEnrollment'>): boolean {
  if (sync.needsEnrollment) return false;
  switch (sync.state) {
    case 'online':
    case 'syncing':
      return true;
    case 'offline':
      return false;
    case 'not_configured':
      return sync.backendUrl === null;
  }
}
