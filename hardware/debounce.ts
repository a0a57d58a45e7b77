/**
 * One tap per presence: a card held on a reader is one tap; the same card taken away and shown
 * again within `retapMs` is a bounce of the same tap; after that it is a new tap. Pure and clock-driven
 * so the rule is tested without hardware.
 *
 * Readers that report removal (PC/SC) call `gone()`; readers that only repeat their frame while a card is
 * held (serial) pass `holdMs`: a card not seen for that long is gone.
 */
export type Sighting = 'tap' | 'held' | 'bounce';

export interface TapDebounceOptions {
  retapMs: number;
  /** Presence ends after this long without a sighting; Infinity when the reader reports removal. */
  holdMs?: number;
}

export class TapDebounce {
  readonly #retapMs: number;
  readonly #holdMs: number;
  #present: { key: string; lastSeen: number } | null = null;
  #lastGone: { key: string; at: number } | null = null;

  constructor(options: TapDebounceOptions) {
    this.#retapMs = options.retapMs;
    this.#holdMs = options.holdMs ?? Number.POSITIVE_INFINITY;
  }

  /** The key of the card currently on the reader, if any. */
  get present(): string | null {
    return this.#present?.key ?? null;
  }

  seen(key: string, now: number): Sighting {
    const p = this.#present;
    if (p && p.key === key && now - p.lastSeen <= this.#holdMs) {
      p.lastSeen = now;
      return 'held';
    }
    if (p) this.#lastGone = { key: p.key, at: p.key === key ? p.lastSeen : now };
    this.#present = { key, lastSeen: now };
    const g = this.#lastGone;
    if (g && g.key === key && now - g.at < this.#retapMs) return 'bounce';
    return 'tap';
  }

  /** The card left the reader (or the reader went away). Returns the key that was present. */
  gone(now: number): string | null {
    const p = this.#present;
    if (!p) return null;
    this.#lastGone = { key: p.key, at: Number.isFinite(this.#holdMs) ? Math.min(now, p.lastSeen) : now };
    this.#present = null;
    return p.key;
  }

  /** For hold-based readers: when the present card will count as gone, if nothing more is seen. */
  expiresAt(): number | null {
    return this.#present ? this.#present.lastSeen + this.#holdMs : null;
  }
}
