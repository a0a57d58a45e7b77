import { describe, expect, it } from 'vitest';
import { endOfSchoolDayMs, isTimeZone, schoolDate, schoolDayEnd, schoolTime, zoneOffsetMinutes } from '../../common/school-time.ts';
import { schoolSettingsFrom } from '../../common/sync-api.ts';

const at = (iso: string) => Date.parse(iso);

describe('the school day is the school’s date in its own zone', () => {
  it.each([
    // [instant, zone, school date, wall clock]
    ['2026-11-23T21:30:00.000Z', 'Europe/Kaliningrad', '2026-11-23', '23:30'],
    ['2026-11-23T22:30:00.000Z', 'Europe/Kaliningrad', '2026-11-24', '00:30'],
    ['2026-11-23T20:59:59.999Z', 'Europe/Moscow', '2026-11-23', '23:59'],
    ['2026-11-23T21:00:00.000Z', 'Europe/Moscow', '2026-11-24', '00:00'],
    ['2026-11-23T13:59:59.000Z', 'Asia/Vladivostok', '2026-11-23', '23:59'],
    ['2026-11-23T14:00:00.000Z', 'Asia/Vladivostok', '2026-11-24', '00:00'],
    ['2026-03-09T03:30:00.000Z', 'America/New_York', '2026-03-08', '23:30'],
    ['2026-03-09T04:00:00.000Z', 'America/New_York', '2026-03-09', '00:00'],
  ])('%s in %s is %s, %s on the school’s clock', (iso, zone, date, clock) => {
    expect(schoolDate(at(iso), zone)).toBe(date);
    expect(schoolTime(at(iso), zone, 'ru')).toBe(clock);
  });

  it('the end of a school day is 23:59:59.999 school time, on the days summer time starts and ends too', () => {
    expect(new Date(endOfSchoolDayMs(at('2026-09-01T08:00:00.000Z'), 'Europe/Moscow')).toISOString()).toBe('2026-09-01T20:59:59.999Z');
    expect(schoolDayEnd(at('2026-11-23T21:30:00.000Z'), 'Europe/Kaliningrad')).toEqual({ schoolDate: '2026-11-23', endsAt: '2026-11-23T21:59:59.999Z' });
    expect(schoolDayEnd(at('2026-11-23T03:00:00.000Z'), 'Asia/Vladivostok')).toEqual({ schoolDate: '2026-11-23', endsAt: '2026-11-23T13:59:59.999Z' });
    // New York springs forward on 8 March 2026 (EST −5 → EDT −4) and falls back on 1 November (−4 → −5).
    expect(zoneOffsetMinutes(at('2026-03-08T06:00:00.000Z'), 'America/New_York')).toBe(-300);
    expect(schoolDayEnd(at('2026-03-08T06:00:00.000Z'), 'America/New_York')).toEqual({ schoolDate: '2026-03-08', endsAt: '2026-03-09T03:59:59.999Z' });
    expect(schoolDayEnd(at('2026-11-01T05:00:00.000Z'), 'America/New_York')).toEqual({ schoolDate: '2026-11-01', endsAt: '2026-11-02T04:59:59.999Z' });
  });

  it('the station keeps the backend’s settings; bad or missing ones are the defaults, an unknown zone is never the PC’s', () => {
    expect(schoolSettingsFrom(null)).toMatchObject({ timeZone: 'Europe/Moscow', offlineCapPerDay: 300_00, subsidyDiscountPercent: 50, releaseFeed: null });
    expect(schoolSettingsFrom('{"timeZone":"Asia/Vladivostok","offlineCapPerDay":15000}')).toMatchObject({
      timeZone: 'Asia/Vladivostok',
      offlineCapPerDay: 150_00,
    });
    expect(schoolSettingsFrom('{"timeZone":"Mars/Olympus"}').timeZone).toBe('Europe/Moscow');
    expect(schoolSettingsFrom('not json').timeZone).toBe('Europe/Moscow');
    expect(isTimeZone('Asia/Kamchatka')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
