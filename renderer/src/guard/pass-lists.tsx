import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { GuardPassView } from '../../../common/contract/index.ts';
import { Photo } from '../components/photo.tsx';
import { useGuard, usePass } from './guard-store.ts';
import { ICON, usePassReason, usePassTitle, useTime } from './pass-format.ts';

/** One earlier pass, in the strip (compact) or the feed. */
const PassLine = memo(function PassLine({ id, compact = false }: { id: string; compact?: boolean }) {
  const pass = usePass(id);
  return pass ? <PassRow pass={pass} compact={compact} /> : null;
});

function PassRow({ pass, compact }: { pass: GuardPassView; compact: boolean }) {
  const { t } = useTranslation('guard');
  const time = useTime();
  const title = usePassTitle();
  const reasonText = usePassReason();
  return (
    <li className={`g-line v-${pass.verdict} ${pass.alarm ? 'g-alarm' : ''}`} data-testid="guard-feed-item" data-reason={pass.reason}>
      {pass.holder ? <Photo hash={pass.holder.photoHash} alt={pass.holder.fullName} size="thumb" /> : <div className="photo photo-thumb photo-missing">?</div>}
      <span className="g-line-icon" aria-hidden="true">
        {ICON[pass.verdict]}
      </span>
      <span className="g-line-text">
        <strong>{title(pass)}</strong>
        {/* The reason in the strip too: a guard glancing back must see why, not only who. */}
        {!compact ? (
          <small>
            {pass.holder ? `${pass.holder.group} · ` : ''}
            {pass.direction ? `${t(`direction.${pass.direction}`)} · ` : ''}
            {reasonText(pass.reason)}
          </small>
        ) : pass.holder ? (
          <small>{reasonText(pass.reason)}</small>
        ) : null}
      </span>
      <time>{time(pass.at)}</time>
    </li>
  );
}

/** The few taps before the big card, newest first. */
export function Strip() {
  const { t } = useTranslation('guard');
  const strip = useGuard((s) => s.strip);
  if (strip.length === 0) return null;
  return (
    <section className="g-strip" aria-label={t('strip')}>
      <h2>{t('strip')}</h2>
      <ol data-testid="guard-strip">
        {strip.map((id) => (
          <PassLine key={id} id={id} compact />
        ))}
      </ol>
    </section>
  );
}

export function Counters() {
  const { t } = useTranslation('guard');
  const counters = useGuard((s) => s.counters);
  return (
    <dl className="g-counters" data-testid="guard-counters">
      <div>
        <dt>{t('counters.inside')}</dt>
        <dd data-testid="counter-inside">{counters?.insideNow ?? '—'}</dd>
      </div>
      <div>
        <dt>{t('counters.entered')}</dt>
        <dd data-testid="counter-entered">{counters?.enteredToday ?? '—'}</dd>
      </div>
      <div className={counters && counters.alarmsToday > 0 ? 'g-alarm-count' : ''}>
        <dt>{t('counters.alarms')}</dt>
        <dd data-testid="counter-alarms">{counters?.alarmsToday ?? '—'}</dd>
      </div>
    </dl>
  );
}

/** Today's passes, all or only the alarms. */
export function Feed() {
  const { t } = useTranslation('guard');
  const feed = useGuard((s) => s.feed);
  const alarmsOnly = useGuard((s) => s.alarmsOnly);
  const setAlarmsOnly = useGuard((s) => s.setAlarmsOnly);
  return (
    <section className="g-feed">
      <div className="g-feed-head">
        <h2>{t('feed.title')}</h2>
        <div role="radiogroup" className="g-filter">
          <button
            type="button"
            role="radio"
            aria-checked={!alarmsOnly}
            className={`btn ${!alarmsOnly ? 'btn-primary' : ''}`}
            onClick={() => void setAlarmsOnly(false)}
          >
            {t('feed.all')}
          </button>
          <button
            type="button"
            role="radio"
            aria-checked={alarmsOnly}
            className={`btn ${alarmsOnly ? 'btn-danger' : ''}`}
            onClick={() => void setAlarmsOnly(true)}
            data-testid="guard-alarms-only"
          >
            {t('feed.alarms')}
          </button>
        </div>
      </div>
      {feed.length === 0 ? <p className="g-muted">{t('feed.empty')}</p> : null}
      <ol className="g-feed-list" data-testid="guard-feed">
        {feed.map((id) => (
          <PassLine key={id} id={id} />
        ))}
      </ol>
    </section>
  );
}
