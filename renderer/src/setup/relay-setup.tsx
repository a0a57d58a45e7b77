import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Direction } from '../../../common/domain.ts';
import { GateConfig } from '../../../common/readers.ts';
import { bridgeError, station } from '../station-client.ts';
import { useApp } from '../shell/app-store.ts';

/** Setup → Turnstile relay: port, channel per direction, pulse length, and a test button per direction. */
export function RelaySetup({ ports }: { ports: readonly string[] }) {
  const { t } = useTranslation('hardware');
  const settings = useApp((s) => s.settings);
  const updateSettings = useApp((s) => s.updateSettings);
  const saved = settings?.guard.relay ?? null;
  const [path, setPath] = useState(saved?.path ?? '');
  const [entryChannel, setEntry] = useState(saved?.entryChannel ?? 1);
  const [exitChannel, setExit] = useState(saved?.exitChannel ?? 2);
  const [pulseMs, setPulse] = useState(saved?.pulseMs ?? 1000);
  const [confirm, setConfirm] = useState(saved?.confirm ?? true);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!settings) return null;

  const save = async () => {
    setMessage(null);
    try {
      const relay = path.trim() ? GateConfig.parse({ kind: 'lcus', path: path.trim(), entryChannel, exitChannel, pulseMs, confirm }) : null;
      await updateSettings({ guard: { ...settings.guard, relay } });
      setMessage(t('saved'));
    } catch (err) {
      setMessage(t('saveFailed', { message: bridgeError(err).message }));
    }
  };
  const test = async (direction: Direction) => {
    setBusy(true);
    setMessage(null);
    try {
      const r = await station.invoke('hardware.testRelay', { direction });
      setMessage(r.ok ? (r.confirmed ? t('relay.opened') : t('relay.openedUnconfirmed')) : t(`relay.failure.${r.reason}`));
    } catch (err) {
      setMessage(t('saveFailed', { message: bridgeError(err).message }));
    } finally {
      setBusy(false);
    }
  };
  const number = (set: (n: number) => void) => (e: { currentTarget: { value: string } }) => set(Number(e.currentTarget.value));

  return (
    <section className="relay-setup" data-testid="relay-setup">
      <h2>{t('relay.title')}</h2>
      <p className="hint">{t('relay.hint')}</p>
      <label className="field">
        <span>{t('relay.path')}</span>
        <input list="relay-ports" value={path} placeholder={t('relay.none')} onChange={(e) => setPath(e.currentTarget.value)} />
        <datalist id="relay-ports">
          {ports.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
      </label>
      <label className="field field-inline">
        <span>{t('relay.entryChannel')}</span>
        <input type="number" min={1} max={8} value={entryChannel} onChange={number(setEntry)} />
      </label>
      <label className="field field-inline">
        <span>{t('relay.exitChannel')}</span>
        <input type="number" min={1} max={8} value={exitChannel} onChange={number(setExit)} />
      </label>
      <label className="field field-inline">
        <span>{t('relay.pulseMs')}</span>
        <input type="number" min={50} max={30000} step={50} value={pulseMs} onChange={number(setPulse)} />
      </label>
      <label className="field field-inline">
        <input type="checkbox" checked={confirm} onChange={(e) => setConfirm(e.currentTarget.checked)} />
        <span>{t('relay.confirm')}</span>
      </label>
      <div className="enroll-actions">
        <button type="button" className="btn btn-primary" onClick={() => void save()} data-testid="relay-save">
          {t('relay.save')}
        </button>
        <button type="button" className="btn" disabled={busy} onClick={() => void test('in')}>
          {t('relay.testEntry')}
        </button>
        <button type="button" className="btn" disabled={busy} onClick={() => void test('out')}>
          {t('relay.testExit')}
        </button>
      </div>
      {message ? (
        <p role="status" data-testid="relay-message">
          {message}
        </p>
      ) : null}
    </section>
  );
}
