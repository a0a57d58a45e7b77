import type ru from '../ru/it.ts';
import type { Translation } from '../shape.ts';

export default {
  lockTitle: 'Station setup — IT only',
  lockHint: 'Pick yourself and type your PIN. Setup opens for IT staff, a supervisor, or whoever knows the station setup PIN.',
  setupPin: 'Station setup PIN',
  setupPinHint: "This station's own PIN, set at first start",
  pinFor: 'PIN: {{name}}',
  open: 'Open setup',
  back: 'Back',
  firstTitle: 'First start: set the setup PIN',
  firstHint: 'Without it nobody can change this station. Write it down and keep it with IT. 6 to 12 digits.',
  newPin: 'New setup PIN',
  repeatPin: 'Repeat the PIN',
  setPin: 'Set the PIN',
  mismatch: 'The PINs differ',
  tooShort: 'A setup PIN has at least 6 digits',
  nobody: 'The staff list has no IT person or supervisor with a PIN. Use the station setup PIN.',
  openedBy: 'Setup opened by: {{name}}',
  openedBySetupPin: 'Setup opened with the station PIN',
  changeSetupPin: 'Change the setup PIN',
  setupPinChanged: 'The setup PIN was changed',
  errors: {
    it_session_required: 'An IT or supervisor PIN is needed: open setup again.',
    pin_wrong: 'Wrong PIN',
    pin_locked: 'Too many wrong PINs in a row. PIN entry is closed for a minute.',
    pin_wait: 'After a wrong PIN, wait a few seconds and type it again.',
    role_missing: 'This staff member may not set up the station',
    setup_pin_missing: 'Set the station setup PIN first.',
    setup_pin_set: 'A setup PIN is already set.',
  },
} satisfies Translation<typeof ru>;
