import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../../common/money.ts';
import { useApp } from '../shell/app-store.ts';

/**
 * Setup → the school's settings. They are set by the school's administrator on the backend and come with
 * the roster, so here they are shown, not edited: the time zone every school day is counted in, the
 * offline cap, the subsidy share and the release feed.
 */
export function SchoolSettingsSection() {
  const { t } = useTranslation('setup');
  const school = useApp((s) => s.status?.school);
  if (!school) return null;
  const rows: [string, string, string][] = [
    ['timeZone', t('school.timeZone'), school.timeZone],
    ['offlineCap', t('school.offlineCap'), formatMoney(school.offlineCapPerDay)],
    ['subsidy', t('school.subsidyShare'), `${school.subsidyDiscountPercent} %`],
    ['releaseFeed', t('school.releaseFeed'), school.releaseFeed ?? t('school.releaseFeedOwn')],
  ];
  return (
    <section className="setup-school" data-testid="setup-school">
      <h2>{t('school.title')}</h2>
      <p className="hint">{t('school.hint')}</p>
      <dl>
        {rows.map(([key, label, value]) => (
          <div key={key} className="field field-inline">
            <dt>{label}</dt>
            <dd data-testid={`school-${key}`}>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
