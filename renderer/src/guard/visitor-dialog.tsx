import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { VISITOR_REASONS, type VisitorReason } from '../../../common/guard-rules.ts';
import { Modal } from '../components/modal.tsx';
import { station } from '../station-client.ts';
import { useErrorText } from './guard-errors.ts';
import { OperatorPin, useOperatorPin } from './operator-pin.tsx';

/** A visitor let in by name and reason, under the guard on duty. */
export function VisitorDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('guard');
  const errorText = useErrorText();
  const [name, setName] = useState('');
  const [reason, setReason] = useState<VisitorReason>('parent');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const op = useOperatorPin();
  const submit = async () => {
    try {
      await station.invoke('guard.visitorPass', { visitorName: name, reason, note, ...op.input() });
      onClose();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <Modal title={t('visitor.title')} onClose={onClose} testId="guard-dialog-visitor">
      {error ? <p className="g-error">{error}</p> : null}
      <form
        className="g-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="g-field">
          {t('visitor.name')}
          <input className="g-input" autoFocus required value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-testid="visitor-name" />
        </label>
        <fieldset>
          <legend>{t('visitor.reason')}</legend>
          {VISITOR_REASONS.map((r) => (
            <label key={r} className="g-choice">
              <input type="radio" name="vreason" checked={reason === r} onChange={() => setReason(r)} /> {t(`reason.${r}`)}
            </label>
          ))}
        </fieldset>
        <label className="g-field">
          {t('visitor.note')}
          <input className="g-input" value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} data-testid="visitor-note" />
        </label>
        <OperatorPin op={op} />
        <button type="submit" className="btn btn-primary" disabled={name.trim() === '' || !op.ready} data-testid="visitor-open">
          {t('visitor.open')}
        </button>
      </form>
    </Modal>
  );
}
