import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AntiPassback } from '../../../common/guard-rules.ts';
import type { Settings, ShowBalance } from '../../../common/settings.ts';
import { bridgeError } from '../station-client.ts';
import { useApp } from '../shell/app-store.ts';
import { optionalUrl, rushHours, rushHoursText, wholeNumber, type Field } from './settings-fields.ts';

type Draft = {
  antiPassback: AntiPassback;
  antiPassbackMinutes: string;
  showBalance: ShowBalance;
  checkHours: string;
  quietMinutes: string;
  rushHours: string;
  feedUrl: string;
};

function draftOf(s: Settings): Draft {
  return {
    antiPassback: s.guard.antiPassback,
    antiPassbackMinutes: String(s.guard.antiPassbackMinutes),
    showBalance: s.showBalance,
    checkHours: String(s.update.checkIntervalHours),
    quietMinutes: String(s.update.quietAfterTapMinutes),
    rushHours: rushHoursText(s.update.rushHours),
    feedUrl: s.update.feedUrl ?? '',
  };
}

/**
 * Setup → the station's parameters the README lists that have no section of their own: anti-passback and
 * its window, whether the till may show a balance (the offline cap and subsidy share are the school's,
 * shown read-only by school-settings.tsx), and the updates'
 * interval, quiet time, rush hours and feed. Each field is read before saving and says what is wrong.
 */
export function StationSettings() {
  const { t } = useTranslation('stationSettings');
  const settings = useApp((s) => s.settings);
  const updateSettings = useApp((s) => s.updateSettings);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  // Field errors show after the first "save", not while IT is still typing.
  const [shown, setShown] = useState(false);
  if (!settings) return null;
  const d = draft ?? draftOf(settings);
  const set = (patch: Partial<Draft>) => {
    setDraft({ ...d, ...patch });
    setMessage(null);
  };

  const fields = {
    antiPassbackMinutes: wholeNumber(d.antiPassbackMinutes, 0, 1440),
    checkHours: wholeNumber(d.checkHours, 1, 168),
    quietMinutes: wholeNumber(d.quietMinutes, 0, 60),
    rushHours: rushHours(d.rushHours),
    feedUrl: optionalUrl(d.feedUrl),
  };
  const error = (f: Field<unknown>, id: string) =>
    shown && !f.ok ? (
      <span className="field-error" role="alert" data-testid={`error-${id}`}>
        {t(`errors.${f.error}`, { min: '', max: '', ...f.options })}
      </span>
    ) : null;

  const save = async () => {
    setShown(true);
    const f = fields;
    if (!f.antiPassbackMinutes.ok || !f.checkHours.ok || !f.quietMinutes.ok || !f.rushHours.ok || !f.feedUrl.ok) {
      setMessage({ ok: false, text: t('invalid') });
      return;
    }
    try {
      await updateSettings({
        guard: { ...settings.guard, antiPassback: d.antiPassback, antiPassbackMinutes: f.antiPassbackMinutes.value },
        showBalance: d.showBalance,
        update: {
          ...settings.update,
          checkIntervalHours: f.checkHours.value,
          quietAfterTapMinutes: f.quietMinutes.value,
          rushHours: f.rushHours.value,
          feedUrl: f.feedUrl.value,
        },
      });
      setDraft(null);
      setShown(false);
      setMessage({ ok: true, text: t('saved') });
    } catch (err) {
      setMessage({ ok: false, text: t('failed', { message: bridgeError(err).message }) });
    }
  };

  const choice = <T extends string>(
    label: string,
    value: T,
    options: readonly T[],
    word: (o: T) => string,
    onPick: (o: T) => void,
    testId: string,
  ): ReactNode => (
    <div className="field">
      <span>{label}</span>
      <div className="segmented" role="radiogroup" aria-label={label} data-testid={testId}>
        {options.map((o) => (
          <button key={o} type="button" role="radio" aria-checked={value === o} className={value === o ? 'selected' : ''} onClick={() => onPick(o)}>
            {word(o)}
          </button>
        ))}
      </div>
    </div>
  );
  const number = (id: keyof typeof fields & keyof Draft, label: string, min: number, max: number) => (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        value={d[id]}
        aria-invalid={shown && !fields[id].ok}
        onChange={(e) => set({ [id]: e.currentTarget.value })}
        data-testid={`setting-${id}`}
      />
      {error(fields[id], id)}
    </label>
  );

  return (
    <section className="station-settings" data-testid="station-settings">
      <h2>{t('title')}</h2>
      <p className="hint">{t('hint')}</p>
      <h3>{t('guard.title')}</h3>
      {choice(
        t('guard.antiPassback'),
        d.antiPassback,
        ['off', 'warn', 'deny'] as const,
        (o) => t(`guard.modes.${o}`),
        (o) => set({ antiPassback: o }),
        'setting-antiPassback',
      )}
      {number('antiPassbackMinutes', t('guard.window'), 0, 1440)}
      <h3>{t('cashier.title')}</h3>
      {choice(
        t('cashier.showBalance'),
        d.showBalance,
        ['never', 'on_request'] as const,
        (o) => t(`cashier.balance.${o}`),
        (o) => set({ showBalance: o }),
        'setting-showBalance',
      )}
      <p className="hint">{t('cashier.showBalanceHint')}</p>
      <h3>{t('update.title')}</h3>
      {number('checkHours', t('update.checkHours'), 1, 168)}
      {number('quietMinutes', t('update.quietMinutes'), 0, 60)}
      <label className="field">
        <span>{t('update.rushHours')}</span>
        <input
          className="input-rush"
          value={d.rushHours}
          placeholder="07:00–09:30, 13:00–15:00"
          aria-invalid={shown && !fields.rushHours.ok}
          onChange={(e) => set({ rushHours: e.currentTarget.value })}
          data-testid="setting-rushHours"
        />
        <span className="hint">{t('update.rushHint')}</span>
        {error(fields.rushHours, 'rushHours')}
      </label>
      <label className="field">
        <span>{t('update.feedUrl')}</span>
        <input
          type="url"
          inputMode="url"
          value={d.feedUrl}
          placeholder="https://"
          aria-invalid={shown && !fields.feedUrl.ok}
          onChange={(e) => set({ feedUrl: e.currentTarget.value })}
          data-testid="setting-feedUrl"
        />
        <span className="hint">{t('update.feedHint')}</span>
        {error(fields.feedUrl, 'feedUrl')}
      </label>
      <div className="enroll-actions">
        <button type="button" className="btn btn-primary" onClick={() => void save()} data-testid="station-settings-save">
          {t('save')}
        </button>
        {message ? (
          <span role="status" className={message.ok ? '' : 'field-error'} data-testid="station-settings-message">
            {message.text}
          </span>
        ) : null}
      </div>
    </section>
  );
}
