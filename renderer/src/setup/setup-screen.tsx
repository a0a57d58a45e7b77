import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Locale, StationMode } from '../../../common/settings.ts';
import { useApp } from '../shell/app-store.ts';
import { AboutSection } from './about-section.tsx';
import { PrivacySection } from './privacy-section.tsx';
import { ReadersSetup } from './readers-setup.tsx';
import { SetupServer } from './server-setup.tsx';
import { SessionBadge, SetupLock, SetupPinForm } from '../it/setup-lock.tsx';
import type { ItSession } from '../../../common/contract/index.ts';
import { HeldEvents } from './held-events.tsx';
import { StationSettings } from './station-settings.tsx';
import { SchoolSettingsSection } from './school-settings.tsx';
import './setup.css';

/** IT's screen, behind IT's PIN (the station checks the session on every change it makes). */
export function SetupScreen() {
  return <SetupLock>{(session) => <SetupSections session={session} />}</SetupLock>;
}

/** Mode, language, station name, kiosk; readers, enrollment and updates add their sections here. */
function SetupSections({ session }: { session: ItSession }) {
  const { t, i18n } = useTranslation('setup');
  const it = useTranslation('it').t;
  const [pinChanged, setPinChanged] = useState(false);
  const settings = useApp((s) => s.settings);
  const update = useApp((s) => s.updateSettings);
  const openSetup = useApp((s) => s.openSetup);
  if (!settings) return null;

  const chooseMode = async (mode: StationMode) => {
    await update({ mode });
    openSetup(false);
  };
  const chooseLocale = async (locale: Locale) => {
    await update({ locale });
    await i18n.changeLanguage(locale);
  };

  return (
    <main className="setup" data-testid="setup-screen">
      <h1>{t('title')}</h1>
      <SessionBadge session={session} />
      <section>
        <h2>{t('modeTitle')}</h2>
        <div className="mode-choice">
          <button type="button" className={`mode-card ${settings.mode === 'guard' ? 'selected' : ''}`} onClick={() => void chooseMode('guard')}>
            <strong>{t('modeGuard')}</strong>
            <span>{t('modeGuardHint')}</span>
          </button>
          <button type="button" className={`mode-card ${settings.mode === 'cashier' ? 'selected' : ''}`} onClick={() => void chooseMode('cashier')}>
            <strong>{t('modeCashier')}</strong>
            <span>{t('modeCashierHint')}</span>
          </button>
        </div>
      </section>
      <section>
        <h2>{t('language')}</h2>
        <div className="segmented" role="radiogroup" aria-label={t('language')}>
          {(['ru', 'en'] as const).map((l) => (
            <button
              key={l}
              type="button"
              role="radio"
              aria-checked={settings.locale === l}
              className={settings.locale === l ? 'selected' : ''}
              onClick={() => void chooseLocale(l)}
            >
              {l === 'ru' ? 'Русский' : 'English'}
            </button>
          ))}
        </div>
      </section>
      <section>
        <label className="field">
          <span>{t('stationName')}</span>
          <input defaultValue={settings.stationName} maxLength={80} onBlur={(e) => void update({ stationName: e.currentTarget.value })} />
        </label>
        <label className="field field-inline">
          <input type="checkbox" checked={settings.kiosk} onChange={(e) => void update({ kiosk: e.currentTarget.checked })} />
          <span>{t('kiosk')}</span>
        </label>
      </section>
      <ReadersSetup />
      <StationSettings />
      <SetupServer />
      <SchoolSettingsSection />
      <HeldEvents />
      <PrivacySection />
      <AboutSection />
      <section data-testid="setup-pin-section">
        <SetupPinForm title={it('changeSetupPin')} onSet={() => setPinChanged(true)} />
        {pinChanged ? <p className="notice">{it('setupPinChanged')}</p> : null}
      </section>
      {settings.mode !== 'unset' ? (
        <button type="button" className="btn btn-primary" onClick={() => openSetup(false)}>
          {t('done')}
        </button>
      ) : null}
    </main>
  );
}
