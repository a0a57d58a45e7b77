import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CARD_FORMATS, isRandomUid, printedForms, type CardFormat } from '../../../common/card-id.ts';
import type { PartialPart } from '../../../common/card-match.ts';
import type { HardwareDiscovery } from '../../../common/contract/index.ts';
import { isReasonOf } from '../../../common/contract/refusals.ts';
import { ReaderConfig, ReaderFault, ReaderRole, readerPart } from '../../../common/readers.ts';
import { readerName } from '../shell/reader-name.ts';
import { bridgeError, station } from '../station-client.ts';
import { useApp } from '../shell/app-store.ts';
import { RelaySetup } from './relay-setup.tsx';

const ROLES = ReaderRole.options;

function newId(kind: string, taken: readonly ReaderConfig[]): string {
  for (let i = 1; ; i++) {
    const id = `${kind}-${i}`;
    if (!taken.some((r) => r.id === id)) return id;
  }
}

/**
 * Setup → Card readers: the PC/SC readers and serial ports found, the readers in use with their role
 * and number format, live state, and "tap to test" showing the canonical number beside its printed forms.
 */
export function ReadersSetup() {
  const { t } = useTranslation('hardware');
  const settings = useApp((s) => s.settings);
  const statuses = useApp((s) => s.status?.readers ?? []);
  const lastCard = useApp((s) => s.lastCard);
  const updateSettings = useApp((s) => s.updateSettings);
  const [draft, setDraft] = useState<ReaderConfig[]>(() => settings?.readers ?? []);
  const [found, setFound] = useState<HardwareDiscovery | null>(null);
  const [searching, setSearching] = useState(false);
  const [manualPath, setManualPath] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [misread, setMisread] = useState<string | null>(null);
  const [ambiguity, setAmbiguity] = useState<Partial<Record<PartialPart, number>> | null>(null);
  const openedAt = useMemo(() => new Date().toISOString(), []);

  const discover = async () => {
    setSearching(true);
    try {
      setFound(await station.invoke('hardware.discover', {}));
    } catch (err) {
      setMessage(t('saveFailed', { message: bridgeError(err).message }));
    } finally {
      setSearching(false);
    }
  };
  useEffect(() => {
    let live = true;
    station
      .invoke('hardware.discover', {})
      .then((d) => live && setFound(d))
      .catch(() => undefined);
    station
      .invoke('hardware.cardAmbiguity', {})
      .then((a) => live && setAmbiguity(a))
      .catch(() => undefined);
    const off = station.on('reader.misread', (m) => setMisread(m.at));
    return () => {
      live = false;
      off();
    };
  }, []);

  const add = (config: Record<string, unknown>) => {
    setDraft((d) => [...d, ReaderConfig.parse({ id: newId(String(config.kind), d), role: 'entry', ...config })]);
    setMessage(null);
  };
  const change = (id: string, patch: Record<string, unknown>) => {
    setDraft((d) => d.map((r) => (r.id === id ? ReaderConfig.parse({ ...r, ...patch }) : r)));
    setMessage(null);
  };
  const save = async () => {
    try {
      await updateSettings({ readers: draft });
      setMessage(t('saved'));
    } catch (err) {
      setMessage(t('saveFailed', { message: bridgeError(err).message }));
    }
  };

  const inUse = new Set(draft.flatMap((r) => (r.kind === 'pcsc' ? [r.readerName] : r.kind === 'serial' ? [r.path] : [])));
  const card = lastCard && lastCard.read.at >= openedAt ? lastCard : null;
  const stateOf = (id: string) => statuses.find((s) => s.readerId === id);

  return (
    <section className="readers-setup" data-testid="readers-setup">
      <h2>{t('title')}</h2>
      <p className="hint">{t('hint')}</p>

      <h3>{t('configured')}</h3>
      {draft.length === 0 ? <p className="hint">{t('none')}</p> : null}
      <ul className="reader-list">
        {draft.map((r) => {
          const st = stateOf(r.id);
          return (
            <li key={r.id} className="reader-row" data-testid={`reader-${r.id}`}>
              <div className="reader-head">
                <strong data-testid={`reader-name-${r.id}`}>{readerName(draft, r.id, (n) => t('defaultName', { n }))}</strong>
                <span className="hint">
                  {' '}
                  {t(`kind.${r.kind}`)}
                  {r.kind === 'pcsc' ? ` · ${r.readerName}` : r.kind === 'serial' ? ` · ${r.path}` : ''}
                </span>
                {st ? (
                  <span className={`reader-state reader-state-${st.state}`} data-testid={`reader-state-${r.id}`}>
                    {' · '}
                    {t(`state.${st.state}`)}
                    {st.reason ? ` (${isReasonOf(ReaderFault, st.reason) ? t(`reason.${st.reason}`) : st.reason})` : ''}
                  </span>
                ) : null}
              </div>
              <label className="field field-inline">
                <span>{t('name.label')}</span>
                <input
                  value={r.label}
                  maxLength={80}
                  size={24}
                  placeholder={t('defaultName', { n: draft.indexOf(r) + 1 })}
                  data-testid={`reader-label-${r.id}`}
                  onChange={(e) => change(r.id, { label: e.currentTarget.value })}
                />
              </label>
              <label className="field field-inline">
                <span>{t('role.label')}</span>
                <select value={r.role} onChange={(e) => change(r.id, { role: e.currentTarget.value })}>
                  {ROLES.map((role) => (
                    <option key={role} value={role}>
                      {t(`role.${role}`)}
                    </option>
                  ))}
                </select>
              </label>
              {r.kind === 'serial' || r.kind === 'wedge' ? (
                <label className="field field-inline">
                  <span>{t('format.label')}</span>
                  <select value={r.format} onChange={(e) => change(r.id, { format: e.currentTarget.value as CardFormat })}>
                    {CARD_FORMATS.map((f) => (
                      <option key={f} value={f}>
                        {t(`format.${f}`)}
                      </option>
                    ))}
                  </select>
                </label>
              ) : null}
              {(r.kind === 'serial' || r.kind === 'wedge') && r.format.startsWith('hex') ? (
                <label className="field field-inline">
                  <input type="checkbox" checked={r.partialUid} onChange={(e) => change(r.id, { partialUid: e.currentTarget.checked })} />
                  <span>{t('partialUid')}</span>
                </label>
              ) : null}
              {(r.kind === 'serial' || r.kind === 'wedge') && readerPart(r) !== 'full' && ambiguity ? (
                <p className={ambiguity[readerPart(r) as PartialPart] ? 'form-error' : 'hint'} data-testid={`reader-ambiguity-${r.id}`}>
                  {ambiguity[readerPart(r) as PartialPart] ? t('ambiguity.some', { count: ambiguity[readerPart(r) as PartialPart] ?? 0 }) : t('ambiguity.none')}
                </p>
              ) : null}
              {r.kind === 'serial' ? (
                <>
                  <label className="field field-inline">
                    <span>{t('frame.label')}</span>
                    <select value={r.frame} onChange={(e) => change(r.id, { frame: e.currentTarget.value })}>
                      <option value="text">{t('frame.text')}</option>
                      <option value="binary">{t('frame.binary')}</option>
                    </select>
                  </label>
                  <label className="field field-inline">
                    <span>{t('baudRate')}</span>
                    <select value={r.baudRate} onChange={(e) => change(r.id, { baudRate: Number(e.currentTarget.value) })}>
                      {[2400, 4800, 9600, 19200, 38400, 57600, 115200].map((b) => (
                        <option key={b} value={b}>
                          {b}
                        </option>
                      ))}
                    </select>
                  </label>
                </>
              ) : null}
              <button type="button" className="btn btn-ghost" onClick={() => setDraft((d) => d.filter((x) => x.id !== r.id))}>
                {t('remove')}
              </button>
            </li>
          );
        })}
      </ul>

      <h3>
        {t('found')}{' '}
        <button type="button" className="btn" onClick={() => void discover()} disabled={searching}>
          {searching ? t('searching') : t('refresh')}
        </button>
      </h3>
      <h4>{t('pcscFound')}</h4>
      {found && !found.pcscAvailable ? <p className="hint">{t('pcscUnavailable')}</p> : null}
      {found?.pcscAvailable && found.pcscReaders.length === 0 ? <p className="hint">{t('pcscNone')}</p> : null}
      <ul className="found-list">
        {found?.pcscReaders.map((name) => (
          <li key={name}>
            {name}{' '}
            <button type="button" className="btn" disabled={inUse.has(name)} onClick={() => add({ kind: 'pcsc', readerName: name })}>
              {t('add')}
            </button>
          </li>
        ))}
      </ul>
      <h4>{t('serialFound')}</h4>
      {found && found.serialPorts.length === 0 ? <p className="hint">{t('serialNone')}</p> : null}
      <ul className="found-list">
        {found?.serialPorts.map((p) => (
          <li key={p.path}>
            {p.path} {p.manufacturer ? <span className="hint">{p.manufacturer}</span> : null}
            {p.likelyRelay ? <span className="hint"> · {t('likelyRelay')}</span> : null}{' '}
            <button type="button" className="btn" disabled={inUse.has(p.path)} onClick={() => add({ kind: 'serial', path: p.path })}>
              {t('add')}
            </button>
          </li>
        ))}
      </ul>
      <form
        className="field field-inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (manualPath.trim()) add({ kind: 'serial', path: manualPath.trim() });
          setManualPath('');
        }}
      >
        <span>{t('manualPath')}</span>
        <input value={manualPath} placeholder="/dev/ttyUSB0, COM3" onChange={(e) => setManualPath(e.currentTarget.value)} />
        <button type="submit" className="btn">
          {t('add')}
        </button>
      </form>
      <button type="button" className="btn" disabled={draft.some((r) => r.kind === 'wedge')} onClick={() => add({ kind: 'wedge' })}>
        {t('addWedge')}
      </button>

      <div className="enroll-actions">
        <button type="button" className="btn btn-primary" onClick={() => void save()} data-testid="readers-save">
          {t('save')}
        </button>
        {message ? <span role="status">{message}</span> : null}
      </div>

      <h3>{t('test.title')}</h3>
      <div className="tap-test" data-testid="tap-test" aria-live="polite">
        {misread && misread >= openedAt ? <p className="form-error">{t('misread')}</p> : null}
        {card ? (
          <>
            <p>
              {t('test.reader')}: <strong>{readerName(draft, card.read.readerId, (n) => t('defaultName', { n }))}</strong>
            </p>
            <p>
              {t('test.canonical')}: <strong data-testid="tap-test-uid">{`${card.read.technology} ${card.read.uid}`}</strong>
            </p>
            {isRandomUid({ technology: card.read.technology, uid: card.read.uid }) ? <p className="form-error">{t('test.randomUid')}</p> : null}
            <p>{t('test.printed')}:</p>
            <table>
              <tbody>
                {Object.entries(printedForms(card.read.uid)).map(([format, text]) => (
                  <tr key={format}>
                    <td>{t(`format.${format as CardFormat}`)}</td>
                    <td>
                      <code>{text}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : (
          <p className="hint">{t('test.waiting')}</p>
        )}
      </div>
      <RelaySetup ports={found?.serialPorts.map((p) => p.path) ?? []} />
    </section>
  );
}
