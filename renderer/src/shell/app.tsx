import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { SyncAttention } from '../backend-sync/sync-attention.tsx';
import { CashierScreen } from '../cashier/cashier-screen.tsx';
import { DemoReaderPanel } from '../demo/demo-reader-panel.tsx';
import { GuardScreen } from '../guard/guard-screen.tsx';
import { SetupScreen } from '../setup/setup-screen.tsx';
import { useApp } from './app-store.ts';
import { FaultScreen } from './fault-screen.tsx';
import { StatusBar } from './status-bar.tsx';
import { useWedgeCapture } from './wedge-capture.ts';

export function App() {
  const { t, i18n } = useTranslation();
  // The fault alone, not the whole status: a status event after every tap must not re-render the screen.
  const fault = useApp((s) => s.status?.fault ?? null);
  const settings = useApp((s) => s.settings);
  const setupOpen = useApp((s) => s.setupOpen);
  const attentionOpen = useApp((s) => s.attentionOpen);
  // A keyboard-wedge reader types into whatever has focus: its bursts become taps, never text.
  useWedgeCapture();

  useEffect(() => {
    if (settings && settings.locale !== i18n.language) void i18n.changeLanguage(settings.locale);
  }, [settings, i18n]);
  useEffect(() => {
    document.documentElement.lang = i18n.language;
    document.title = t('appName');
  }, [i18n.language, t]);

  const mode = settings?.mode ?? 'unset';
  let body;
  if (fault) body = <FaultScreen fault={fault} />;
  else if (!settings) body = null;
  else if (attentionOpen) body = <SyncAttention />;
  else if (setupOpen || mode === 'unset') body = <SetupScreen />;
  else if (mode === 'guard') body = <GuardScreen />;
  else body = <CashierScreen />;

  return (
    <div className={`app app-${mode}`} data-ready={settings || fault ? 'true' : 'false'}>
      <StatusBar />
      <div className="app-body">
        {body}
        {!fault ? <DemoReaderPanel /> : null}
      </div>
    </div>
  );
}
