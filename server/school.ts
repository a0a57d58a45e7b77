/**
 * The school's settings kept on the backend (time zone, offline cap, subsidy share, release feed,
 * retention). The school-day arithmetic every rule counts by is common/school-time.ts, the same the
 * stations use: a school day is the school's date in its own time zone, taken from the station's
 * corrected time, never the server's zone.
 */
import { schoolTime } from '../common/school-time.ts';
import { DEFAULT_SCHOOL_SETTINGS, SchoolSettings } from '../common/sync-api.ts';
import type { Sql } from './storage/sql.ts';

export { DEFAULT_SCHOOL_SETTINGS };

/** HH:MM school time, for the parents' messages. */
export function localTime(ms: number, timeZone: string): string {
  return schoolTime(ms, timeZone, 'ru-RU');
}

export async function readSchoolSettings(sql: Sql): Promise<SchoolSettings> {
  const row = await sql.get<{ value: string }>("SELECT value FROM meta WHERE key = 'school_settings'");
  if (!row) return DEFAULT_SCHOOL_SETTINGS;
  const parsed = SchoolSettings.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : DEFAULT_SCHOOL_SETTINGS;
}

export async function writeSchoolSettings(sql: Sql, settings: SchoolSettings): Promise<void> {
  await sql.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
    'school_settings',
    JSON.stringify(settings),
  ]);
}
