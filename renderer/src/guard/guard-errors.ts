import { useTranslation } from 'react-i18next';
import { DutyRefusal, PersonRefusal, SpareRefusal, StationRefusal, isReasonOf } from '../../../common/contract/refusals.ts';
import { bridgeError } from '../station-client.ts';

/** A refused guard request in words: the reasons a guard can act on, else the generic error. */
export function useErrorText() {
  const { t } = useTranslation();
  const g = useTranslation('guard').t;
  return (err: unknown) => {
    const e = bridgeError(err);
    if (e.reason === 'note_required') return g('manual.noteRequired');
    if (isReasonOf(DutyRefusal, e.reason)) return g(`duty.errors.${e.reason}`);
    if (e.code === 'invalid_input' && e.field === 'pin') return g('duty.errors.pin_format');
    if (isReasonOf(SpareRefusal, e.reason)) return g(`spare.errors.${e.reason}`);
    if (isReasonOf(PersonRefusal, e.reason)) return g(`person.${e.reason}`);
    const station = isReasonOf(StationRefusal, e.reason) ? ` ${t(`refusal.${e.reason}`)}` : '';
    return `${t(`errors.${e.code}`, { field: e.field ?? '' })}${station}${e.reason ? ` (${e.reason})` : ''}`;
  };
}
