import { describe, expect, it } from 'vitest';
import { TapDebounce } from '../../hardware/debounce.ts';

describe('one tap per presence', () => {
  it('a card held on a reader that reports removal is one tap; taken away and back after the interval is two', () => {
    const d = new TapDebounce({ retapMs: 1000 });
    expect(d.seen('A', 0)).toBe('tap');
    expect(d.seen('A', 5000)).toBe('held');
    expect(d.gone(6000)).toBe('A');
    expect(d.seen('A', 6500)).toBe('bounce');
    d.gone(6600);
    expect(d.seen('A', 7700)).toBe('tap');
    expect(d.seen('B', 7701)).toBe('tap');
  });

  it('a serial reader repeating its frame while the card is held is one tap', () => {
    const d = new TapDebounce({ retapMs: 1000, holdMs: 500 });
    expect(d.seen('A', 0)).toBe('tap');
    for (let t = 300; t <= 3000; t += 300) expect(d.seen('A', t)).toBe('held');
    expect(d.expiresAt()).toBe(3500);
    expect(d.seen('A', 3800)).toBe('bounce');
    expect(d.seen('A', 6000)).toBe('tap');
  });

  it('a different card is always a new tap', () => {
    const d = new TapDebounce({ retapMs: 1000, holdMs: 500 });
    expect(d.seen('A', 0)).toBe('tap');
    expect(d.seen('B', 100)).toBe('tap');
  });
});
