import { chmodSync, closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// SQLite3 Multiple Ciphers: better-sqlite3's API over an SQLite that encrypts every page (SQLCipher 4 format).
import Database from 'better-sqlite3-multiple-ciphers';

export type Db = Database.Database;

/** Where the numbered migration files live; the packaged app passes its own copy. */
export const DEFAULT_MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = DEFAULT_MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => /^\d{3}-[\w-]+\.sql$/.test(f))
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f, sql: readFileSync(join(dir, f), 'utf8') }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 001, 002, … without gaps; found ${m.name}`);
  });
  return migrations;
}

/** Applies every migration newer than the file's user_version, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new StoreFault('db_unreadable', `the database is from a newer station (schema ${current}, this build knows ${migrations.length})`, null);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

export type StoreFaultCode = 'db_corrupt' | 'db_unreadable' | 'disk_full';

/** The store cannot be used; the station says so instead of starting empty. */
export class StoreFault extends Error {
  override name = 'StoreFault';
  readonly code: StoreFaultCode;
  readonly keptAt: string | null;
  constructor(code: StoreFaultCode, message: string, keptAt: string | null) {
    super(message);
    this.code = code;
    this.keptAt = keptAt;
  }
}

/** Case- and ё-insensitive folding for name search (SQLite's LIKE folds ASCII only). */
export function foldText(text: string): string {
  return text.toLocaleLowerCase('ru').replaceAll('ё', 'е');
}

/**
 * Sets the pragmas every connection needs (better-sqlite3 defaults WAL files to NORMAL: force FULL) and
 * registers the SQL functions the repositories' statements use, so no repository depends on another
 * having been built first.
 */
export function configureConnection(db: Db): void {
  db.pragma('journal_mode = WAL');
  // Deleted rows (a pupil who left, pruned events) are overwritten, not left in free pages.
  db.pragma('secure_delete = ON');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.function('guard_fold', { deterministic: true }, (t: unknown) => (typeof t === 'string' ? foldText(t) : null));
}

function faultMarkerPath(path: string): string {
  return `${path}.fault.json`;
}

/** Moves a damaged file (and its WAL) aside and leaves a marker so later starts do not begin empty. */
function keepAside(path: string, code: StoreFaultCode, detail: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const kept = `${path}.${code}-${stamp}`;
  renameSync(path, kept);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, kept + suffix);
  }
  writeFileSync(faultMarkerPath(path), JSON.stringify({ code, detail, keptAt: kept, at: new Date().toISOString() }));
  return kept;
}

/** IT confirmed from setup: start with an empty store (the kept file stays where it is). */
export function clearStoreFault(path: string): void {
  if (existsSync(faultMarkerPath(path))) unlinkSync(faultMarkerPath(path));
}

export interface OpenOptions {
  migrationsDir?: string;
  readonly?: boolean;
  /**
   * 32 bytes: the file is encrypted with it (SQLCipher 4 format, AES-256, a raw key so opening costs no
   * key derivation). A plain file from an older station is encrypted in place on first open. Without a
   * key the file is plain (tests, benchmarks, tools).
   */
  key?: Buffer | null;
}

const PLAIN_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function isPlainDatabase(path: string): boolean {
  if (path === ':memory:' || !existsSync(path)) return false;
  const head = Buffer.alloc(PLAIN_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(PLAIN_HEADER);
  } finally {
    closeSync(fd);
  }
}

/** Sets the cipher and key on a fresh connection; must come before anything reads the file. */
export function applyKey(db: Db, key: Buffer, pragma: 'key' | 'rekey' = 'key'): void {
  if (key.length !== 32) throw new Error('the database key must be 32 bytes');
  db.pragma("cipher = 'sqlcipher'");
  db.pragma('legacy = 4');
  db.pragma(`${pragma} = "x'${key.toString('hex')}'"`);
}

/** A plain file (a station from before encryption) becomes an encrypted one; its WAL is folded in first. */
function encryptInPlace(path: string, key: Buffer): void {
  const db = new Database(path);
  try {
    // Rekeying needs a rollback journal: leaving WAL checkpoints it into the file.
    db.pragma('journal_mode = DELETE');
    applyKey(db, key, 'rekey');
  } finally {
    db.close();
  }
}

/**
 * The one place the station's SQLite file is opened. A file that is not a database, or fails the
 * quick check, is kept aside and reported as a StoreFault; the station does not silently start empty.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const marker = faultMarkerPath(path);
  if (path !== ':memory:' && existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as { code: StoreFaultCode; detail: string; keptAt: string };
    throw new StoreFault(m.code, m.detail, m.keptAt);
  }
  let db: Db | undefined;
  try {
    if (options.key && isPlainDatabase(path)) encryptInPlace(path, options.key);
    db = new Database(path);
    if (options.key) applyKey(db, options.key);
    configureConnection(db);
    // The file and its WAL are the station's user's alone, whatever the process's umask.
    if (path !== ':memory:' && process.platform !== 'win32') {
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600);
    }
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw Object.assign(new Error(`quick_check: ${String(check)}`), { code: 'SQLITE_CORRUPT' });
    migrate(db, loadMigrations(options.migrationsDir));
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof StoreFault) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (path !== ':memory:' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))) {
      const detail = `${basename(path)}: ${(err as Error).message}`;
      const kept = keepAside(path, 'db_corrupt', detail);
      throw new StoreFault('db_corrupt', detail, kept);
    }
    if (code === 'SQLITE_FULL') throw new StoreFault('disk_full', (err as Error).message, null);
    throw new StoreFault('db_unreadable', `${basename(path)}: ${(err as Error).message}`, null);
  }
}
