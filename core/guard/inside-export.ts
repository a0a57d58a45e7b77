import { csvLines } from '../../common/csv.ts';
import type { InsideList } from '../../common/contract/guard.ts';

/**
 * The roll call as a file for the evacuation point: CSV (opens in any spreadsheet) or a printable HTML
 * page. A document, not a screen: its few headings come in the station's language from this table.
 */
const WORDS = {
  ru: {
    title: 'Кто в здании',
    generated: 'Составлен',
    total: 'Всего',
    className: 'Класс',
    name: 'ФИО',
    since: 'Вошёл(а)',
    staff: 'Сотрудники',
    visitors: 'Посетители сегодня',
    reason: 'Причина',
    present: 'Отметка',
    post: 'Пост',
    dataAt: 'данные на',
    never: 'нет данных',
    otherPost: 'другой пост',
  },
  en: {
    title: 'Who is inside',
    generated: 'Generated',
    total: 'Total',
    className: 'Class',
    name: 'Full name',
    since: 'Entered',
    staff: 'Staff',
    visitors: 'Visitors today',
    reason: 'Reason',
    present: 'Check',
    post: 'Post',
    dataAt: 'data as of',
    never: 'no data',
    otherPost: 'another post',
  },
} as const;

/** A visitor's name, with the other post they came in at (the roll call lists those posts too). */
function visitorName(v: InsideList['visitors'][number], w: (typeof WORDS)['ru' | 'en']): string {
  // Not a string: this post's own visitor (a list from before posts were named has no field at all).
  return typeof v.post !== 'string' ? v.name : `${v.name} (${v.post || w.otherPost})`;
}

function time(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('ru-RU', { timeZone, hour: '2-digit', minute: '2-digit' }).format(Date.parse(iso));
}

/** Semicolon-separated (what a Russian-locale spreadsheet expects), one person per line. */
export function renderInsideCsv(list: InsideList, locale: 'ru' | 'en', timeZone: string): string {
  const w = WORDS[locale];
  const lines: string[][] = [[w.className, w.name, w.since]];
  for (const c of list.classes) for (const p of c.people) lines.push([c.className, p.fullName, time(p.since, timeZone)]);
  for (const p of list.staff) lines.push([w.staff, p.fullName, time(p.since, timeZone)]);
  for (const v of list.visitors) lines.push([w.visitors, visitorName(v, w), time(v.at, timeZone)]);
  // How far to trust the list: when each other post was last heard from.
  for (const p of list.posts ?? []) lines.push([w.post, p.name, p.heardAt ? `${w.dataAt} ${time(p.heardAt, timeZone)}` : w.never]);
  return csvLines(lines);
}

function esc(v: string): string {
  return v.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

export function renderInsideHtml(list: InsideList, locale: 'ru' | 'en', timeZone: string): string {
  const w = WORDS[locale];
  const table = (title: string, people: { fullName: string; since: string }[]) =>
    `<h2>${esc(title)} (${people.length})</h2><table><thead><tr><th>№</th><th>${w.name}</th><th>${w.since}</th><th>${w.present}</th></tr></thead><tbody>` +
    people.map((p, i) => `<tr><td>${i + 1}</td><td>${esc(p.fullName)}</td><td>${time(p.since, timeZone)}</td><td class="box"></td></tr>`).join('') +
    '</tbody></table>';
  const generated = new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(
    Date.parse(list.generatedAt),
  );
  return (
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${w.title}</title>` +
    '<style>body{font:14px sans-serif;margin:1.5cm}table{border-collapse:collapse;width:100%;margin-bottom:1em}' +
    'td,th{border:1px solid #444;padding:4px 8px;text-align:left}.box{width:2cm}h2{page-break-after:avoid;margin:.8em 0 .3em}</style></head><body>' +
    `<h1>${w.title}: ${list.total}</h1><p>${w.generated}: ${esc(generated)}</p>` +
    (list.posts ?? []).map((p) => `<p>${esc(p.name || w.post)}: ${p.heardAt ? `${w.dataAt} ${time(p.heardAt, timeZone)}` : w.never}</p>`).join('') +
    list.classes.map((c) => table(`${w.className} ${c.className}`, c.people)).join('') +
    (list.staff.length ? table(w.staff, list.staff) : '') +
    (list.visitors.length
      ? table(
          w.visitors,
          list.visitors.map((v) => ({ fullName: visitorName(v, w), since: v.at })),
        )
      : '') +
    '</body></html>'
  );
}
