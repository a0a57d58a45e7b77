/**
 * A station keeps its key folder beside its data folder (`<data>.keys`, node/key-file.ts), so a test
 * that removes its temporary data folder leaves the key folder behind; a few hundred per run would fill
 * the machine's temp folder over time. After a run, the key folders made during it whose data folder is
 * gone are removed. Anything older, or whose data folder still exists, is left alone.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function removeStrayKeyFolders(since: number, dir = tmpdir()): number {
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.keys')) continue;
    const path = join(dir, name);
    try {
      if (statSync(path).mtimeMs < since - 1000) continue;
      try {
        statSync(path.slice(0, -'.keys'.length));
        continue; // its data folder is still there
      } catch {
        rmSync(path, { recursive: true, force: true });
        removed++;
      }
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}
