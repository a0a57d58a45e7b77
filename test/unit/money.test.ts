import { describe, expect, it } from 'vitest';
import { formatMoney, parseMoney, rubles } from '../../common/money.ts';

const NBSP = '\u00a0';

describe('money', () => {
  it.each([
    [0, `0,00${NBSP}₽`],
    [5, `0,05${NBSP}₽`],
    [12_345_0, `1${NBSP}234,50${NBSP}₽`],
    [rubles(1_000_000), `1${NBSP}000${NBSP}000,00${NBSP}₽`],
    [-95_00, `−95,00${NBSP}₽`],
  ])('formats %i kopecks as %s', (kop, text) => {
    expect(formatMoney(kop)).toBe(text);
  });

  it('refuses fractional kopecks: money is never a float', () => {
    expect(() => formatMoney(10.5)).toThrow(/integer kopecks/);
  });

  it.each([
    ['1234,5', 123450],
    ['1 234.50', 123450],
    ['12', 1200],
    ['0,07', 7],
    [`1${NBSP}234,50${NBSP}₽`, 123450],
    ['abc', null],
    ['1,234', null],
  ])('parses %s', (text, kop) => {
    expect(parseMoney(text)).toBe(kop);
  });
});
