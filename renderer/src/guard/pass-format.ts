import { useTranslation } from 'react-i18next';
import type { GuardPassView } from '../../../common/contract/index.ts';
import { isReasonOf } from '../../../common/contract/refusals.ts';
import { PassReason } from '../../../common/guard-rules.ts';
import { useSchoolTime } from '../shell/school-time.ts';

/** The verdict's icon beside its word and colour (never colour alone). */
export const ICON = { allow: '✔', deny: '✖', info: 'ℹ' } as const;

const FEED_TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', second: '2-digit' };

/** A pass's time as the school's clock shows it (common/school-time.ts keeps one formatter per zone and language). */
export function useTime() {
  const schoolTime = useSchoolTime();
  return (iso: string) => schoolTime(iso, FEED_TIME);
}

/** Who the pass is about, in words: the holder, a visitor's name, or what kind of event it was. */
export function usePassTitle() {
  const { t } = useTranslation('guard');
  const reasonText = usePassReason();
  return (p: GuardPassView): string => {
    if (p.holder) return p.holder.fullName;
    if (p.kind === 'visitor') return `${t('kind.visitor')}: ${p.visitorName ?? ''}`;
    if (p.kind !== 'tap') return t(`kind.${p.kind}`);
    return reasonText(p.reason);
  };
}

/** A pass's reason in words; a code the contract does not list (a newer station's) as it is. */
export function usePassReason() {
  const { t } = useTranslation('guard');
  return (reason: string): string => (isReasonOf(PassReason, reason) ? t(`reason.${reason}`) : reason);
}
