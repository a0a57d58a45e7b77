import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A fresh folder per test for a real SQLite file, removed afterwards. */
export function useTempDir(prefix = 'station-test-'): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    // A station in `d` keeps its keys beside it (node/key-file.ts).
    for (const d of dirs.splice(0)) for (const x of [d, `${d}.keys`]) rmSync(x, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}
