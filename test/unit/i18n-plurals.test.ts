import { createInstance } from 'i18next';
import { describe, expect, it } from 'vitest';
import { resources } from '../../renderer/src/i18n/index.ts';

async function t(lng: 'ru' | 'en') {
  const i = createInstance();
  await i.init({ resources, lng, defaultNS: 'common', interpolation: { escapeValue: false } });
  return i.t.bind(i);
}

describe('counts are spoken with the language’s plural forms', () => {
  it.each([
    [1, 'Записан 1 ученик класса 5А, 10 ₽'],
    [2, 'Записано 2 ученика класса 5А, 10 ₽'],
    [5, 'Записано 5 учеников класса 5А, 10 ₽'],
    [11, 'Записано 11 учеников класса 5А, 10 ₽'],
    [21, 'Записан 21 ученик класса 5А, 10 ₽'],
    [22, 'Записано 22 ученика класса 5А, 10 ₽'],
  ])('ru group meal, %i', async (count, text) => {
    expect((await t('ru'))('cashier:group.done', { count, className: '5А', total: '10 ₽' })).toBe(text);
  });

  it.each([
    [1, '1 день назад'],
    [3, '3 дня назад'],
    [5, '5 дней назад'],
    [31, '31 день назад'],
  ])('ru age in days, %i', async (count, text) => {
    expect((await t('ru'))('guard:age.days', { count })).toBe(text);
  });

  it('en uses one and other', async () => {
    const en = await t('en');
    expect(en('cashier:group.done', { count: 1, className: '5A', total: '$1' })).toBe('Recorded: 1 student of 5A, $1');
    expect(en('guard:age.days', { count: 2 })).toBe('2 days ago');
  });

  it('no Russian text the guard reads says "PIN" in Latin letters', () => {
    const strings: string[] = [];
    const walk = (o: unknown) => {
      if (typeof o === 'string') strings.push(o);
      else if (o && typeof o === 'object') Object.values(o).forEach(walk);
    };
    walk(resources.ru.guard);
    walk(resources.ru.cashier);
    expect(strings.filter((s) => /\bPIN\b/.test(s))).toEqual([]);
  });
});
