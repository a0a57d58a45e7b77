import { z } from 'zod';

/** Money is always an integer number of kopecks: the schema and the type are one name. */
export const Kopecks = z.number().int().safe();
export type Kopecks = z.infer<typeof Kopecks>;

export function isKopecks(value: unknown): value is Kopecks {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

export function rubles(r: number, k = 0): Kopecks {
  return r * 100 + k;
}

/**
 * `1 234,50 ₽`: thousands grouped by a no-break space, a decimal comma, always two kopeck digits.
 * The same form is used in Russian and English so a cashier's figures never change shape.
 */
export function formatMoney(amount: Kopecks): string {
  if (!isKopecks(amount)) throw new TypeError(`money must be integer kopecks, got ${String(amount)}`);
  const sign = amount < 0 ? '−' : '';
  const abs = Math.abs(amount);
  const rub = Math.trunc(abs / 100);
  const kop = abs % 100;
  const grouped = String(rub).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${sign}${grouped},${String(kop).padStart(2, '0')}\u00a0₽`;
}

/** Parses `1234,5`, `1 234.50`, `12` (rubles) into kopecks; null when it is not a sum of money. */
export function parseMoney(text: string): Kopecks | null {
  const cleaned = text.replace(/[\s\u00a0₽]/g, '').replace('−', '-');
  const m = /^(-?)(\d+)(?:[.,](\d{1,2}))?$/.exec(cleaned);
  if (!m) return null;
  const kop = Number(m[2]) * 100 + Number((m[3] ?? '0').padEnd(2, '0'));
  return m[1] === '-' ? -kop : kop;
}

export function sumKopecks(values: readonly Kopecks[]): Kopecks {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
