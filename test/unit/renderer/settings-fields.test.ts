import { describe, expect, it } from 'vitest';
import { optionalUrl, rubles, rublesText, rushHours, rushHoursText, wholeNumber } from '../../../renderer/src/setup/settings-fields.ts';

describe("setup's parameter fields", () => {
  it('whole numbers within bounds; anything else names the bounds', () => {
    expect(wholeNumber(' 10 ', 0, 1440)).toEqual({ ok: true, value: 10 });
    expect(wholeNumber('0', 0, 1440)).toEqual({ ok: true, value: 0 });
    for (const bad of ['', '-1', '1.5', '1e3', '1441', 'десять'])
      expect(wholeNumber(bad, 0, 1440)).toEqual({ ok: false, error: 'integer', options: { min: 0, max: 1440 } });
  });

  it('rubles as a person types them, into kopecks and back', () => {
    expect(rubles('250,50', 100_000_00)).toEqual({ ok: true, value: 250_50 });
    expect(rubles('1 000', 100_000_00)).toEqual({ ok: true, value: 1000_00 });
    expect(rubles('300.5', 100_000_00)).toEqual({ ok: true, value: 300_50 });
    expect(rubles('-5', 100_000_00)).toMatchObject({ ok: false, error: 'money' });
    expect(rubles('сто', 100_000_00)).toMatchObject({ ok: false, error: 'money' });
    expect(rubles('100001', 100_000_00)).toMatchObject({ ok: false, error: 'money' });
    expect(rublesText(250_50)).toBe('250,50');
    expect(rublesText(300_00)).toBe('300');
    expect(rublesText(5)).toBe('0,05');
  });

  it('rush hours: any dash, commas or semicolons, at most eight, each a real window', () => {
    expect(rushHours('7:30-9:00; 12:30 – 14:00')).toEqual({
      ok: true,
      value: [
        { from: '07:30', to: '09:00' },
        { from: '12:30', to: '14:00' },
      ],
    });
    expect(rushHours('')).toEqual({ ok: true, value: [] });
    expect(rushHoursText([{ from: '07:00', to: '09:30' }])).toBe('07:00–09:30');
    for (const bad of ['25:00–26:00', '07:00', '07:00–07:00', Array(9).fill('07:00–08:00').join(',')])
      expect(rushHours(bad)).toEqual({ ok: false, error: 'rush' });
  });

  it('an update server address: https, plain http only to this computer, empty for the default', () => {
    expect(optionalUrl('  ')).toEqual({ ok: true, value: null });
    expect(optionalUrl('https://updates.school.example')).toEqual({ ok: true, value: 'https://updates.school.example' });
    expect(optionalUrl('http://127.0.0.1:8787/releases')).toMatchObject({ ok: true });
    expect(optionalUrl('http://updates.school.example')).toEqual({ ok: false, error: 'url' });
    expect(optionalUrl('ftp://x')).toEqual({ ok: false, error: 'url' });
  });
});
