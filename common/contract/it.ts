import { z } from 'zod';
import { Pin } from '../pin-hash.ts';
import { UtcInstant } from '../domain.ts';
import { request } from './define.ts';

/**
 * IT's credential at the station. Setup, enrollment, update actions, the relay test and starting over
 * after a damaged database run only inside an IT session: opened with the PIN of a staff member with
 * role `it` or `supervisor`, or with the station's own setup PIN (set at first start), bound to the
 * window or tab that opened it, and ended after a few idle minutes or on leaving setup. The station
 * process checks the session on every such request (station/it-access.ts), not the page.
 */
export const ItSession = z.object({
  /** Null: opened with the station's setup PIN. */
  staffId: z.string().nullable(),
  fullName: z.string().nullable(),
  via: z.enum(['staff_pin', 'setup_pin']),
  /** When it ends unless a guarded request comes first. */
  idleUntil: UtcInstant,
});
export type ItSession = z.infer<typeof ItSession>;

/** A person setup's PIN pad can name. */
export const ItPerson = z.object({ staffId: z.string(), fullName: z.string(), position: z.string() });
export type ItPerson = z.infer<typeof ItPerson>;

export const ItStatus = z.object({
  /** This window's session, or null. */
  session: ItSession.nullable(),
  setupPinSet: z.boolean(),
  /** The setup PIN may be set without a session now (first start: nobody else could open setup). */
  setupPinOpen: z.boolean(),
  /** IT staff and supervisors with a PIN, who can open setup. */
  people: z.array(ItPerson),
});
export type ItStatus = z.infer<typeof ItStatus>;

/** Why an IT request was refused, as a code the renderer translates. */
export const ItRefusal = z.enum(['it_session_required', 'pin_wrong', 'pin_locked', 'pin_wait', 'role_missing', 'setup_pin_missing', 'setup_pin_set']);

const Empty = z.object({}).strict();

export const itRequests = {
  'it.status': request(Empty, ItStatus),
  /** Opens this window's IT session: `staffId` null is the station's setup PIN. */
  'it.signIn': request(z.object({ staffId: z.string().min(1).max(64).nullable(), pin: Pin }).strict(), ItSession),
  /** Leaving setup: this window's session ends. */
  'it.signOut': request(Empty, z.object({ ok: z.literal(true) })),
  /**
   * Sets (first start) or changes (inside a session) the station's setup PIN; opens a session with it.
   * 6 to 12 digits: it opens the whole station, and is typed rarely.
   */
  'it.setSetupPin': request(z.object({ pin: z.string().regex(/^\d{6,12}$/, 'a setup PIN is 6 to 12 digits') }).strict(), ItSession),
} as const;

export const itEvents = {} as const;
