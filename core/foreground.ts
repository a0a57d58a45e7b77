/**
 * The screen comes first: a tap (a card on any reader) makes background work give way for a moment.
 * The sync engine awaits `giveWay()` before each roster page and each portrait it fetches; right after
 * a tap it resolves only once no card has come for `quietMs`, so the station process, the reference
 * backend's reply and Chromium's frame do not share the CPU with a 1,000-row roster page while the guard
 * or the cashier waits for the photo. A reader that never goes quiet (a flood) cannot stall sync: one
 * wait is at most `maxWaitMs`.
 */
export interface Foreground {
  /** A card was presented now. */
  touch(): void;
  /** Resolves at once when no card came in the last `quietMs`, otherwise when it has been quiet that long. */
  giveWay(): Promise<void>;
}

export function createForeground(options: { quietMs?: number; maxWaitMs?: number; now?: () => number } = {}): Foreground {
  const quietMs = options.quietMs ?? 300;
  const maxWaitMs = options.maxWaitMs ?? 2000;
  const now = options.now ?? (() => performance.now());
  let lastTouch = Number.NEGATIVE_INFINITY;
  return {
    touch() {
      lastTouch = now();
    },
    async giveWay() {
      const start = now();
      for (;;) {
        const t = now();
        const wait = Math.min(lastTouch + quietMs, start + maxWaitMs) - t;
        if (wait <= 0) return;
        await new Promise((r) => setTimeout(r, wait));
      }
    },
  };
}
