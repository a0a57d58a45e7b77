import { z } from 'zod';
import { CashierErrorReason } from './cashier.ts';

/**
 * Every reason code a bridge request can be refused with (`BridgeError.reason`), by the area whose
 * screen says it in words. The station throws `DomainError` with one of these (common/errors.ts), so a
 * code nobody translates does not compile; the renderer looks each area's codes up under its own
 * i18n keys, and test/unit/refusal-translations.test.ts checks every code has Russian and English words.
 */
export { CashierErrorReason };

/** The guard post's dialogs: PINs of whoever is on duty, spare cards, manual opens. */
export const DutyRefusal = z.enum(['pin_required', 'pin_wrong', 'pin_locked', 'pin_wait', 'role_missing']);
export type DutyRefusal = z.infer<typeof DutyRefusal>;
export const SpareRefusal = z.enum(['spare_not_in_stock', 'spare_already_bound', 'spare_not_bound', 'holder_has_spare']);
export type SpareRefusal = z.infer<typeof SpareRefusal>;
export const PersonRefusal = z.enum(['person_not_found', 'person_inactive']);
export type PersonRefusal = z.infer<typeof PersonRefusal>;
export const GuardRefusal = z.enum([...DutyRefusal.options, ...SpareRefusal.options, ...PersonRefusal.options, 'note_required']);
export type GuardRefusal = z.infer<typeof GuardRefusal>;

/** Setup's lock: who may open the station's settings. */
export const ItRefusal = z.enum(['it_session_required', 'pin_wrong', 'pin_locked', 'pin_wait', 'role_missing', 'setup_pin_missing', 'setup_pin_set']);
export type ItRefusal = z.infer<typeof ItRefusal>;

/** Setup's about section: the application shell's answer to an update command. */
export const UpdateRefusal = z.enum(['update_no_answer', 'update_shell_failed']);
export type UpdateRefusal = z.infer<typeof UpdateRefusal>;

/** The station itself: its database, its sync engine, readers and the demo school (IT reads these). */
export const StationRefusal = z.enum([
  'store_unavailable',
  'db_corrupt',
  'db_unreadable',
  'disk_full',
  'sync_unavailable',
  'kept_aside_not_found',
  'kept_aside_in_use',
  'no_held_events',
  'demo_only',
  'not_a_wedge_reader',
  'no_simulated_reader',
]);
export type StationRefusal = z.infer<typeof StationRefusal>;

export type RefusalReason = CashierErrorReason | GuardRefusal | ItRefusal | UpdateRefusal | StationRefusal;

/** Whether a reply's reason is one of an area's codes: the renderer narrows with this, never with a cast. */
export function isReasonOf<T extends string>(area: { readonly options: readonly T[] }, reason: string | null | undefined): reason is T {
  return reason != null && area.options.some((code) => code === reason);
}
