/**
 * School time: the one statement of which school day an instant falls in, and what the clock on the
 * school's wall says. A school day is the school's date in its own time zone (a school setting that comes
 * from the backend), never the zone of the PC or the server. Pure and Intl-based, so the station, the
 * page and the reference server count the same days.
 */

/** The zone a school uses until its backend says otherwise (the demo school's). */
export const DEFAULT_SCHOOL_TIME_ZONE = 'Europe/Moscow';

const formats = new Map<string, Intl.DateTimeFormat>();
function format(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = formats.get(key);
  if (!f) {
    f = make();
    formats.set(key, f);
  }
  return f;
}

/** The school day (YYYY-MM-DD) of an instant in the school's time zone. */
export function schoolDate(ms: number, timeZone: string): string {
  return format(`date|${timeZone}`, () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })).format(ms);
}

/** The zone's offset from UTC at that instant, in minutes (Moscow: +180, New York in winter: -300). */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const f = format(
    `parts|${timeZone}`,
    () =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      }),
  );
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The last millisecond of the school day that contains `ms` (23:59:59.999 school time), as epoch ms. */
export function endOfSchoolDayMs(ms: number, timeZone: string): number {
  const date = schoolDate(ms, timeZone);
  const midnightUtc = Date.parse(`${date}T00:00:00.000Z`);
  // The offset at the end of the day, so a day that changes to or from summer time still ends at midnight.
  const guess = midnightUtc + 86_400_000 - 1 - zoneOffsetMinutes(ms, timeZone) * 60_000;
  return midnightUtc + 86_400_000 - 1 - zoneOffsetMinutes(guess, timeZone) * 60_000;
}

/** The school day that contains `ms` and the UTC instant it ends. */
export function schoolDayEnd(ms: number, timeZone: string): { schoolDate: string; endsAt: string } {
  return { schoolDate: schoolDate(ms, timeZone), endsAt: new Date(endOfSchoolDayMs(ms, timeZone)).toISOString() };
}

/**
 * The school's wall-clock time of an instant, formatted for a language (the guard feed, the header's
 * clock, receipts, exports): always in the school's zone, whatever the PC's zone is.
 */
export function schoolTime(ms: number, timeZone: string, locale: string, options: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' }): string {
  const key = `time|${timeZone}|${locale}|${JSON.stringify(options)}`;
  return format(key, () => new Intl.DateTimeFormat(locale, { hourCycle: 'h23', ...options, timeZone })).format(ms);
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
