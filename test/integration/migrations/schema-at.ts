/**
 * A migration test in Signal's manner: a real SQLite file at the schema just before migration N, rows a
 * station of that release would hold, then migration N alone, then the data checked after it.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { configureConnection, loadMigrations, migrate, type Migration } from '../../../core/store/db.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

export interface SchemaAt {
  db: Database.Database;
  path: string;
  /** Runs the migrations up to and including `version`; returns the file's user_version after. */
  migrateTo(version: number): number;
}

/** A fresh station.db at schema `before` (0: empty); the caller closes `db`. */
export function schemaAt(tempDir: ReturnType<typeof useTempDir>, before: number): SchemaAt {
  const path = join(tempDir(), 'station.db');
  const db = new Database(path);
  configureConnection(db);
  const all: Migration[] = loadMigrations();
  expect(migrate(db, all.slice(0, before))).toBe(before);
  return { db, path, migrateTo: (version) => migrate(db, all.slice(0, version)) };
}

/** Migration `version` is the file the test is named for (a renumbered file must take its test along). */
export function expectMigration(version: number, name: string): void {
  expect(loadMigrations().find((m) => m.version === version)?.name).toBe(name);
}

/** The columns of a table, by name. */
export const columns = (db: Database.Database, table: string): string[] =>
  (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name);

export { useTempDir };
