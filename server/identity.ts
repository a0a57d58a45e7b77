/**
 * The backend's identity (common/sync-api.ts BackendIdentity): a random id made once per server
 * database, the school's name, and whether the database holds the demo school. Kept in `meta`, so it
 * is the same for every server process on one database and new for a fresh database at the same address.
 */
import { randomUUID } from 'node:crypto';
import type { BackendIdentity } from '../common/sync-api.ts';
import type { Sql } from './storage/sql.ts';

const DEMO_SCHOOL_NAME = 'Демо-школа';

async function meta(sql: Sql, key: string): Promise<string | null> {
  return (await sql.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]))?.value ?? null;
}

async function setMeta(sql: Sql, key: string, value: string): Promise<void> {
  await sql.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
}

/** The database's identity; its id is made on first read (two servers starting at once agree on one). */
export async function readBackendIdentity(sql: Sql): Promise<BackendIdentity> {
  let id = await meta(sql, 'backend_id');
  if (!id) {
    await sql.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', ['backend_id', randomUUID()]);
    id = (await meta(sql, 'backend_id'))!;
  }
  const demo = (await meta(sql, 'demo_school')) === 'true';
  const name = await meta(sql, 'school_name');
  return { id, schoolName: name ?? (demo ? DEMO_SCHOOL_NAME : ''), demo };
}

/** Only the server's demo seeding says a database serves the demo school; nothing unsays it. */
export async function markDemoSchool(sql: Sql): Promise<void> {
  await setMeta(sql, 'demo_school', 'true');
}

export async function setSchoolName(sql: Sql, name: string): Promise<void> {
  await setMeta(sql, 'school_name', name);
}
