/**
 * Child process for bench/guard.bench.ts: a real roster sync (sync/pull.ts against the reference server)
 * into the station's SQLite file, repeated from an empty cursor until stdin closes, so the guard post
 * is measured while a roster sync writes 5,000 students and their cards page by page.
 * The station process does not run its sync engine yet (wiring pending), so the sync runs beside it in
 * its own process on the same file: same pages, same transactions, same WAL; only the event loop differs.
 *   node bench/guard-roster-load.ts <station.db> <serverUrl> <token>
 */
import { join, dirname } from 'node:path';
import { systemClock } from '../core/clock.ts';
import { PhotoStore } from '../core/photos.ts';
import { openStore } from '../core/store/index.ts';
import { createSyncStore } from '../core/sync-store.ts';
import { createBackendClient } from '../sync/client.ts';
import { pullRoster } from '../sync/pull.ts';

const [dbPath, baseUrl, token] = process.argv.slice(2) as [string, string, string];
const store = openStore(dbPath, systemClock());
const sync = createSyncStore(store, new PhotoStore(join(dirname(dbPath), 'photos')));
const client = createBackendClient({ baseUrl, token });
let stop = false;
process.stdin.on('close', () => (stop = true));
process.stdin.resume();
let rounds = 0;
let rows = 0;
process.stdout.write('ready\n');
while (!stop) {
  sync.setState('roster_cursor', null);
  const r = await pullRoster(client, sync, { pageSize: 500 });
  rows += r.rows;
  rounds++;
}
process.stdout.write(`rounds ${rounds} rows ${rows}\n`);
store.close();
process.exit(0);
