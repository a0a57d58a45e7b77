import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CARD_TECHNOLOGIES, isCanonicalUid, type CardTechnology } from '../../../common/card-id.ts';
import type { KeptAsideFile } from '../../../common/contract/index.ts';
import { bridgeError, station } from '../station-client.ts';

/**
 * Setup → Personal data: the tag a card has in the logs (logs never carry card numbers), and damaged
 * databases kept aside in the data folder, which IT deletes once dealt with.
 */
export function PrivacySection() {
  const { t, i18n } = useTranslation('privacy');
  const [technology, setTechnology] = useState<CardTechnology>('iso14443');
  const [uid, setUid] = useState('');
  const [tag, setTag] = useState<string | null>(null);
  const [kept, setKept] = useState<KeptAsideFile[]>([]);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    station.invoke('store.keptAside', {}).then(
      (files) => live && setKept(files),
      (err: unknown) => live && setMessage(t('failed', { message: bridgeError(err).message })),
    );
    return () => {
      live = false;
    };
  }, [t]);

  const lookUp = async () => {
    const canonical = uid.replace(/[\s:]/g, '').toUpperCase();
    if (!isCanonicalUid(canonical)) {
      setTag(null);
      setMessage(t('badUid'));
      return;
    }
    setMessage(null);
    try {
      setTag((await station.invoke('station.cardTag', { technology, uid: canonical })).tag);
    } catch (err) {
      setMessage(t('failed', { message: bridgeError(err).message }));
    }
  };
  const remove = async (name: string) => {
    try {
      setKept(await station.invoke('store.deleteKeptAside', { name }));
      setMessage(t('deleted'));
    } catch (err) {
      setMessage(t('failed', { message: bridgeError(err).message }));
    }
  };

  return (
    <section data-testid="privacy-section">
      <h2>{t('title')}</h2>
      <p className="hint">{t('tagHint')}</p>
      <div className="field-inline">
        <select aria-label={t('technology')} value={technology} onChange={(e) => setTechnology(e.currentTarget.value as CardTechnology)}>
          {CARD_TECHNOLOGIES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <input aria-label={t('uid')} placeholder={t('uid')} value={uid} maxLength={40} onChange={(e) => setUid(e.currentTarget.value)} />
        <button type="button" onClick={() => void lookUp()}>
          {t('lookUp')}
        </button>
        {tag ? <strong data-testid="card-tag">{tag}</strong> : null}
      </div>
      <h3>{t('keptTitle')}</h3>
      {kept.length === 0 ? (
        <p className="hint">{t('keptNone')}</p>
      ) : (
        <ul data-testid="kept-aside">
          {kept.map((f) => (
            <li key={f.name}>
              <code>{f.name}</code> · {t('size', { kb: Math.ceil(f.bytes / 1024) })} · {new Date(f.modifiedAt).toLocaleString(i18n.language)}{' '}
              <button type="button" onClick={() => void remove(f.name)}>
                {t('delete')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {message ? <p role="status">{message}</p> : null}
    </section>
  );
}
