import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { removeStrayKeyFolders } from '../helpers/stray-keys.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it('after a run, removes the key folders whose data folder is gone, and nothing else', () => {
  const root = mkdtempSync(join(tmpdir(), 'stray-keys-'));
  dirs.push(root);
  const since = Date.now();
  mkdirSync(join(root, 'gone.keys'));
  mkdirSync(join(root, 'kept'));
  mkdirSync(join(root, 'kept.keys'));
  mkdirSync(join(root, 'old.keys'));
  const old = (since - 3_600_000) / 1000;
  utimesSync(join(root, 'old.keys'), old, old);
  mkdirSync(join(root, 'not-keys'));
  expect(removeStrayKeyFolders(since, root)).toBe(1);
  expect(existsSync(join(root, 'gone.keys'))).toBe(false);
  expect(existsSync(join(root, 'kept.keys'))).toBe(true);
  expect(existsSync(join(root, 'old.keys'))).toBe(true);
  expect(existsSync(join(root, 'not-keys'))).toBe(true);
});
