import { useTranslation } from 'react-i18next';
import type { ReaderConfig } from '../../../common/readers.ts';
import { useApp } from './app-store.ts';

/**
 * What a person sees for a reader: the name IT gave it in setup, or "Считыватель N" by its place in the
 * list, never a device path or an internal id.
 */
export function readerName(readers: readonly ReaderConfig[] | undefined, readerId: string, defaultName: (n: number) => string): string {
  const list = readers ?? [];
  const i = list.findIndex((r) => r.id === readerId);
  const label = i >= 0 ? list[i]!.label.trim() : '';
  return label || defaultName(i >= 0 ? i + 1 : list.length + 1);
}

/** `readerName` over the station's saved reader settings. */
export function useReaderName(): (readerId: string) => string {
  const { t } = useTranslation('hardware');
  const readers = useApp((s) => s.settings?.readers);
  return (readerId) => readerName(readers, readerId, (n) => t('defaultName', { n }));
}
