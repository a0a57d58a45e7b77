import { readerPart, type ReaderConfig } from '../common/readers.ts';
import { createBinaryFrameParser, createTextLineParser, DROP_REASONS, type DropReason, type FrameParser, type FrameResult } from '../common/reader-frames.ts';
import { BaseCardReader } from './card-reader.ts';
import { TapDebounce } from './debounce.ts';
import { defaultHardwareLog, type HardwareLog } from './log.ts';
import { SerialLink } from './serial-link.ts';

export type SerialReaderConfig = Extract<ReaderConfig, { kind: 'serial' }>;

export interface SerialReaderStats {
  cards: number;
  /** Frames seen again while the card stayed on the reader, or shown again within retapMs. */
  repeats: number;
  drops: Record<DropReason, number>;
  reconnects: number;
}

export interface SerialReaderOptions {
  log?: HardwareLog;
  /** Watch interval for a vanished port, ms (default 1000: a vanished port is noticed within ~1 s). */
  watchMs?: number;
}

/**
 * A USB-serial reader (Em-Marine 125 kHz or 13.56 MHz): text lines or binary frames, converted to the
 * canonical uid. Bad input is dropped with a counted, logged reason and the reader keeps reading.
 */
export class SerialReader extends BaseCardReader {
  readonly config: SerialReaderConfig;
  readonly #log: HardwareLog;
  readonly #link: SerialLink;
  readonly #debounce: TapDebounce;
  #parser: FrameParser;
  #silenceTimer: NodeJS.Timeout | null = null;
  #holdTimer: NodeJS.Timeout | null = null;
  readonly #stats: Omit<SerialReaderStats, 'reconnects'> = {
    cards: 0,
    repeats: 0,
    drops: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
  };

  constructor(config: SerialReaderConfig, options: SerialReaderOptions = {}) {
    super(config.id, 'serial', config.role);
    this.config = config;
    this.#log = options.log ?? defaultHardwareLog();
    this.#parser = this.#makeParser();
    this.#debounce = new TapDebounce({ retapMs: config.retapMs, holdMs: config.holdMs });
    this.#link = new SerialLink({
      path: config.path,
      baudRate: config.baudRate,
      dataBits: config.dataBits,
      parity: config.parity,
      stopBits: config.stopBits,
      log: this.#log,
      label: config.id,
      ...(options.watchMs ? { watchMs: options.watchMs } : {}),
    });
    this.#link.on('data', (chunk) => this.#onData(chunk));
    this.#link.on('state', (state, reason) => {
      if (state !== 'ready') this.#reset();
      this.setStatus(state, reason);
    });
  }

  /** Counters for IT and tests: cards read, repeats folded into one tap, drops by reason, reconnects. */
  stats(): SerialReaderStats {
    return { ...this.#stats, drops: { ...this.#stats.drops }, reconnects: this.#link.reconnects };
  }

  start(): void {
    if (this.status().state === 'error' && this.status().reason === 'invalid_pattern') return;
    this.#link.start();
  }

  async stop(): Promise<void> {
    this.#reset();
    await this.#link.stop();
  }

  #makeParser(): FrameParser {
    if (this.config.frame === 'binary') return createBinaryFrameParser();
    try {
      return createTextLineParser({
        format: this.config.format,
        technology: this.config.technology,
        pattern: this.config.pattern,
        maxLineLength: this.config.maxLineLength,
      });
    } catch (err) {
      this.#log.error({ reader: this.id, pattern: this.config.pattern, err: (err as Error).message }, 'serial: line pattern is not a regular expression');
      this.setStatus('error', 'invalid_pattern');
      return createTextLineParser({ format: this.config.format, technology: this.config.technology });
    }
  }

  #reset(): void {
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    this.#silenceTimer = null;
    this.#handle(this.#parser.flush());
    this.#endPresence();
  }

  #onData(chunk: Buffer): void {
    try {
      this.#handle(this.#parser.push(chunk));
      if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
      this.#silenceTimer = null;
      if (this.#parser.pending() > 0) {
        this.#silenceTimer = setTimeout(() => {
          this.#silenceTimer = null;
          this.#handle(this.#parser.flush());
        }, this.config.frameTimeoutMs);
      }
    } catch (err) {
      // A driver never throws into the process; a parser bug must not stop the reader either.
      this.#log.error({ reader: this.id, err }, 'serial: unexpected failure handling input');
      this.#parser = this.#makeParser();
    }
  }

  #handle(results: FrameResult[]): void {
    for (const r of results) {
      if (r.kind === 'drop') {
        this.#stats.drops[r.reason]++;
        // Not the bytes: a frame that failed its checksum still carries most of a card number.
        this.#log.warn({ reader: this.id, reason: r.reason, bytes: r.detail.length, dropped: this.#stats.drops[r.reason] }, 'reader: dropped bad input');
        continue;
      }
      const now = Date.now();
      const sighting = this.#debounce.seen(`${r.card.technology}:${r.card.uid}`, now);
      this.#armHold();
      if (sighting !== 'tap') {
        this.#stats.repeats++;
        continue;
      }
      this.#stats.cards++;
      this.emit('card', {
        readerId: this.id,
        technology: r.card.technology,
        uid: r.card.uid,
        part: readerPart(this.config),
        raw: r.card.raw,
        at: new Date(now).toISOString(),
      });
    }
  }

  #armHold(): void {
    if (this.#holdTimer) clearTimeout(this.#holdTimer);
    const at = this.#debounce.expiresAt();
    if (at === null) return;
    this.#holdTimer = setTimeout(() => this.#endPresence(), Math.max(0, at - Date.now()) + 1);
  }

  #endPresence(): void {
    if (this.#holdTimer) clearTimeout(this.#holdTimer);
    this.#holdTimer = null;
    if (this.#debounce.gone(Date.now()) !== null) this.emit('removed', { readerId: this.id, at: new Date().toISOString() });
  }
}
