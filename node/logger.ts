import { pino } from 'pino';
import type { Logger } from '../common/logger.ts';

export type { Logger } from '../common/logger.ts';

/**
 * Log lines for IT: JSON to a file in the data folder (and stderr when asked), one line per fact.
 * `STATION_LOG_LEVEL` sets the level (default info).
 */
export function createLogger(options: { file?: string; level?: string; name?: string } = {}): Logger {
  const level = options.level ?? process.env.STATION_LOG_LEVEL ?? 'info';
  const destination = options.file ? pino.destination({ dest: options.file, mkdir: true, sync: false, mode: 0o600 }) : pino.destination(2);
  return pino({ name: options.name ?? 'station', level }, destination);
}

/** A logger that drops everything, for benchmarks and tests that assert on behaviour instead. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
