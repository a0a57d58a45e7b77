import { formatMoney, parseMoney, type Kopecks } from '../../../common/money.ts';
import { ServerUrl } from '../../../common/transport.ts';
import { RushWindow } from '../../../common/update-policy.ts';

/**
 * What IT types into the setup screen's parameter fields, read into settings values. Each reader answers
 * the value or the reason it is not one, as an i18n key under `stationSettings:errors` with its options,
 * so the screen says what to type instead; nothing invalid reaches the station.
 */
export type Field<T> = { ok: true; value: T } | { ok: false; error: 'integer' | 'money' | 'rush' | 'url'; options?: Record<string, string | number> };

export function wholeNumber(text: string, min: number, max: number): Field<number> {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { ok: false, error: 'integer', options: { min, max } };
  const n = Number(t);
  return n >= min && n <= max ? { ok: true, value: n } : { ok: false, error: 'integer', options: { min, max } };
}

export function rubles(text: string, max: Kopecks): Field<Kopecks> {
  const k = parseMoney(text);
  return k !== null && k >= 0 && k <= max ? { ok: true, value: k } : { ok: false, error: 'money', options: { max: formatMoney(max) } };
}

/** Kopecks as IT types them back: `300` or `150,50`. */
export function rublesText(k: Kopecks): string {
  return k % 100 === 0 ? String(k / 100) : `${Math.trunc(k / 100)},${String(k % 100).padStart(2, '0')}`;
}

/** `07:00–09:30, 13:00–15:00` (any dash; commas, semicolons or line breaks between windows). */
export function rushHours(text: string): Field<RushWindow[]> {
  const parts = text
    .split(/[,;\n]/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length > 8) return { ok: false, error: 'rush' };
  const windows: RushWindow[] = [];
  for (const p of parts) {
    const m = /^(\d{1,2}:\d{2})\s*[-–—]\s*(\d{1,2}:\d{2})$/.exec(p);
    const w = m ? RushWindow.safeParse({ from: m[1]!.padStart(5, '0'), to: m[2]!.padStart(5, '0') }) : null;
    if (!w?.success) return { ok: false, error: 'rush' };
    windows.push(w.data);
  }
  return { ok: true, value: windows };
}

export function rushHoursText(windows: readonly RushWindow[]): string {
  return windows.map((w) => `${w.from}–${w.to}`).join(', ');
}

/** An address, or null for an empty field. */
export function optionalUrl(text: string): Field<string | null> {
  const t = text.trim();
  if (!t) return { ok: true, value: null };
  return ServerUrl.safeParse(t).success ? { ok: true, value: t } : { ok: false, error: 'url' };
}
