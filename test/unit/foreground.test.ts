import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createForeground } from '../../core/foreground.ts';

/** Resolves the promise's state after letting due timers run: 'done' or 'waiting'. */
async function state(p: Promise<void>): Promise<'done' | 'waiting'> {
  let done = false;
  void p.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done ? 'done' : 'waiting';
}

describe('background sync gives way to a tap', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('does not wait when no card came, waits until it has been quiet after a tap', async () => {
    const fg = createForeground({ quietMs: 300, now: () => Date.now() });
    expect(await state(fg.giveWay())).toBe('done');

    fg.touch();
    const after = fg.giveWay();
    expect(await state(after)).toBe('waiting');
    await vi.advanceTimersByTimeAsync(299);
    expect(await state(after)).toBe('waiting');
    await vi.advanceTimersByTimeAsync(1);
    expect(await state(after)).toBe('done');
  });

  it('a second tap while waiting extends the wait', async () => {
    const fg = createForeground({ quietMs: 300, now: () => Date.now() });
    fg.touch();
    const p = fg.giveWay();
    await vi.advanceTimersByTimeAsync(200);
    fg.touch();
    await vi.advanceTimersByTimeAsync(200);
    expect(await state(p)).toBe('waiting');
    await vi.advanceTimersByTimeAsync(100);
    expect(await state(p)).toBe('done');
  });

  it('a reader that never goes quiet cannot stall sync: one wait ends after maxWaitMs', async () => {
    const fg = createForeground({ quietMs: 300, maxWaitMs: 1000, now: () => Date.now() });
    fg.touch();
    const p = fg.giveWay();
    for (let i = 0; i < 9; i++) {
      await vi.advanceTimersByTimeAsync(100);
      fg.touch();
    }
    expect(await state(p)).toBe('waiting');
    await vi.advanceTimersByTimeAsync(100);
    expect(await state(p)).toBe('done');
  });
});
