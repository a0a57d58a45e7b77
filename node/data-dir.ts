import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a station keeps its database, photos, logs and token: STATION_DATA_DIR, else the user's data folder. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STATION_DATA_DIR) return env.STATION_DATA_DIR;
  const base = env.XDG_DATA_HOME ?? (process.platform === 'win32' ? (env.APPDATA ?? homedir()) : join(homedir(), '.local', 'share'));
  return join(base, 'school-station');
}
