import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { loadMigrations } from '../../../core/store/db.ts';

it('every numbered migration has its own test here (schema before, the migration, the data after)', () => {
  const tests = new Set(readdirSync(import.meta.dirname).filter((f) => f.endsWith('.test.ts')));
  const missing = loadMigrations()
    .map((m) => m.name.replace(/\.sql$/, '.test.ts'))
    .filter((t) => !tests.has(t));
  expect(missing).toEqual([]);
});
