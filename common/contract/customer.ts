import { z } from 'zod';
import { Locale } from '../settings.ts';
import { CustomerDisplay } from './cashier.ts';

/**
 * The customer display's own channel: the screen turned to the queue receives this projection and
 * nothing else (no event of the station's bridge, never a name, allergy, note, photo or balance), and
 * every request it sends is refused. Both transports (a MessagePort of its own in Electron,
 * `/customer/bridge` behind its own token in the browser host) carry only these messages.
 * `.strict()` is not used on purpose: parsing strips any field the projection does not name, so a
 * field added to the till's state later never reaches the queue by accident.
 */
export const CustomerView = z.object({
  display: CustomerDisplay,
  /** The language the display speaks: the station's. */
  locale: Locale,
});
export type CustomerView = z.infer<typeof CustomerView>;

export const customerEvents = {
  'customer.view': CustomerView,
} as const;

/** Station → customer display: `{ t: 'evt', name: 'customer.view', payload }`, or the refusal of a request. */
export type CustomerMessage =
  { t: 'evt'; name: 'customer.view'; payload: CustomerView } | { t: 'res'; id: number; ok: false; error: { code: 'refused'; message: string } };
