import { CardFormatError, toCanonicalUid } from '../common/card-id.ts';
import { readerPart, type ReaderConfig } from '../common/readers.ts';
import { BaseCardReader } from './card-reader.ts';
import { TapDebounce } from './debounce.ts';
import { defaultHardwareLog, type HardwareLog } from './log.ts';

export type WedgeReaderConfig = Extract<ReaderConfig, { kind: 'wedge' }>;

/**
 * A keyboard-wedge reader: it types the number into whichever window has focus, so the renderer
 * detects the burst (common/wedge-detector.ts) and forwards the text through the bridge; this driver
 * turns that text into a card read like any other reader's.
 */
export class WedgeReader extends BaseCardReader {
  readonly config: WedgeReaderConfig;
  readonly #log: HardwareLog;
  readonly #debounce: TapDebounce;
  #running = false;
  drops = 0;

  constructor(config: WedgeReaderConfig, options: { log?: HardwareLog } = {}) {
    super(config.id, 'wedge', config.role);
    this.config = config;
    this.#log = options.log ?? defaultHardwareLog();
    // A wedge reader types once per presentation; a second burst within retapMs is the same tap.
    this.#debounce = new TapDebounce({ retapMs: config.retapMs, holdMs: 0 });
  }

  start(): void {
    this.#running = true;
    // Ready as soon as a window can receive its keystrokes; the renderer reports bursts as they come.
    this.setStatus('ready');
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.setStatus('disconnected');
  }

  /** The renderer saw a burst. Returns false (and logs) when the text is not a card number in this format. */
  burst(text: string, at = new Date()): boolean {
    if (!this.#running) return false;
    let uid: string;
    try {
      uid = toCanonicalUid(text, this.config.format);
    } catch (err) {
      if (!(err instanceof CardFormatError)) throw err;
      this.drops++;
      // Not the message: it quotes what was typed, which may be a card number in another format.
      this.#log.warn({ reader: this.id, reason: 'bad_uid', chars: text.length }, 'reader: dropped bad input');
      return false;
    }
    const when = at.getTime();
    if (this.#debounce.seen(`${this.config.technology}:${uid}`, when) !== 'tap') return true;
    this.#debounce.gone(when);
    this.emit('card', { readerId: this.id, technology: this.config.technology, uid, part: readerPart(this.config), raw: text, at: at.toISOString() });
    this.emit('removed', { readerId: this.id, at: at.toISOString() });
    return true;
  }
}
