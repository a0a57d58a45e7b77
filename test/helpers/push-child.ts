/**
 * A station process for the SIGKILL test: opens the station's SQLite file, runs the sync engine on it
 * and prints one JSON line per status change; exits 0 once the outbox is empty and the backend answered.
 *   node test/helpers/push-child.ts STATION_DIR
 */
import { systemClock } from '../../common/clock.ts';
import { createSyncEngine } from '../../sync/engine.ts';
import { fileTokenVault } from '../../sync/token-vault.ts';
import { openStation } from './sync-rig.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: push-child.ts STATION_DIR');
const station = openStation(dir, systemClock());
const engine = createSyncEngine({
  store: station.syncStore,
  clock: station.clock,
  vault: fileTokenVault(station.vaultPath),
  timeoutMs: 1500,
  batchSize: 200,
  pullIntervalMs: 600_000,
  backoff: { baseMs: 20, maxMs: 200 },
});
engine.onChange((s) => {
  process.stdout.write(`${JSON.stringify({ state: s.state, waiting: s.eventsWaiting, error: s.lastErrorCode })}\n`);
  if (s.state === 'online' && s.eventsWaiting === 0) {
    void engine.stop().then(() => {
      station.store.close();
      process.exit(0);
    });
  }
});
engine.start();
