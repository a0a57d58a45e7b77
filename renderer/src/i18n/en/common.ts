import type ru from '../ru/common.ts';
import type { Translation } from '../shape.ts';

export default {
  appName: 'School Station',
  mode: { unset: 'No mode chosen', guard: 'Guard post', cashier: 'Canteen cashier' },
  status: {
    online: 'Online',
    offline: 'Offline',
    syncing: 'Syncing…',
    notConfigured: 'Demo school (no server)',
    lastSync: 'Synced: {{time}}',
    never: 'never',
    waiting: 'Waiting to send: {{count}}',
    connectionLost: 'Lost contact with the station — reconnecting…',
  },
  reader: {
    connecting: 'connecting',
    ready: 'ready',
    error: 'error',
    disconnected: 'disconnected',
    busy: 'busy (used by another program)',
    role: { entry: 'entry', exit: 'exit', cashier: 'cashier', none: 'no role' },
  },
  nav: { setup: 'Setup', back: 'Back', close: 'Close' },
  card: {
    tapPrompt: 'Tap a card',
    status: { active: 'Card valid', blocked: 'Card blocked', lost: 'Card lost', temporary: 'Temporary card' },
    unknown: 'Unknown card {{printed}}',
    random: 'This card cannot be used as a pass',
    noPhoto: 'No photo',
  },
  demo: {
    title: 'Demo reader',
    hint: 'Press a card to tap it on the reader',
    tap: 'Tap',
    unknownCard: 'Unknown card',
  },
  fault: {
    title: 'The station database is damaged',
    db_corrupt: 'The database file is damaged. It was kept for IT: {{keptAt}}',
    db_unreadable: 'The database file cannot be read: {{detail}}',
    disk_full: 'The disk is full: the station cannot record events.',
    itHint: 'Call IT. The station will not start with an empty database without their confirmation.',
    startEmpty: 'Start with an empty database (IT)',
    confirm: 'Really start with an empty database? Data will be loaded again from the server.',
  },
  errors: {
    invalid_message: 'The station did not understand the request.',
    unknown_request: 'The station does not know this command.',
    invalid_input: 'Wrong value in the field “{{field}}”.',
    invalid_output: 'The station answered with an error. IT will find details in the log.',
    not_found: 'Not found.',
    conflict: 'Data conflict.',
    refused: 'Refused.',
    unavailable: 'Not available now.',
    internal: 'Internal station error. IT will find details in the log.',
  },
} satisfies Translation<typeof ru>;
