import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One station process per data folder: `station.lock` holds the owner's pid and start time. It is
 * written whole to a file of our own (0600) and then hard-linked into place, which fails when the lock
 * exists (the same exclusive create as O_EXCL, and nobody ever reads half a lock). A lock whose process is
 * gone (or whose pid now belongs to another program, told by its start time on Linux) is stale and
 * taken over; a live one is refused with the owner named, for IT.
 */
export const LOCK_FILE = 'station.lock';

export interface LockOwner {
  pid: number;
  startedAt: string;
  /** The kernel's start time of the process (Linux: /proc/<pid>/stat field 22), null elsewhere. */
  procStart: string | null;
}

export class DataFolderLocked extends Error {
  override name = 'DataFolderLocked';
  readonly owner: LockOwner;
  constructor(dataDir: string, owner: LockOwner) {
    super(
      `another station process (pid ${owner.pid}, started ${owner.startedAt}) is already using the data folder ${dataDir}; ` +
        `stop it first (or wait for it to end), then start this one again`,
    );
    this.owner = owner;
  }
}

function procStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The pid runs: the same process only if it started when the lock says (where the kernel tells).
  const now = procStart(owner.pid);
  return owner.procStart === null || now === null || now === owner.procStart;
}

function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (!Number.isInteger(o.pid) || o.pid! <= 0) return null;
    return { pid: o.pid!, startedAt: String(o.startedAt ?? '?'), procStart: typeof o.procStart === 'string' ? o.procStart : null };
  } catch {
    return null;
  }
}

export interface StationLock {
  readonly path: string;
  release(): void;
}

/** Takes the data folder's lock or throws DataFolderLocked. */
export function lockDataFolder(dataDir: string, pid = process.pid): StationLock {
  const path = join(dataDir, LOCK_FILE);
  const me: LockOwner = { pid, startedAt: new Date().toISOString(), procStart: procStart(pid) };
  const mine = `${path}.${pid}`;
  writeFileSync(mine, `${JSON.stringify(me)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = readOwner(path);
        if (owner && owner.pid !== pid && alive(owner)) throw new DataFolderLocked(dataDir, owner);
        // Stale (its process is gone), unreadable, or ours from before: move it aside, then look again at
        // what was moved, since another process may have taken the lock over in between.
        const aside = `${path}.stale-${pid}`;
        try {
          renameSync(path, aside);
        } catch {
          continue;
        }
        const moved = readOwner(aside);
        if (moved && moved.pid !== pid && alive(moved)) {
          try {
            linkSync(aside, path);
          } catch {
            // somebody else holds it now; they are refused or refuse us next round
          }
          rmSync(aside, { force: true });
          throw new DataFolderLocked(dataDir, moved);
        }
        rmSync(aside, { force: true });
        continue;
      }
      return {
        path,
        release() {
          // Only our own lock: never remove one another process took over.
          if (readOwner(path)?.pid === pid) rmSync(path, { force: true });
        },
      };
    }
  } finally {
    rmSync(mine, { force: true });
  }
  const owner = readOwner(path);
  throw owner ? new DataFolderLocked(dataDir, owner) : new Error(`cannot take the lock ${path}`);
}
