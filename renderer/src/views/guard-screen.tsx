import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GuardPassView } from '../../../common/contract/index.ts';
import { Photo } from '../components/photo.tsx';
import { connectGuardStore, useGuard } from '../guard-store.ts';
import { portraitSrc } from '../portraits.ts';
import { useApp } from '../store.ts';
import { DutyBadge, EmergencyPanel, SearchDialog, VisitorDialog } from './guard-dialogs.tsx';
import './guard.css';

const ICON = { allow: '✔', deny: '✖', info: 'ℹ' } as const;

// One formatter per language: building an Intl.DateTimeFormat per feed line costs more than the render.
const timeFormats = new Map<string, Intl.DateTimeFormat>();
function useTime() {
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
function usePassTitle() {
  const { t } = useTranslation('guard');
  return (p: GuardPassView): string => {
    if (p.holder) return p.holder.fullName;
    if (p.kind === 'visitor') return `${t('kind.visitor')}: ${p.note ?? ''}`;
    if (p.kind !== 'tap') return t(`kind.${p.kind}`);
    return t(`reason.${p.reason}` as 'reason.ok');
  };
}

/** Marks the moment the big card is on screen (after the next frame), for the tap-to-paint benchmark. */
function markPainted(id: string, commit: number, loaded: number): void {
  requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      (window.__guardPaints ??= []).push({ id, at: performance.timeOrigin + performance.now(), commit, loaded });
      if (window.__guardPaints.length > 5000) window.__guardPaints.splice(0, 1000);
      if ((window.__guardReceived?.size ?? 0) > 5000) window.__guardReceived?.clear();
      if ((window.__guardArrived?.size ?? 0) > 5000) window.__guardArrived?.clear();
    };
    ch.port2.postMessage(null);
  });
}

function TapCard({ pass }: { pass: GuardPassView }) {
  const { t } = useTranslation('guard');
  const time = useTime();
  const title = usePassTitle();
  const imgRef = useRef<HTMLImageElement>(null);
  useLayoutEffect(() => {
    const img = imgRef.current;
    const commit = performance.timeOrigin + performance.now();
    if (!img || img.complete) markPainted(pass.id, commit, commit);
    else img.addEventListener('load', () => markPainted(pass.id, commit, performance.timeOrigin + performance.now()), { once: true });
  }, [pass.id]);
  const verdictClass = pass.verdict === 'allow' ? 'v-allow' : pass.verdict === 'deny' ? 'v-deny' : 'v-info';
  const hash = pass.holder?.photoHash ?? null;
  return (
    <section className={`g-tap ${verdictClass} ${pass.alarm ? 'g-alarm' : ''}`} data-testid="last-tap" data-pass-id={pass.id} data-verdict={pass.verdict} data-reason={pass.reason}>
      <div className="g-photo">
        {hash ? (
          <img ref={imgRef} className="photo photo-large" src={portraitSrc(hash)} alt={pass.holder?.fullName ?? ''} draggable={false} />
        ) : pass.holder ? (
          <Photo hash={null} alt={pass.holder.fullName} />
        ) : (
          <div className="photo photo-large photo-missing" role="img" aria-label={t('reason.unknown_card')}>
            ?
          </div>
        )}
      </div>
      <div className="g-who">
        <h1 data-testid={pass.holder ? 'holder-name' : 'guard-name'}>{title(pass)}</h1>
        {pass.holder ? <p className="g-group" data-testid="guard-group">{pass.holder.group}</p> : null}
        <p className="g-meta">
          {pass.direction ? <span className="g-dir">{t(`direction.${pass.direction}`)}</span> : null}
          {pass.readerId ? <span> · {pass.readerId}</span> : null}
          <span> · {time(pass.at)}</span>
        </p>
      </div>
      <div className="g-outcome">
        <div className="g-verdict" data-testid="guard-verdict" role="status">
          <span className="g-icon" aria-hidden="true">
            {ICON[pass.verdict]}
          </span>
          <span className="g-word">{t(`verdict.${pass.verdict}`)}</span>
        </div>
        {pass.holder || pass.kind !== 'tap' ? (
          <p className="g-reason" data-testid="guard-reason">
            {t(`reason.${pass.reason}` as 'reason.ok')}
          </p>
        ) : null}
        {pass.printed ? (
          <p className="g-number" data-testid="guard-card-number">
            {t('unknownNumber', { dec: pass.printed.dec10 ?? '', hex: pass.printed.hex ?? '' })}
          </p>
        ) : null}
        {pass.reason === 'reader_no_role' || pass.reason === 'rate_limited' || pass.reason === 'holder_missing' ? <p className="g-it">{t('itNote')}</p> : null}
        <ul className="g-notices">
          {pass.notices.map((n) => (
            <li key={n} className={`g-notice n-${n}`} data-testid={`notice-${n}`}>
              {t(`notice.${n}`)}
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

const PassLine = memo(function PassLine({ pass, compact = false }: { pass: GuardPassView; compact?: boolean }) {
  const { t } = useTranslation('guard');
  const time = useTime();
  const title = usePassTitle();
  return (
    <li className={`g-line v-${pass.verdict} ${pass.alarm ? 'g-alarm' : ''}`} data-testid="guard-feed-item" data-reason={pass.reason}>
      {pass.holder ? <Photo hash={pass.holder.photoHash} alt={pass.holder.fullName} size="thumb" /> : <div className="photo photo-thumb photo-missing">?</div>}
      <span className="g-line-icon" aria-hidden="true">
        {ICON[pass.verdict]}
      </span>
      <span className="g-line-text">
        <strong>{title(pass)}</strong>
        {!compact ? (
          <small>
            {pass.holder ? `${pass.holder.group} · ` : ''}
            {pass.direction ? `${t(`direction.${pass.direction}`)} · ` : ''}
            {t(`reason.${pass.reason}` as 'reason.ok')}
          </small>
        ) : null}
      </span>
      <time>{time(pass.at)}</time>
    </li>
  );
});

function OfflineBanner() {
  const { t, i18n } = useTranslation('guard');
  const sync = useApp((s) => s.status?.sync);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(id);
  }, []);
  if (!sync || sync.state !== 'offline') return null;
  if (!sync.lastSyncAt) return <p className="g-offline" data-testid="guard-offline">{t('offlineNever')}</p>;
  const minutes = Math.max(0, Math.round((now - Date.parse(sync.lastSyncAt)) / 60_000));
  const age =
    minutes < 120 ? t('age.minutes', { count: minutes }) : minutes < 48 * 60 ? t('age.hours', { count: Math.round(minutes / 60) }) : t('age.days', { count: Math.round(minutes / 1440) });
  const time = new Date(sync.lastSyncAt).toLocaleString(i18n.language, { hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit' });
  return (
    <p className="g-offline" data-testid="guard-offline">
      {t('offline', { time, age })}
    </p>
  );
}

type Dialog = null | 'search' | 'spare' | 'visitor' | 'emergency';

/**
 * The big card. It subscribes to the current pass alone, so the frame that shows a new tap renders and
 * paints this card and nothing else (the strip, the feed and the counters follow a frame later).
 */
function CurrentTap({ showEmergency, onCloseEmergency }: { showEmergency: boolean; onCloseEmergency: () => void }) {
  const { t } = useTranslation('guard');
  const current = useGuard((s) => s.current);
  if (showEmergency) return <EmergencyPanel onClose={onCloseEmergency} />;
  if (current) return <TapCard key={current.id} pass={current} />;
  return (
    <section className="g-tap g-idle" data-testid="guard-idle">
      <p className="tap-prompt">{t('tapPrompt')}</p>
    </section>
  );
}

function Strip() {
  const { t } = useTranslation('guard');
  const strip = useGuard((s) => s.strip);
  if (strip.length === 0) return null;
  return (
    <section className="g-strip" aria-label={t('strip')}>
      <h2>{t('strip')}</h2>
      <ol data-testid="guard-strip">
        {strip.map((p) => (
          <PassLine key={p.id} pass={p} compact />
        ))}
      </ol>
    </section>
  );
}

function Counters() {
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

function Feed() {
  const { t } = useTranslation('guard');
  const feed = useGuard((s) => s.feed);
  const alarmsOnly = useGuard((s) => s.alarmsOnly);
  const setAlarmsOnly = useGuard((s) => s.setAlarmsOnly);
  return (
    <section className="g-feed">
      <div className="g-feed-head">
        <h2>{t('feed.title')}</h2>
        <div role="radiogroup" className="g-filter">
          <button type="button" role="radio" aria-checked={!alarmsOnly} className={`btn ${!alarmsOnly ? 'btn-primary' : ''}`} onClick={() => void setAlarmsOnly(false)}>
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
        {feed.map((p) => (
          <PassLine key={p.id} pass={p} />
        ))}
      </ol>
    </section>
  );
}

/** The guard post: the last tap large, a strip of the ones before, counters, actions and the feed. */
export function GuardScreen() {
  const { t } = useTranslation('guard');
  const emergency = useGuard((s) => s.emergency);
  const [dialog, setDialog] = useState<Dialog>(null);
  useEffect(() => connectGuardStore(), []);
  const showEmergency = dialog === 'emergency' || emergency.active;

  return (
    <main className={`guard-post ${emergency.active ? 'g-emergency-on' : ''}`} data-testid="guard-view">
      {emergency.active ? (
        <div className="g-emergency-banner" role="alert" data-testid="emergency-banner">
          ⚠ {t('emergency.banner')}
          {!emergency.gateHeld ? <strong> · {t('emergency.gateNotHeld')}</strong> : null}
        </div>
      ) : null}
      <OfflineBanner />
      <div className="g-grid">
        <div className="g-main">
          <CurrentTap showEmergency={showEmergency} onCloseEmergency={() => setDialog(null)} />
          <Strip />
        </div>
        <aside className="g-side">
          <DutyBadge />
          <Counters />
          <div className="g-actions">
            <button type="button" className="btn btn-primary" onClick={() => setDialog('search')} data-testid="guard-search-open">
              {t('actions.search')}
            </button>
            <button type="button" className="btn" onClick={() => setDialog('spare')} data-testid="guard-spare-open">
              {t('actions.spare')}
            </button>
            <button type="button" className="btn" onClick={() => setDialog('visitor')} data-testid="guard-visitor-open">
              {t('actions.visitor')}
            </button>
            <button type="button" className="btn btn-danger" onClick={() => setDialog('emergency')} data-testid="guard-emergency-open">
              ⚠ {t('actions.emergency')}
            </button>
          </div>
          <Feed />
        </aside>
      </div>
      {dialog === 'search' || dialog === 'spare' ? <SearchDialog purpose={dialog} onClose={() => setDialog(null)} /> : null}
      {dialog === 'visitor' ? <VisitorDialog onClose={() => setDialog(null)} /> : null}
    </main>
  );
}
