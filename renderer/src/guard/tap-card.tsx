import { useTranslation } from 'react-i18next';
import type { GuardPassView } from '../../../common/contract/index.ts';
import { Photo } from '../components/photo.tsx';
import { portraitSrc } from '../portraits.ts';
import { useReaderName } from '../shell/reader-name.ts';
import { ICON, usePassReason, usePassTitle, useTime } from './pass-format.ts';

/** The big card: photo first, then name and class, then the verdict as colour + icon + word. */
export function TapCard({ pass }: { pass: GuardPassView }) {
  const { t } = useTranslation('guard');
  const time = useTime();
  const title = usePassTitle();
  const reasonText = usePassReason();
  const verdictClass = pass.verdict === 'allow' ? 'v-allow' : pass.verdict === 'deny' ? 'v-deny' : 'v-info';
  const hash = pass.holder?.photoHash ?? null;
  const readerName = useReaderName();
  return (
    <section
      className={`g-tap ${verdictClass} ${pass.alarm ? 'g-alarm' : ''}`}
      data-testid="last-tap"
      data-pass-id={pass.id}
      data-verdict={pass.verdict}
      data-reason={pass.reason}
    >
      <div className="g-photo">
        {hash ? (
          <img className="photo photo-large" src={portraitSrc(hash)} alt={pass.holder?.fullName ?? ''} draggable={false} />
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
        {pass.holder ? (
          <p className="g-group" data-testid="guard-group">
            {pass.holder.group}
          </p>
        ) : null}
        {pass.kind === 'visitor' && pass.note ? (
          <p className="g-note" data-testid="guard-note">
            {pass.note}
          </p>
        ) : null}
        <p className="g-meta">
          {pass.direction ? <span className="g-dir">{t(`direction.${pass.direction}`)}</span> : null}
          {pass.readerId ? <span data-testid="pass-reader"> · {readerName(pass.readerId)}</span> : null}
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
            {reasonText(pass.reason)}
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
