import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ADDED_COLUMNS, schemaSql, type Database, type Param, type Sql, type Tx } from './sql.ts';

/**
 * SQLite storage: one better-sqlite3 connection. Calls are synchronous underneath, so an async
 * transaction holds a lock that every other call waits for; nothing interleaves with it.
 */
export function openSqliteDatabase(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(schemaSql('sqlite'));
  // SQLite has no ADD COLUMN IF NOT EXISTS.
  for (const c of ADDED_COLUMNS) {
    const has = (db.pragma(`table_info(${c.table})`) as { name: string }[]).some((col) => col.name === c.column);
    if (!has) db.exec(`ALTER TABLE ${c.table} ADD COLUMN ${c.column} ${c.type}`);
  }

  const cache = new Map<string, BetterSqlite3.Statement>();
  const prep = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  const norm = (params: readonly Param[]) => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
  const direct: Sql = {
    dialect: 'sqlite',
    all: async <T>(sql: string, params: readonly Param[] = []) => prep(sql).all(...norm(params)) as T[],
    get: async <T>(sql: string, params: readonly Param[] = []) => prep(sql).get(...norm(params)) as T | undefined,
    run: async (sql: string, params: readonly Param[] = []) => prep(sql).run(...norm(params)).changes,
  };

  let chain: Promise<unknown> = Promise.resolve();
  function locked<T>(fn: () => Promise<T>): Promise<T> {
    const result = chain.then(fn);
    chain = result.catch(() => undefined);
    return result;
  }

  return {
    dialect: 'sqlite',
    describe: `sqlite:${path}`,
    all: (sql, params) => locked(() => direct.all(sql, params)),
    get: (sql, params) => locked(() => direct.get(sql, params)),
    run: (sql, params) => locked(() => direct.run(sql, params)),
    tx: <T>(fn: (tx: Tx) => Promise<T>) =>
      locked(async () => {
        let rev: number | null = null;
        const tx: Tx = {
          ...direct,
          nextRev: async () => {
            if (rev === null) rev = (prep("SELECT value FROM counters WHERE name = 'rev'").get() as { value: number }).value;
            rev += 1;
            return rev;
          },
        };
        db.exec('BEGIN IMMEDIATE');
        try {
          const out = await fn(tx);
          if (rev !== null) prep("UPDATE counters SET value = ? WHERE name = 'rev'").run(rev);
          db.exec('COMMIT');
          return out;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      }),
    close: async () => {
      await chain;
      db.close();
    },
  };
}
