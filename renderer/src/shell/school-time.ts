import { useTranslation } from 'react-i18next';
import { DEFAULT_SCHOOL_TIME_ZONE, schoolTime } from '../../../common/school-time.ts';
import { useApp } from './app-store.ts';

/** The school's time zone as the station has it from the backend (the default before it has). */
export function useSchoolTimeZone(): string {
  return useApp((s) => s.status?.school.timeZone ?? DEFAULT_SCHOOL_TIME_ZONE);
}

/**
 * Formats instants as the school's wall clock shows them, in the screen's language: every time on a
 * screen is school time, whatever zone this PC is set to.
 */
export function useSchoolTime(): (at: string | number | Date, options?: Intl.DateTimeFormatOptions) => string {
  const { i18n } = useTranslation();
  const timeZone = useSchoolTimeZone();
  return (at, options) => schoolTime(typeof at === 'string' ? Date.parse(at) : +at, timeZone, i18n.language, options);
}
