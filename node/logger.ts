import { renameSync, statSync } from 'node:fs';
import { pino } from 'pino';
import type { Logger } from '../common/logger.ts';

export type { Logger } from '../common/logger.ts';

/**
 * Log lines for IT: JSON to a file in the data folder (and stderr when asked), one line per fact.
 * `STATION_LOG_LEVEL` sets the level (default info).
 */
export function createLogger(options: { file?: string; level?: string; name?: string } = {}): Logger {
  const level = options.level ?? process.env.STATION_LOG_LEVEL ?? 'info';
  if (!options.file) return pino({ name: options.name ?? 'station', level }, pino.destination(2));
  const file = options.file;
  rotateIfOlder(file, dayOf(Date.now()));
  const destination = pino.destination({ dest: file, mkdir: true, sync: false, mode: 0o600 });
  // One file per day: yesterday's is renamed `<name>-<day>.log` and the retention sweep deletes it later.
  let day = dayOf(Date.now());
  const timer = setInterval(() => {
    const today = dayOf(Date.now());
    if (today === day) return;
    if (rotateIfOlder(file, today)) destination.reopen();
    day = today;
  }, 60_000);
  timer.unref();
  return pino({ name: options.name ?? 'station', level }, destination);
}

/** The log files being written (the retention sweep leaves them; rotated ones are dated). */
export const ACTIVE_LOGS: readonly string[] = ['station.log', 'host.log', 'main.log'];

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Renames a log last written before `today` to `<name>-<its day>.log`; true when it did. */
function rotateIfOlder(file: string, today: string): boolean {
  let written: string;
  try {
    written = dayOf(statSync(file).mtimeMs);
  } catch {
    return false;
  }
  if (written >= today) return false;
  try {
    renameSync(file, file.replace(/\.log$/, '') + `-${written}.log`);
    return true;
  } catch {
    return false;
  }
}

/** A logger that drops everything, for benchmarks and tests that assert on behaviour instead. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
