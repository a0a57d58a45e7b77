import type ru from '../ru/setup.ts';
import type { Translation } from '../shape.ts';

export default {
  title: 'Station setup',
  school: {
    title: "The school's settings",
    hint: "The school's administrator sets these on the server; the station gets them with the roster.",
    timeZone: "The school's time zone",
    offlineCap: 'Offline purchases per pupil per day',
    subsidyShare: "The subsidy's share of a set meal",
    releaseFeed: 'Update feed',
    releaseFeedOwn: "the station's own setting",
  },
  modeTitle: 'Mode',
  modeGuard: 'Guard post',
  modeGuardHint: 'Entrance turnstile: who passed, alarms, emergency mode',
  modeCashier: 'Canteen cashier',
  modeCashierHint: 'Menu, cart, card payment checked against the photo',
  language: 'Language',
  stationName: 'Station name',
  readers: 'Readers',
  kiosk: 'Full screen (kiosk)',
  saved: 'Saved',
  done: 'Done',
} satisfies Translation<typeof ru>;
