/**
 * Keyboard-wedge readers type the card number and Enter with gaps of a few milliseconds; people type
 * with gaps of 30 ms and more. The renderer feeds every keydown here (capture phase) and follows the
 * decision: a key that might start a burst is held back (`swallow`), then either becomes part of a
 * card (`card` output; nothing reaches the focused field) or is given back to the field (`text`
 * output, which the renderer inserts where it would have gone). Pure: time comes from the event.
 */
export interface WedgeOptions {
  /** Largest gap between two keys of one burst, ms (a reader's is 1–12 ms). */
  maxGapMs: number;
  /** Fewest characters a card number has (Wiegand "FFF,NNNNN" is 9, 10-digit decimal is 10, hex 8+). */
  minLength?: number;
  maxLength?: number;
}

export type WedgeOutput = { kind: 'card'; text: string } | { kind: 'text'; text: string };

export interface WedgeDecision {
  /** preventDefault the key: it is held back or part of a card. */
  swallow: boolean;
  /** In order: text to give back to the field (before this key's own effect) and/or a completed card. */
  out: WedgeOutput[];
}

const CARD_CHAR = /^[0-9A-Fa-f,.:]$/;
const PASS_THROUGH = new Set(['Shift', 'CapsLock', 'NumLock']);

export class WedgeDetector {
  readonly #maxGap: number;
  readonly #minLen: number;
  readonly #maxLen: number;
  #buf = '';
  #lastAt = 0;

  constructor(options: WedgeOptions) {
    this.#maxGap = options.maxGapMs;
    this.#minLen = options.minLength ?? 6;
    this.#maxLen = options.maxLength ?? 32;
  }

  /** Keys held back right now (the renderer shows nothing for them until they are released). */
  get pending(): string {
    return this.#buf;
  }

  /** The time after which `flush` would give the held keys back, or null when nothing is held. */
  deadline(): number | null {
    return this.#buf ? this.#lastAt + this.#maxGap : null;
  }

  key(key: string, at: number): WedgeDecision {
    const out: WedgeOutput[] = [];
    if (this.#buf && at - this.#lastAt > this.#maxGap) out.push(this.#release());
    if (PASS_THROUGH.has(key)) return { swallow: false, out };
    if (key === 'Enter') {
      if (this.#buf.length >= this.#minLen) {
        out.push({ kind: 'card', text: this.#buf });
        this.#buf = '';
        return { swallow: true, out };
      }
      if (this.#buf) out.push(this.#release());
      return { swallow: false, out };
    }
    if (key.length === 1 && CARD_CHAR.test(key) && this.#buf.length < this.#maxLen) {
      this.#buf += key;
      this.#lastAt = at;
      return { swallow: true, out };
    }
    if (this.#buf) out.push(this.#release());
    return { swallow: false, out };
  }

  /** Called by a timer at `deadline()`: a pause longer than a reader's ends the would-be burst. */
  flush(now: number): WedgeOutput[] {
    if (this.#buf && now - this.#lastAt >= this.#maxGap) return [this.#release()];
    return [];
  }

  #release(): WedgeOutput {
    const text = this.#buf;
    this.#buf = '';
    return { kind: 'text', text };
  }
}
