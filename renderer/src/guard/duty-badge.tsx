import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Modal } from '../components/modal.tsx';
import { PinPad } from '../components/pin-pad.tsx';
import { station } from '../station-client.ts';
import { connectGuardDuty, useGuardDuty } from './duty-store.ts';
import { useErrorText } from './guard-errors.ts';

/** Who is on duty, small and out of the children's way; sign in with the personal PIN, sign out. */
export function DutyBadge() {
  const { t } = useTranslation('guard');
  const errorText = useErrorText();
  const { onDuty, known } = useGuardDuty();
  const [signingIn, setSigningIn] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => connectGuardDuty(), []);
  const signOut = async () => {
    setError(null);
    try {
      useGuardDuty.setState(await station.invoke('guard.duty', { action: 'signOut' }));
    } catch (err) {
      setError(errorText(err));
    }
  };
  if (!known) return null;
  return (
    <div className={`g-duty ${onDuty ? '' : 'g-duty-none'}`} data-testid="guard-duty">
      {onDuty ? (
        <>
          <span className="g-duty-who">
            <small>{t('duty.onDuty')}:</small> <strong data-testid="guard-duty-name">{onDuty.fullName}</strong>{' '}
            <small data-testid="guard-duty-position">{onDuty.position}</small>
          </span>
          <button type="button" className="btn btn-ghost" onClick={() => void signOut()} data-testid="guard-sign-out">
            {t('duty.signOut')}
          </button>
        </>
      ) : (
        <>
          <span className="g-duty-who">{t('duty.nobody')}</span>
          <button type="button" className="btn" onClick={() => setSigningIn(true)} data-testid="guard-sign-in">
            {t('duty.signIn')}
          </button>
        </>
      )}
      {error ? <p className="g-error">{error}</p> : null}
      {signingIn ? <SignInDialog onClose={() => setSigningIn(false)} /> : null}
    </div>
  );
}

type DutyPerson = { staffId: string; fullName: string; position: string };

/** The person is chosen first, then the PIN pad names them ("ПИН-код: Громов С. П."). */
function SignInDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('guard');
  const errorText = useErrorText();
  const [people, setPeople] = useState<DutyPerson[] | null>(null);
  const [who, setWho] = useState<DutyPerson | null>(null);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void station
      .invoke('guard.dutyStaff', {})
      .then((r) => setPeople(r.people))
      .catch(() => setPeople([]));
  }, []);
  const submit = async () => {
    setError(null);
    try {
      useGuardDuty.setState({ ...(await station.invoke('guard.duty', { action: 'signIn', pin, ...(who ? { staffId: who.staffId } : {}) })), known: true });
      onClose();
    } catch (err) {
      setError(errorText(err));
      setPin('');
    }
  };
  return (
    <Modal title={t('duty.signIn')} onClose={onClose} testId="guard-dialog-sign-in">
      <form
        className="g-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p className="g-muted">{t('duty.hint')}</p>
        {people === null ? null : people.length > 0 && !who ? (
          <div className="staff-pick" role="radiogroup" aria-label={t('duty.pickPerson')} data-testid="guard-duty-people">
            {people.map((p) => (
              <button key={p.staffId} type="button" role="radio" aria-checked={false} className="btn staff-btn" onClick={() => setWho(p)}>
                <strong>{p.fullName}</strong>
                <small>{p.position}</small>
              </button>
            ))}
          </div>
        ) : (
          <PinPad value={pin} onChange={setPin} testId="guard-pin" {...(who ? { person: who.fullName } : { label: t('duty.pin') })} />
        )}
        {error ? (
          <p className="g-error" role="alert" data-testid="guard-sign-in-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={pin.length < 4} data-testid="guard-sign-in-confirm">
          {t('duty.confirm')}
        </button>
      </form>
    </Modal>
  );
}
