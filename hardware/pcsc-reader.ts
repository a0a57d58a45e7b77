import type { Reader } from 'nfc-pcsc';
import { bytesToHex } from '../common/card-id.ts';
import type { ReaderConfig } from '../common/readers.ts';
import { BaseCardReader } from './card-reader.ts';
import { TapDebounce } from './debounce.ts';
import { defaultHardwareLog, type HardwareLog } from './log.ts';
import { acquirePcscContext, pcscdAnswers, releasePcscContext, type PcscContext } from './pcsc-context.ts';

export type PcscReaderConfig = Extract<ReaderConfig, { kind: 'pcsc' }>;

/** GET DATA, uid of the card in the field (PC/SC part 3): answered by the reader for any contactless card. */
const GET_UID = Buffer.from([0xff, 0xca, 0x00, 0x00, 0x00]);
const READERS_SETTLE_MS = 1000;

export interface PcscReaderStats {
  cards: number;
  /** Cards re-presented within retapMs (one tap). */
  bounces: number;
  /** Cards whose uid could not be read, by reason. */
  misreads: Record<string, number>;
  /** Times the reader was attached (1 + reattachments after unplug or a pcscd restart). */
  attachments: number;
}

export interface PcscReaderOptions {
  log?: HardwareLog;
  /** A context of one's own instead of the process's shared one (tests, benchmarks). */
  context?: PcscContext;
}

/** "ACS ACR122U PICC Interface 00 00" → "ACS ACR122U PICC Interface": the index changes with plug order. */
function baseName(name: string): string {
  return name.replace(/(\s\d{2})+$/, '');
}

/**
 * A contactless PC/SC reader (ACR122U and the like) through nfc-pcsc. The uid is read with GET DATA;
 * 4-, 7- and 10-byte uids. The reader comes and goes with pcscd (unplug, pcscd restart) and is
 * reattached by name without restarting the station.
 */
export class PcscReader extends BaseCardReader {
  readonly config: PcscReaderConfig;
  readonly #log: HardwareLog;
  readonly #ownContext: PcscContext | undefined;
  #context: PcscContext | null = null;
  #reader: Reader | null = null;
  #detach: (() => void) | null = null;
  readonly #debounce: TapDebounce;
  #announced = false;
  #settleTimer: NodeJS.Timeout | null = null;
  readonly #stats: PcscReaderStats = { cards: 0, bounces: 0, misreads: {}, attachments: 0 };

  constructor(config: PcscReaderConfig, options: PcscReaderOptions = {}) {
    super(config.id, 'pcsc', config.role);
    this.config = config;
    this.#log = options.log ?? defaultHardwareLog();
    this.#ownContext = options.context;
    this.#debounce = new TapDebounce({ retapMs: config.retapMs });
  }

  stats(): PcscReaderStats {
    return { ...this.#stats, misreads: { ...this.#stats.misreads } };
  }

  /** The PC/SC name of the attached reader (may differ from the configured one by its index). */
  get attachedName(): string | null {
    return this.#reader?.name ?? null;
  }

  start(): void {
    if (this.#context) return;
    const ctx = this.#ownContext ?? acquirePcscContext(this.#log);
    this.#context = ctx;
    ctx.on('state', this.#onContextState);
    ctx.on('reader', this.#onReader);
    this.#onContextState(ctx.state);
    for (const r of ctx.readers().values()) this.#onReader(r);
  }

  async stop(): Promise<void> {
    const ctx = this.#context;
    this.#context = null;
    if (this.#settleTimer) clearTimeout(this.#settleTimer);
    this.#settleTimer = null;
    this.#detachReader();
    if (ctx) {
      ctx.off('state', this.#onContextState);
      ctx.off('reader', this.#onReader);
      if (!this.#ownContext) releasePcscContext(ctx);
    }
    this.setStatus('disconnected');
  }

  #onContextState = (state: PcscContext['state']): void => {
    if (this.#reader) return;
    if (state === 'down') this.setStatus('disconnected', 'pcsc_unavailable');
    else if (state === 'ready') this.#lookForReader();
    else this.setStatus('connecting');
  };

  #lookForReader(): void {
    const ctx = this.#context;
    if (!ctx || this.#reader) return;
    const names = [...ctx.readers().keys()];
    const wanted = this.config.readerName;
    const settleAt = ctx.readyAt + READERS_SETTLE_MS;
    let name = names.find((n) => n === wanted);
    if (!name && Date.now() >= settleAt) {
      // Only once every reader is announced: the one reader of the same model under another index.
      const same = names.filter((n) => baseName(n) === baseName(wanted));
      if (same.length === 1) name = same[0];
    }
    const reader = name ? ctx.readers().get(name) : undefined;
    if (reader) {
      this.#attach(reader);
      return;
    }
    if (ctx.state !== 'ready') return;
    // A new context announces its readers a moment after it is ready: only then is a reader absent.
    if (Date.now() < settleAt) {
      if (!this.#settleTimer) {
        this.#settleTimer = setTimeout(() => {
          this.#settleTimer = null;
          this.#lookForReader();
        }, settleAt - Date.now());
      }
      return;
    }
    this.setStatus('disconnected', 'reader_absent');
  }

  #onReader = (reader: Reader): void => {
    if (this.#reader || !this.#context) return;
    this.#lookForReader();
    void reader;
  };

  #attach(reader: Reader): void {
    this.#reader = reader;
    this.#stats.attachments++;
    // The driver reads the uid itself: nfc-pcsc's own processing swallows connect failures and would
    // need an AID for ISO 14443-4 cards, while GET DATA works for every contactless card.
    reader.autoProcessing = false;
    const onCard = () => void this.#readUid(reader);
    const onOff = () => this.#cardGone();
    const onError = (err: Error) => this.#log.warn({ reader: this.id, pcsc: reader.name, err: err.message }, 'pcsc: reader error');
    const onEnd = () => {
      if (this.#reader !== reader) return;
      this.#log.warn({ reader: this.id, pcsc: reader.name }, 'pcsc: reader went away');
      this.#detachReader();
      // A reader also ends when pcscd dies, a moment before the context learns it: ask pcscd.
      void pcscdAnswers().then((up) => {
        if (this.#reader || !this.#context) return;
        if (!up) this.setStatus('disconnected', 'pcsc_unavailable');
        else if (this.#context.state === 'ready') this.#lookForReader();
        else this.setStatus('connecting');
      });
    };
    reader.on('card', onCard);
    reader.on('card.off', onOff);
    reader.on('error', onError);
    reader.on('end', onEnd);
    this.#detach = () => {
      reader.off('card', onCard);
      reader.off('card.off', onOff);
      reader.off('error', onError);
      reader.off('end', onEnd);
    };
    this.#log.info({ reader: this.id, pcsc: reader.name }, 'pcsc: reader attached');
    this.setStatus('ready');
  }

  #detachReader(): void {
    this.#detach?.();
    this.#detach = null;
    this.#reader = null;
    this.#cardGone();
  }

  #misread(reason: string, detail: object): void {
    this.#stats.misreads[reason] = (this.#stats.misreads[reason] ?? 0) + 1;
    this.#log.warn({ reader: this.id, reason, ...detail }, 'pcsc: card uid not read');
    this.emit('misread', { readerId: this.id, reason, at: new Date().toISOString() });
  }

  async #readUid(reader: Reader): Promise<void> {
    let response: Buffer;
    try {
      response = await reader.transmit(GET_UID, 12);
    } catch (err) {
      if (this.#reader !== reader || !reader.card) return; // taken away mid-read: nothing to report
      this.#misread('transmit_failed', { err: (err as Error).message });
      return;
    }
    if (this.#reader !== reader) return;
    const sw = response.length >= 2 ? response.readUInt16BE(response.length - 2) : -1;
    const uidBytes = [...response.subarray(0, Math.max(0, response.length - 2))];
    if (sw !== 0x9000) {
      this.#misread('get_data_failed', { sw: sw < 0 ? null : sw.toString(16).toUpperCase().padStart(4, '0') });
      return;
    }
    if (![4, 7, 10].includes(uidBytes.length)) {
      this.#misread('bad_uid_length', { bytes: uidBytes.length });
      return;
    }
    const uid = bytesToHex(uidBytes);
    const now = Date.now();
    const sighting = this.#debounce.seen(`iso14443:${uid}`, now);
    if (sighting !== 'tap') {
      this.#stats.bounces++;
      this.#announced = false;
      return;
    }
    this.#stats.cards++;
    this.#announced = true;
    this.emit('card', { readerId: this.id, technology: 'iso14443', uid, part: 'full', raw: uid, at: new Date(now).toISOString() });
  }

  #cardGone(): void {
    this.#debounce.gone(Date.now());
    if (!this.#announced) return;
    this.#announced = false;
    this.emit('removed', { readerId: this.id, at: new Date().toISOString() });
  }
}
