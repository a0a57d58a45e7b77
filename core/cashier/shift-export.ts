import { csvLines } from '../../common/csv.ts';
import type { ShiftReport } from '../../common/contract/cashier.ts';
import { formatMoney } from '../../common/money.ts';
import type { PaymentKind } from '../../common/shift-totals.ts';

/**
 * The shift report as a spreadsheet file beside its JSON: the same figures as the screen and the
 * printout (gross, voids, net, by payment, by category), money in rubles as the screen writes it. A
 * document, not a screen: its words come in the station's language from this table.
 */
const WORDS = {
  ru: {
    title: 'Отчёт о смене',
    operator: 'Кассир',
    opened: 'Открыта',
    closed: 'Закрыта',
    section: 'Раздел',
    line: 'Строка',
    count: 'Количество',
    amount: 'Сумма',
    totals: 'Итоги',
    gross: 'Начислено',
    voids: 'Аннулировано',
    net: 'Итого за смену',
    byPayment: 'По видам оплаты',
    byCategory: 'По категориям',
    sum: 'Сумма раздела',
    payment: {
      sale_account: 'Продажи: со счёта',
      sale_subsidy: 'Продажи: льгота',
      group_subsidy: 'Групповое питание: льгота (бюджет)',
      group_accounts: 'Групповое питание: счета учеников',
      group_school: 'Групповое питание: школа',
    },
  },
  en: {
    title: 'Shift report',
    operator: 'Cashier',
    opened: 'Opened',
    closed: 'Closed',
    section: 'Section',
    line: 'Line',
    count: 'Count',
    amount: 'Amount',
    totals: 'Totals',
    gross: 'Gross',
    voids: 'Voided',
    net: 'Net for the shift',
    byPayment: 'By payment',
    byCategory: 'By category',
    sum: 'Section total',
    payment: {
      sale_account: 'Sales: from accounts',
      sale_subsidy: 'Sales: subsidy',
      group_subsidy: 'Group meals: subsidy (budget)',
      group_accounts: "Group meals: students' accounts",
      group_school: 'Group meals: the school',
    },
  },
} as const satisfies Record<'ru' | 'en', { payment: Record<PaymentKind, string> } & Record<string, unknown>>;

function when(iso: string, locale: 'ru' | 'en', timeZone: string): string {
  return new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(Date.parse(iso));
}

/** Semicolon-separated (what a Russian-locale spreadsheet expects). */
export function renderShiftCsv(report: ShiftReport, locale: 'ru' | 'en', timeZone: string): string {
  const w = WORDS[locale];
  const m = report.money;
  const sum = (xs: readonly { total: number }[]) => formatMoney(xs.reduce((s, x) => s + x.total, 0));
  const rows: string[][] = [
    [w.title],
    [w.operator, report.operatorName],
    [w.opened, when(report.openedAt, locale, timeZone)],
    [w.closed, when(report.closedAt, locale, timeZone)],
    [],
    [w.section, w.line, w.count, w.amount],
    [w.totals, w.gross, String(m.gross.count), formatMoney(m.gross.total)],
    [w.totals, w.voids, String(m.voids.count), formatMoney(-m.voids.total)],
    [w.totals, w.net, String(m.net.count), formatMoney(m.net.total)],
    ...m.byPayment.map((p) => [w.byPayment, w.payment[p.kind], String(p.count), formatMoney(p.total)]),
    [w.byPayment, w.sum, '', sum(m.byPayment)],
    ...m.byCategory.map((c) => [w.byCategory, c.category, String(c.quantity), formatMoney(c.total)]),
    [w.byCategory, w.sum, '', sum(m.byCategory)],
  ];
  return csvLines(rows);
}
