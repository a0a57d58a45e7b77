import type ru from '../ru/station-settings.ts';
import type { Translation } from '../shape.ts';

const en: Translation<typeof ru> = {
  title: 'Station parameters',
  hint: 'Each parameter is checked before it is saved; a wrong value is not saved.',
  guard: {
    title: 'Guard post',
    antiPassback: 'A second pass the same way (anti-passback)',
    modes: { off: 'Do not check', warn: 'Warn', deny: 'Refuse' },
    window: 'Window, minutes (0: the whole school day)',
  },
  cashier: {
    title: 'Till',
    showBalance: 'Show the balance to the customer',
    balance: { never: 'Never', on_request: 'On request' },
    showBalanceHint:
      'On request: the cashier shows the balance on their own screen for 10 seconds when the student asks. The customer display never shows a balance.',
  },
  update: {
    title: 'Updates',
    checkHours: 'Check for updates every, hours',
    quietMinutes: 'Install no sooner than, minutes after the last pass',
    rushHours: 'Rush hours (no updates installed)',
    rushHint: 'Separated by commas, e.g. 07:00–09:30, 13:00–15:00',
    feedUrl: 'Update server address',
    feedHint: "Empty: the school's server (server address + /releases)",
  },
  save: 'Save parameters',
  saved: 'Parameters saved',
  invalid: 'Not saved: correct the marked fields',
  failed: 'Not saved: {{message}}',
  errors: {
    integer: 'Enter a whole number from {{min}} to {{max}}',
    money: 'Enter an amount in rubles, e.g. 300 or 150.50 (at most {{max}})',
    rush: 'Each window like 07:00–09:30, separated by commas, at most eight; start and end differ',
    url: 'The address must start with https:// (http:// only to this computer)',
  },
};
export default en;
