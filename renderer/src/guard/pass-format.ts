import { useTranslation } from 'react-i18next';
import type { GuardPassView } from '../../../common/contract/index.ts';

/** The verdict's icon beside its word and colour (never colour alone). */
export const ICON = { allow: '✔', deny: '✖', info: 'ℹ' } as const;

// One formatter per language: building an Intl.DateTimeFormat per feed line costs more than the render.
const timeFormats = new Map<string, Intl.DateTimeFormat>();
export function useTime() {
  const { i18n } = useTranslation();
  let f = timeFormats.get(i18n.language);
  if (!f) {
    f = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    timeFormats.set(i18n.language, f);
  }
  const format = f;
  return (iso: string) => format.format(Date.parse(iso));
}

/** Who the pass is about, in words: the holder, a visitor's name, or what kind of event it was. */
export function usePassTitle() {
  const { t } = useTranslation('guard');
  return (p: GuardPassView): string => {
    if (p.holder) return p.holder.fullName;
    if (p.kind === 'visitor') return `${t('kind.visitor')}: ${p.note ?? ''}`;
    if (p.kind !== 'tap') return t(`kind.${p.kind}`);
    return t(`reason.${p.reason}` as 'reason.ok');
  };
}
