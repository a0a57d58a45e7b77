import { pino } from 'pino';

/** What drivers log through: pino's shape, so the station passes its own logger (or a child of it). */
export interface HardwareLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

let fallback: HardwareLog | null = null;

/** Used when a driver is built without a logger: JSON lines on stderr, level from STATION_LOG_LEVEL. */
export function defaultHardwareLog(): HardwareLog {
  fallback ??= pino({ name: 'hardware', level: process.env.STATION_LOG_LEVEL ?? 'info' }, pino.destination(2));
  return fallback;
}
