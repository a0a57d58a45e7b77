import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import type { GroupMealDone } from '../../../common/contract/cashier.ts';
import type { Holder } from '../../../common/domain.ts';
import { formatMoney } from '../../../common/money.ts';
import { Photo } from '../components/photo.tsx';
import { useCashierErrorText } from './cashier-errors.ts';
import { errorReason, useCashier } from './cashier-store.ts';
import { station } from '../station-client.ts';
import { PinPad } from '../components/pin-pad.tsx';

type Payer = 'subsidy' | 'accounts' | 'school';

/** "Петрова Анна Алексеевна" → "Петрова А. А.": who recorded a meal, as a school writes it. */
function shortName(fullName: string): string {
  const [family, ...given] = fullName.trim().split(/\s+/);
  return [family, ...given.map((g) => `${g.charAt(0)}.`)].join(' ');
}

/** A class fed together: pick the class, mark who eats, choose who pays; one event, no taps. */
export function GroupMeal() {
  const { t, i18n } = useTranslation('cashier');
  const errorText = useCashierErrorText();
  const { t: ts } = useTranslation('school');
  const menu = useCashier((s) => s.menu);
  const complex = menu?.items.filter((i) => i.kind === 'complex') ?? [];
  const [classes, setClasses] = useState<string[]>([]);
  const [className, setClassName] = useState<string | null>(null);
  const [students, setStudents] = useState<(Holder & { presence?: { state: 'inside' | 'left' | 'absent'; at: string | null } })[]>([]);
  const [marked, setMarked] = useState<Set<string>>(new Set());
  const [itemId, setItemId] = useState<string | null>(null);
  const [payer, setPayer] = useState<Payer>('subsidy');
  const [teacherPin, setTeacherPin] = useState('');
  const [supervisorPin, setSupervisorPin] = useState('');
  // Today's group meals of the picked class at this till: a second one of the same meal asks a supervisor.
  const [done, setDone] = useState<GroupMealDone[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  // One id per attempt: pressing "record" twice records one group meal.
  const [groupMealId, setGroupMealId] = useState(() => uuidv7());

  useEffect(() => void station.invoke('cashier.classes', {}).then(setClasses), []);
  const loadDone = (c: string) => void station.invoke('cashier.groupMealsToday', { className: c }).then(setDone);
  useEffect(() => {
    if (!className) return;
    void station.invoke('cashier.classStudents', { className }).then((s) => {
      setStudents(s);
      // Ticked: the pupils inside by the school's posts (everyone when the school has no post here).
      setMarked(new Set(s.filter((x) => !x.presence || x.presence.state === 'inside').map((x) => x.id)));
    });
    loadDone(className);
  }, [className]);
  const item = complex.find((i) => i.id === (itemId ?? complex[0]?.id));
  const total = (item?.price ?? 0) * marked.size;
  const earlier = done.find((g) => g.className === className && g.itemId === item?.id) ?? null;
  const time = (iso: string) => new Date(iso).toLocaleTimeString(i18n.language === 'ru' ? 'ru-RU' : 'en-GB', { hour: '2-digit', minute: '2-digit' });

  const record = async () => {
    if (!className || !item || marked.size === 0) return;
    try {
      const r = await station.invoke('cashier.groupMeal', {
        groupMealId,
        className,
        itemId: item.id,
        studentIds: [...marked],
        payer,
        ...(teacherPin ? { teacherPin } : {}),
        ...(earlier && supervisorPin ? { supervisorPin } : {}),
      });
      setMessage({ ok: true, text: t('group.done', { count: r.students, className: r.className, total: formatMoney(r.total) }) });
      setGroupMealId(uuidv7());
      setTeacherPin('');
      setSupervisorPin('');
    } catch (err) {
      const r = errorReason(err);
      setMessage({ ok: false, text: errorText(r) });
      setSupervisorPin('');
    } finally {
      // Whatever happened, the next press sees what is recorded now (a meal just made, or one made meanwhile).
      loadDone(className);
    }
  };

  return (
    <section className="group-meal" data-testid="group-meal">
      <h2>{t('group.title')}</h2>
      {message ? (
        <p className={`notice ${message.ok ? 'notice-allow' : 'notice-deny'}`} role="status" data-testid="group-message">
          {message.text}
        </p>
      ) : null}
      <h3>{t('group.pickClass')}</h3>
      <div className="chip-row">
        {classes.map((c) => (
          <button key={c} type="button" className={`btn ${c === className ? 'selected' : ''}`} onClick={() => setClassName(c)} data-class={c}>
            {c}
          </button>
        ))}
      </div>
      <h3>{t('group.pickItem')}</h3>
      {complex.length === 0 ? <p className="notice notice-warn">{t('group.noComplex')}</p> : null}
      <div className="chip-row">
        {complex.map((i) => (
          <button key={i.id} type="button" className={`btn ${i.id === item?.id ? 'selected' : ''}`} onClick={() => setItemId(i.id)}>
            {i.name} · {formatMoney(i.price)}
          </button>
        ))}
      </div>
      <h3>{t('group.payer')}</h3>
      <div className="segmented" role="radiogroup" aria-label={t('group.payer')}>
        {(['subsidy', 'accounts', 'school'] as const).map((p) => (
          <button key={p} type="button" role="radio" aria-checked={payer === p} className={payer === p ? 'selected' : ''} onClick={() => setPayer(p)}>
            {t(`group.payers.${p}`)}
          </button>
        ))}
      </div>
      {className ? (
        <>
          <div className="row">
            <button type="button" className="btn" onClick={() => setMarked(new Set(students.map((s) => s.id)))}>
              {t('group.all')}
            </button>
            <button type="button" className="btn" onClick={() => setMarked(new Set())}>
              {t('group.none')}
            </button>
          </div>
          <ul className="group-students">
            {students.map((s) => {
              const on = marked.has(s.id);
              return (
                <li key={s.id}>
                  <button
                    type="button"
                    role="checkbox"
                    aria-checked={on}
                    className={`group-student ${on ? 'selected' : ''}`}
                    data-student={s.id}
                    onClick={() => {
                      const next = new Set(marked);
                      if (on) next.delete(s.id);
                      else next.add(s.id);
                      setMarked(next);
                    }}
                  >
                    <Photo hash={s.photoHash} alt={s.fullName} size="thumb" />
                    <span>{s.fullName}</span>
                    {s.presence && s.presence.state !== 'inside' ? (
                      <small className="group-absent" data-testid="group-absent">
                        {s.presence.state === 'left' && s.presence.at
                          ? ts('leftSchool', { time: new Date(s.presence.at).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' }) })
                          : ts('absentFromGroup')}
                      </small>
                    ) : null}
                    <span className="check-mark">{on ? '✔' : ''}</span>
                  </button>
                </li>
              );
            })}
          </ul>
          <details>
            <summary>{t('group.teacherPin')}</summary>
            <PinPad value={teacherPin} onChange={setTeacherPin} label={t('group.teacherPin')} testId="teacher-pin" />
          </details>
          {earlier ? (
            <div className="group-repeat">
              <p className="notice notice-warn" role="alert" data-testid="group-repeat">
                ⚠{' '}
                {earlier.operatorName
                  ? t('group.repeat', { className: earlier.className, item: earlier.itemName, time: time(earlier.at), who: shortName(earlier.operatorName) })
                  : t('group.repeatNoWho', { className: earlier.className, item: earlier.itemName, time: time(earlier.at) })}
              </p>
              <PinPad value={supervisorPin} onChange={setSupervisorPin} label={t('group.supervisorPin')} testId="group-supervisor-pin" />
            </div>
          ) : null}
          <button
            type="button"
            className="btn btn-primary btn-big"
            disabled={!item || marked.size === 0 || (earlier !== null && supervisorPin.length < 4)}
            onClick={() => void record()}
            data-testid="record-group-meal"
          >
            {t('group.record', { count: marked.size, total: formatMoney(total) })}
          </button>
        </>
      ) : null}
    </section>
  );
}
