import { useTranslation } from 'react-i18next';
import { bridgeError } from '../station-client.ts';

/** Spare-card refusals the guard can act on, said in words rather than as a generic conflict. */
const SPARE_ERRORS = ['spare_not_in_stock', 'spare_already_bound', 'spare_not_bound', 'holder_has_spare'] as const;
const isSpareError = (reason: string): reason is (typeof SPARE_ERRORS)[number] => (SPARE_ERRORS as readonly string[]).includes(reason);

/** A refused guard request in words: the reasons a guard can act on, else the generic error. */
export function useErrorText() {
  const { t } = useTranslation();
  const g = useTranslation('guard').t;
  return (err: unknown) => {
    const e = bridgeError(err);
    if (e.reason === 'note_required') return g('manual.noteRequired');
    if (e.reason === 'pin_required' || e.reason === 'pin_wrong' || e.reason === 'pin_locked' || e.reason === 'pin_wait' || e.reason === 'role_missing')
      return g(`duty.errors.${e.reason}`);
    if (e.code === 'invalid_input' && e.field === 'pin') return g('duty.errors.pin_format');
    if (e.reason && isSpareError(e.reason)) return g(`spare.errors.${e.reason}`);
    return `${t(`errors.${e.code}`, { field: e.field ?? '' })}${e.reason ? ` (${e.reason})` : ''}`;
  };
}
