import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a station keeps its database, photos, logs and token: STATION_DATA_DIR, else the user's data folder. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STATION_DATA_DIR) return env.STATION_DATA_DIR;
  const base = env.XDG_DATA_HOME ?? (process.platform === 'win32' ? (env.APPDATA ?? homedir()) : join(homedir(), '.local', 'share'));
  return join(base, 'school-station');
}

/**
 * The data folder is the station's user's alone: the folder and every folder in it 0700, every file
 * 0600. Run at every start (a copy restored from a backup, a file an older version made 0644), and with
 * a umask of 077 for what the process creates afterwards. Returns how many modes it had to tighten.
 * (Windows has no such modes: the folder under the user's profile is that user's already.)
 */
export function secureDataDir(dir: string): number {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return 0;
  let fixed = 0;
  const walk = (path: string, isDir: boolean): void => {
    const want = isDir ? 0o700 : 0o600;
    if ((statSync(path).mode & 0o777) !== want) {
      chmodSync(path, want);
      fixed++;
    }
    if (!isDir) return;
    for (const e of readdirSync(path, { withFileTypes: true })) {
      // A symlink is not followed: what it points to is not the station's to change.
      if (e.isDirectory()) walk(join(path, e.name), true);
      else if (e.isFile()) walk(join(path, e.name), false);
    }
  };
  walk(dir, true);
  return fixed;
}

/** Files the process creates from now on are its user's alone (0600, folders 0700). */
export function privateUmask(): void {
  if (process.platform !== 'win32') process.umask(0o077);
}
