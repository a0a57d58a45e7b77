import { describe, expect, it } from 'vitest';
import { csvCell, csvLines } from '../../common/csv.ts';
import { renderInsideCsv } from '../../core/guard/inside-export.ts';

describe('CSV the station writes cannot run as a formula in a spreadsheet', () => {
  it.each([
    ['=HYPERLINK("http://x","Нажми")', `"'=HYPERLINK(""http://x"",""Нажми"")"`],
    ['+7 900 000-00-00', "'+7 900 000-00-00"],
    ['-1+2', "'-1+2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['Иванова Мария', 'Иванова Мария'],
    ['Смит; Джон', '"Смит; Джон"'],
    ['строка\nдве', '"строка\nдве"'],
  ])('%j → %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('a visitor whose name is a formula is written as text in the roll-call export', () => {
    const csv = renderInsideCsv(
      { classes: [], staff: [], visitors: [{ name: '=cmd|" /C calc"!A0', at: '2026-12-01T08:00:00.000Z' }] } as never,
      'ru',
      'Europe/Moscow',
    );
    expect(csv.split('\r\n')[1]).toMatch(/;"'=cmd\|"" \/C calc""!A0";11:00$/);
  });

  it('joins rows with CRLF', () => {
    expect(
      csvLines([
        ['a', 'b'],
        ['c', 'd'],
      ]),
    ).toBe('a;b\r\nc;d\r\n');
  });
});
