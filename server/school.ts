/**
 * The school's settings kept on the backend (time zone, offline cap, subsidy share, release feed,
 * retention) and the school-day arithmetic every rule counts by: a school day is the school's date in
 * its own time zone, taken from the station's corrected time, never the server's zone.
 */
import { SchoolSettings } from '../common/sync-api.ts';
import type { Sql } from './storage/sql.ts';

export const DEFAULT_SCHOOL_SETTINGS: SchoolSettings = SchoolSettings.parse({});

const dateFormats = new Map<string, Intl.DateTimeFormat>();
const partFormats = new Map<string, Intl.DateTimeFormat>();

/** YYYY-MM-DD of the instant in the zone. */
export function schoolDateOf(ms: number, timeZone: string): string {
  let f = dateFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, f);
  }
  return f.format(ms);
}

/** The zone's offset from UTC at that instant, in minutes (Moscow: +180). */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  let f = partFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    partFormats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The last millisecond of the school day that contains `ms` (23:59:59.999 school time), as epoch ms. */
export function endOfSchoolDayMs(ms: number, timeZone: string): number {
  const date = schoolDateOf(ms, timeZone);
  const midnightUtc = Date.parse(`${date}T00:00:00.000Z`);
  // The offset at the end of the day, so a day that changes to or from summer time still ends at midnight.
  const guess = midnightUtc + 86_400_000 - 1 - zoneOffsetMinutes(ms, timeZone) * 60_000;
  return midnightUtc + 86_400_000 - 1 - zoneOffsetMinutes(guess, timeZone) * 60_000;
}

/** HH:MM school time, for the parents' messages. */
export function localTime(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('ru-RU', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
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
