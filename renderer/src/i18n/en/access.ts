import type ru from '../ru/access.ts';
import type { Translation } from '../shape.ts';

export default {
  noToken: {
    title: 'This address was opened without the station’s key',
    what: 'Open the address the station printed when it started: it begins the same and ends in “?token=…”. Opening it once is enough: the browser keeps the key.',
    where:
      'Where to find it: in the window where the station runs (npm start prints the address), or ask the school’s IT person. The customer display has its own address: “/customer?token=…”.',
  },
} satisfies Translation<typeof ru>;
