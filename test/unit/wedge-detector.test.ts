import { describe, expect, it } from 'vitest';
import { WedgeDetector, type WedgeOutput } from '../../common/wedge-detector.ts';

/** Types `keys` starting at t with the given gaps; runs the flush timer like the renderer does. */
function type(d: WedgeDetector, keys: string[], gaps: number[], t0 = 1000) {
  let t = t0;
  const out: WedgeOutput[] = [];
  const swallowed: string[] = [];
  keys.forEach((k, i) => {
    if (i > 0) {
      t += gaps[(i - 1) % gaps.length] ?? 0;
      const dl = d.deadline();
      if (dl !== null && dl < t) out.push(...d.flush(dl));
    }
    const r = d.key(k, t);
    out.push(...r.out);
    if (r.swallow) swallowed.push(k);
  });
  const dl = d.deadline();
  if (dl !== null) out.push(...d.flush(dl));
  return { out, swallowed };
}

const chars = (s: string) => [...s];

describe('keyboard-wedge burst detector', () => {
  it('turns a fast burst ending in Enter into a card and lets nothing reach the field', () => {
    const d = new WedgeDetector({ maxGapMs: 25 });
    const { out, swallowed } = type(d, [...chars('0009334109'), 'Enter'], [3, 8, 1, 12]);
    expect(out).toEqual([{ kind: 'card', text: '0009334109' }]);
    expect(swallowed).toHaveLength(11);
  });

  it('gives ordinary typing back to the field, in order, with Enter left alone', () => {
    const d = new WedgeDetector({ maxGapMs: 25 });
    const { out } = type(d, [...chars('1234567890'), 'Enter'], [40, 90, 35]);
    expect(out.every((o) => o.kind === 'text')).toBe(true);
    expect(out.map((o) => o.text).join('')).toBe('1234567890');
  });

  it('does not take a short fast run (e.g. key rollover) for a card', () => {
    const d = new WedgeDetector({ maxGapMs: 25 });
    const { out } = type(d, ['1', '2', 'Enter'], [5]);
    expect(out).toEqual([{ kind: 'text', text: '12' }]);
  });

  it('releases held keys before a key that cannot be part of a card', () => {
    const d = new WedgeDetector({ maxGapMs: 25 });
    const r1 = d.key('a', 0);
    expect(r1.swallow).toBe(true);
    const r2 = d.key('z', 5);
    expect(r2).toEqual({ swallow: false, out: [{ kind: 'text', text: 'a' }] });
  });

  it('reads a Wiegand burst typed with Shift presses in between', () => {
    const d = new WedgeDetector({ maxGapMs: 25, minLength: 9 });
    const { out } = type(d, ['1', '4', '2', 'Shift', ',', '2', '7', '9', '9', '7', 'Enter'], [2]);
    expect(out).toEqual([{ kind: 'card', text: '142,27997' }]);
  });

  it('a pause in the middle of a burst splits it: the first part is text', () => {
    const d = new WedgeDetector({ maxGapMs: 25 });
    const { out } = type(d, [...chars('123456'), ...chars('7890123456'), 'Enter'], [2, 2, 2, 2, 2, 60, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(out).toEqual([
      { kind: 'text', text: '123456' },
      { kind: 'card', text: '7890123456' },
    ]);
  });
});
