/**
 * Starts the reference backend: SQLite under the data folder by default, PostgreSQL when a database
 * URL is given (or DATABASE_URL is set). `npm start` runs it beside the station.
 */
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { readFileSync } from 'node:fs';
import { buildApp } from './app.ts';
import type { EnrollGuardOptions } from './enroll-guard.ts';
import { Repo } from './repo.ts';
import { openPostgresDatabase } from './storage/postgres.ts';
import type { Database } from './storage/sql.ts';
import { openSqliteDatabase } from './storage/sqlite.ts';

export interface ServerOptions {
  /** Folder for the SQLite file (`server.sqlite`); ignored when a database URL is used. */
  dataDir?: string;
  /** postgres://…; defaults to DATABASE_URL from the environment when no dataDir is given. */
  databaseUrl?: string;
  port?: number;
  host?: string;
  /** A pino logger, or false for none; default: info lines to stderr. */
  logger?: FastifyBaseLogger | false;
  schoolName?: string;
  /** Serve this folder's release channels at /releases/<stable|beta>/ (server/releases/). */
  releasesDir?: string;
  /** PEM files: serve HTTPS instead of HTTP. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  enrollGuard?: EnrollGuardOptions;
  /** A reverse proxy's address to trust for X-Forwarded-For. */
  trustProxy?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  repo: Repo;
  close(): Promise<void>;
}

export async function openServerDatabase(options: Pick<ServerOptions, 'dataDir' | 'databaseUrl'>): Promise<Database> {
  const url = options.databaseUrl ?? (options.dataDir ? undefined : process.env.DATABASE_URL);
  if (url) return openPostgresDatabase(url);
  if (!options.dataDir) throw new Error('give the server a data folder (SQLite) or a PostgreSQL URL (DATABASE_URL)');
  return openSqliteDatabase(join(options.dataDir, 'server.sqlite'));
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const db = await openServerDatabase(options);
  const repo = new Repo(db);
  const logger =
    options.logger === undefined
      ? (pino({ name: 'server', level: process.env.SERVER_LOG_LEVEL ?? 'info' }, pino.destination(2)) as FastifyBaseLogger)
      : options.logger;
  if (!!options.tlsCertFile !== !!options.tlsKeyFile) {
    await db.close();
    throw new Error('HTTPS needs both a certificate (--tls-cert) and its key (--tls-key)');
  }
  let tls: { key: Buffer; cert: Buffer } | undefined;
  try {
    tls = options.tlsCertFile && options.tlsKeyFile ? { cert: readFileSync(options.tlsCertFile), key: readFileSync(options.tlsKeyFile) } : undefined;
  } catch (err) {
    await db.close();
    throw err;
  }
  const { app } = buildApp({
    repo,
    logger,
    ...(options.schoolName ? { schoolName: options.schoolName } : {}),
    ...(options.releasesDir ? { releasesDir: options.releasesDir } : {}),
    ...(options.enrollGuard ? { enrollGuard: options.enrollGuard } : {}),
    ...(tls ? { tls } : {}),
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  const scheme = tls ? 'https' : 'http';
  try {
    await app.listen({ port: options.port ?? 0, host });
  } catch (err) {
    await db.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  if (logger) logger.info({ storage: db.describe, url: `${scheme}://${host}:${port}` }, 'reference server listening');
  return {
    url: `${scheme}://${host}:${port}`,
    port,
    repo,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
