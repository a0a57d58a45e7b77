/**
 * What the station's code needs of a logger: one JSON line per fact for IT, with fields first. pino's
 * logger fits it (node/logger.ts makes one); the type lives here so every layer can take a logger
 * without importing a Node package.
 */
export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

export interface Logger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  debug: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}
