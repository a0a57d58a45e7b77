import pg from 'pg';
import { schemaSql, type Database, type Param, type Sql, type Tx, type TxOptions } from './sql.ts';

/** `?` → `$1, $2, …` (our statements never carry a literal question mark). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

function over(q: { query: pg.Pool['query'] }): Sql {
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly Param[] = []) => (await q.query(numbered(sql), params as unknown[])).rows as T[],
    get: async <T>(sql: string, params: readonly Param[] = []) => (await q.query(numbered(sql), params as unknown[])).rows[0] as T | undefined,
    run: async (sql: string, params: readonly Param[] = []) => (await q.query(numbered(sql), params as unknown[])).rowCount ?? 0,
  };
}

/** PostgreSQL storage over a pool; roster-changing transactions lock the revision counter first. */
export async function openPostgresDatabase(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 8, types });
  // A dropped idle connection must not crash the server; the next query gets a fresh one.
  pool.on('error', () => undefined);
  const client = await pool.connect();
  try {
    // Two servers starting on one empty database must not race on CREATE TABLE.
    await client.query('SELECT pg_advisory_lock(4242)');
    await client.query(schemaSql('postgres'));
    await client.query('SELECT pg_advisory_unlock(4242)');
  } finally {
    client.release();
  }
  const safeUrl = new URL(url);
  safeUrl.password = '';
  return {
    ...over(pool),
    describe: `postgres:${safeUrl.host}${safeUrl.pathname}`,
    async tx<T>(fn: (tx: Tx) => Promise<T>, options: TxOptions = {}): Promise<T> {
      const c = await pool.connect();
      let broken = false;
      try {
        await c.query(options.snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
        let rev: number | null = null;
        if (options.roster) {
          rev = (await c.query("SELECT value FROM counters WHERE name = 'rev' FOR UPDATE")).rows[0].value as number;
        }
        const tx: Tx = {
          ...over(c),
          nextRev: async () => {
            if (rev === null) throw new Error('nextRev needs a transaction opened with { roster: true }');
            rev += 1;
            return rev;
          },
        };
        const out = await fn(tx);
        if (options.roster && rev !== null) await c.query("UPDATE counters SET value = $1 WHERE name = 'rev'", [rev]);
        await c.query('COMMIT');
        return out;
      } catch (err) {
        try {
          await c.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw err;
      } finally {
        c.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
