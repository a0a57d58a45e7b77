import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ItSession, ItStatus } from '../../../common/contract/index.ts';
import { ItRefusal, isReasonOf } from '../../../common/contract/refusals.ts';
import { PinPad } from '../components/pin-pad.tsx';
import { shortName } from '../components/short-name.ts';
import { useApp } from '../shell/app-store.ts';
import { bridgeError, station } from '../station-client.ts';
import './it.css';

/** How often the open setup asks whether its session is still alive (it ends after idle minutes). */
const SESSION_POLL_MS = 10_000;
/** The station setup PIN is longer than a staff PIN: it guards the whole station. */
const SETUP_PIN_MIN = 6;

/**
 * Setup opens only inside an IT session (the station checks it on every change): the person is chosen
 * first, then the PIN pad names them. At a first start, the station's setup PIN is set here. Leaving
 * setup (unmounting) ends the session; a session that ended by itself brings the lock back.
 */
export function SetupLock({ children }: { children: (session: ItSession) => ReactNode }) {
  const { t } = useTranslation('it');
  const [status, setStatus] = useState<ItStatus | null>(null);
  const [session, setSession] = useState<ItSession | null>(null);

  const refresh = useCallback(
    () =>
      station
        .invoke('it.status', {})
        .then((s) => {
          setStatus(s);
          setSession(s.session);
        })
        .catch(() => undefined),
    [],
  );

  useEffect(() => {
    void refresh();
    return () => {
      void station.invoke('it.signOut', {}).catch(() => undefined);
    };
  }, [refresh]);
  useEffect(() => {
    if (!session) return;
    const timer = setInterval(() => void refresh(), SESSION_POLL_MS);
    return () => clearInterval(timer);
  }, [session, refresh]);
  // The session ended by itself (idle): setup closes, so the screen shows what taps now do (passes,
  // sales) rather than a setup that no longer takes changes. A station with no mode stays on the lock.
  const hadSession = useRef(false);
  useEffect(() => {
    if (session) {
      hadSession.current = true;
      return;
    }
    if (!hadSession.current) return;
    hadSession.current = false;
    if (useApp.getState().settings?.mode !== 'unset') useApp.getState().openSetup(false);
  }, [session]);

  if (!status) return null;
  if (session) return <>{children(session)}</>;
  return (
    <main className="setup setup-lock" data-testid="setup-lock">
      <h1>{t('lockTitle')}</h1>
      {!status.setupPinSet && status.setupPinOpen ? <FirstSetupPin onOpened={setSession} /> : <SignIn status={status} onOpened={setSession} />}
    </main>
  );
}

function SignIn({ status, onOpened }: { status: ItStatus; onOpened: (s: ItSession) => void }) {
  const { t } = useTranslation('it');
  // undefined: nobody chosen yet; null: the station's setup PIN.
  const [who, setWho] = useState<string | null | undefined>(undefined);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const person = who ? status.people.find((p) => p.staffId === who) : null;

  const open = async () => {
    if (who === undefined) return;
    setError(null);
    try {
      onOpened(await station.invoke('it.signIn', { staffId: who, pin }));
    } catch (err) {
      const e = bridgeError(err);
      const reason = e.reason ?? 'pin_wrong';
      setError(isReasonOf(ItRefusal, reason) ? t(`errors.${reason}`) : e.message);
      setPin('');
    }
  };

  if (who === undefined) {
    return (
      <section>
        <p className="hint">{t('lockHint')}</p>
        {status.people.length === 0 ? <p className="notice notice-warn">{t('nobody')}</p> : null}
        <div className="staff-pick" role="radiogroup" aria-label={t('lockTitle')}>
          {status.people.map((p) => (
            <button key={p.staffId} type="button" role="radio" aria-checked={false} className="btn staff-btn" onClick={() => setWho(p.staffId)}>
              <strong>{p.fullName}</strong>
              <small>{p.position}</small>
            </button>
          ))}
          {status.setupPinSet ? (
            <button type="button" role="radio" aria-checked={false} className="btn staff-btn" onClick={() => setWho(null)} data-testid="it-setup-pin">
              <strong>{t('setupPin')}</strong>
              <small>{t('setupPinHint')}</small>
            </button>
          ) : null}
        </div>
      </section>
    );
  }
  return (
    <form
      className="pin-form"
      onSubmit={(e) => {
        e.preventDefault();
        void open();
      }}
    >
      {who === null ? (
        <PinPad value={pin} onChange={setPin} label={t('setupPin')} testId="it-pin" />
      ) : (
        <PinPad value={pin} onChange={setPin} person={person?.fullName ?? who} testId="it-pin" />
      )}
      {error ? (
        <p className="notice notice-deny" role="alert" data-testid="it-error">
          {error}
        </p>
      ) : null}
      <div className="enroll-actions">
        <button type="button" className="btn" onClick={() => setWho(undefined)}>
          {t('back')}
        </button>
        <button type="submit" className="btn btn-primary btn-big" disabled={pin.length < 4}>
          {t('open')}
        </button>
      </div>
    </form>
  );
}

/** The station's setup PIN, typed twice: at a first start, or to change it from inside setup. */
export function SetupPinForm({ onSet, title, hint }: { onSet: (s: ItSession) => void; title: string; hint?: string }) {
  const { t } = useTranslation('it');
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setError(null);
    if (pin.length < SETUP_PIN_MIN) return setError(t('tooShort'));
    if (pin !== again) return setError(t('mismatch'));
    try {
      onSet(await station.invoke('it.setSetupPin', { pin }));
      setPin('');
      setAgain('');
    } catch (err) {
      const e = bridgeError(err);
      const reason = e.reason ?? 'it_session_required';
      setError(isReasonOf(ItRefusal, reason) ? t(`errors.${reason}`) : e.message);
    }
  };
  return (
    <form
      className="pin-form"
      data-testid="setup-pin-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>{title}</h2>
      {hint ? <p className="hint">{hint}</p> : null}
      <div className="it-pin-pair">
        <PinPad value={pin} onChange={setPin} label={t('newPin')} testId="setup-pin-new" />
        <PinPad value={again} onChange={setAgain} label={t('repeatPin')} testId="setup-pin-repeat" />
      </div>
      {error ? (
        <p className="notice notice-deny" role="alert" data-testid="it-error">
          {error}
        </p>
      ) : null}
      <button type="submit" className="btn btn-primary btn-big" disabled={pin.length < 4 || again.length < 4}>
        {t('setPin')}
      </button>
    </form>
  );
}

function FirstSetupPin({ onOpened }: { onOpened: (s: ItSession) => void }) {
  const { t } = useTranslation('it');
  return <SetupPinForm onSet={onOpened} title={t('firstTitle')} hint={t('firstHint')} />;
}

/** Who opened setup, shown at its top. */
export function SessionBadge({ session }: { session: ItSession }) {
  const { t } = useTranslation('it');
  return (
    <p className="it-session" data-testid="it-session">
      {session.fullName ? t('openedBy', { name: shortName(session.fullName) }) : t('openedBySetupPin')}
    </p>
  );
}
