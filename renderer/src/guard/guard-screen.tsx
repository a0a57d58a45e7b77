import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApp } from '../shell/app-store.ts';
import { DutyBadge } from './duty-badge.tsx';
import { EmergencyPanel } from './emergency-panel.tsx';
import { connectGuardStore, useGuard } from './guard-store.ts';
import { Counters, Feed, Strip } from './pass-lists.tsx';
import { SearchDialog } from './search-dialog.tsx';
import { TapCard } from './tap-card.tsx';
import { VisitorDialog } from './visitor-dialog.tsx';
import './guard.css';
import { useSchoolTime } from '../shell/school-time.ts';

function OfflineBanner() {
  const { t } = useTranslation('guard');
  const schoolTime = useSchoolTime();
  const sync = useApp((s) => s.status?.sync);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(id);
  }, []);
  if (!sync || sync.state !== 'offline') return null;
  if (!sync.lastSyncAt)
    return (
      <p className="g-offline" data-testid="guard-offline">
        {t('offlineNever')}
      </p>
    );
  const minutes = Math.max(0, Math.round((now - Date.parse(sync.lastSyncAt)) / 60_000));
  const age =
    minutes < 120
      ? t('age.minutes', { count: minutes })
      : minutes < 48 * 60
        ? t('age.hours', { count: Math.round(minutes / 60) })
        : t('age.days', { count: Math.round(minutes / 1440) });
  const time = schoolTime(sync.lastSyncAt, { hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit' });
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
  const current = useGuard((s) => (s.current ? s.passes[s.current] : undefined));
  const misread = useGuard((s) => s.misread);
  const { t: tc } = useTranslation();
  const connected = useApp((s) => s.connected);
  if (showEmergency) return <EmergencyPanel onClose={onCloseEmergency} />;
  if (misread) {
    return (
      <section className="g-tap g-misread" role="alert" data-testid="guard-misread" key={misread}>
        <p className="g-misread-icon" aria-hidden="true">
          ↻
        </p>
        <p className="g-misread-text">{t('misread')}</p>
      </section>
    );
  }
  if (current) return <TapCard key={current.id} pass={current} />;
  // No line to the station: no tap can reach this screen, so it must not ask for one.
  return (
    <section className="g-tap g-idle" data-testid="guard-idle" data-connected={connected}>
      <p className="tap-prompt">{connected ? t('tapPrompt') : tc('status.connectionLost')}</p>
    </section>
  );
}

/**
 * The guard post: the last tap large, a strip of the ones before, counters, actions (search with manual
 * open, visitor pass, spare card, emergency) and the feed.
 */
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
          ⚠ {emergency.relay ? t('emergency.banner') : t('emergency.bannerNoRelay')}
          {emergency.relay && !emergency.gateHeld ? <strong> · {t('emergency.gateNotHeld')}</strong> : null}
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
