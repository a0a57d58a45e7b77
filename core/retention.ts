/**
 * Retention: what the station keeps about children is kept only as long as the school says
 * (`retentionDays`, a school setting from the backend, 30 days by default). Events the backend
 * acknowledged, the pass log, the till's debits, refusals and shift reports, duties and emergencies,
 * roll-call exports and rotated logs older than that are deleted. An event still waiting to be sent, or an
 * anomaly nobody has looked at yet, is never deleted: nothing accepted is lost.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../common/clock.ts';
import { schoolDate } from '../common/school-time.ts';
import { SchoolSettings } from '../common/sync-api.ts';
import type { Store } from './store/index.ts';

export const DEFAULT_RETENTION_DAYS = SchoolSettings.parse({}).retentionDays;
const DAY_MS = 86_400_000;

export function retentionDays(store: Store): number {
  return store.syncState.schoolSettings().retentionDays;
}

export interface RetentionResult {
  cutoff: string;
  rows: number;
  files: number;
}

/**
 * Deletes what is older than the retention period by `clock`. `folders` are swept for files last
 * written before the cutoff (exports, rotated logs); a name in `keep` (the log being written) stays.
 */
export function pruneExpired(
  store: Store,
  clock: Clock,
  options: { days?: number; folders?: readonly string[]; keep?: readonly string[] } = {},
): RetentionResult {
  const school = store.syncState.schoolSettings();
  const days = options.days ?? school.retentionDays;
  const cutoffMs = clock.now() - days * DAY_MS;
  const cutoff = new Date(cutoffMs).toISOString();
  const cutoffDate = schoolDate(cutoffMs, school.timeZone);
  const rows = store.db.transaction(
    () =>
      // The till's and the post's own rows first: they are the ones that point at outbox events.
      store.ledger.pruneBefore(cutoffDate, cutoff) +
      store.shifts.pruneClosedBefore(cutoff) +
      store.passes.pruneBefore(cutoffDate) +
      store.guardLog.pruneBefore(cutoff) +
      store.outbox.pruneAcknowledged(cutoff),
  )();
  let files = 0;
  const keep = new Set(options.keep ?? []);
  for (const folder of options.folders ?? []) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue; // not made yet
    }
    for (const name of names) {
      if (keep.has(name)) continue;
      const path = join(folder, name);
      try {
        const st = statSync(path);
        if (st.isFile() && st.mtimeMs < cutoffMs) {
          rmSync(path, { force: true });
          files++;
        }
      } catch {
        // gone meanwhile
      }
    }
  }
  return { cutoff, rows, files };
}
