import type ru from '../ru/setup.ts';
import type { Translation } from '../shape.ts';

export default {
  title: 'Station setup',
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
