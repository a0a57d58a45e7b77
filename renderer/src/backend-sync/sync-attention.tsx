import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isReasonOf } from '../../../common/contract/refusals.ts';
import { EventResultCode, type AttentionItem } from '../../../common/sync-api.ts';
import { station } from '../station-client.ts';
import { useApp } from '../shell/app-store.ts';
import { useSchoolTime } from '../shell/school-time.ts';

/** The server's codes and the event types the attention list has words for; any other is "other". */
const CODES = {
  // The backend's codes (the contract's list), then the station's own reasons and the backend's rules it has words for.
  options: [...EventResultCode.options, 'held_other_backend', 'demo_event', 'person_removed'] as const,
};
const TYPES = {
  options: [
    'pass',
    'manual_open',
    'sale',
    'void',
    'sale_rejected',
    'group_meal',
    'visitor_pass',
    'temp_card_bind',
    'temp_card_return',
    'emergency_start',
    'emergency_end',
    'shift_open',
    'shift_close',
    'held_events_released',
  ] as const,
};

/** The "needs attention" list: events the backend flagged (anomaly) or refused (invalid), kept at the station. */
export function SyncAttention() {
  const { t } = useTranslation('sync');
  const schoolTime = useSchoolTime();
  const openAttention = useApp((s) => s.openAttention);
  const count = useApp((s) => s.status?.sync.needsAttention ?? 0);
  const [items, setItems] = useState<AttentionItem[] | null>(null);
  const load = useCallback(() => void station.invoke('sync.attention', { limit: 200 }).then(setItems), []);
  useEffect(load, [load, count]);

  const when = (iso: string) => schoolTime(iso, { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
  const dismiss = async (id: string) => {
    await station.invoke('sync.clearAttention', { id });
    load();
  };
  return (
    <main className="attention" data-testid="attention-list">
      <div className="attention-head">
        <h1>{t('attention.title')}</h1>
        <button type="button" className="btn" onClick={() => openAttention(false)}>
          {t('attention.back')}
        </button>
      </div>
      <p className="hint">{t('attention.hint')}</p>
      {items && items.length === 0 ? <p data-testid="attention-empty">{t('attention.empty')}</p> : null}
      <ul className="attention-items">
        {(items ?? []).map((it) => (
          <li key={it.id} className={`attention-item attention-${it.status}`} data-testid="attention-item">
            <span className="attention-when">{when(it.occurredAt)}</span>
            <strong>{t(`attention.type.${isReasonOf(TYPES, it.type) ? it.type : 'other'}`)}</strong>
            <span className="attention-status">{t(`attention.status.${it.status}`)}</span>
            <span className="attention-why" title={it.message ?? ''}>
              {t(`attention.code.${isReasonOf(CODES, it.code) ? it.code : 'other'}`)}
            </span>
            <button type="button" className="btn" onClick={() => void dismiss(it.id)}>
              {t('attention.dismiss')}
            </button>
          </li>
        ))}
      </ul>
    </main>
  );
}
