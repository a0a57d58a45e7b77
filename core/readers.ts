import { EventEmitter } from 'node:events';
import type { CardRead, ReaderConfig, ReaderRole, ReaderStatus } from '../common/readers.ts';
import type { CardReader } from '../hardware/card-reader.ts';
import type { Logger } from '../common/logger.ts';

export type ReaderFactory = (config: ReaderConfig) => CardReader;

interface ReaderHubEvents {
  card: [CardRead & { role: ReaderRole }];
  status: [ReaderStatus];
  /** A card was presented but its id could not be read (the person should tap again). */
  misread: [{ readerId: string; reason: string; at: string }];
}

/**
 * The station's readers, built from settings. Reconfiguring stops the old drivers before starting the
 * new ones, so no reader ever has two listeners. A driver that cannot even be built becomes an error
 * status with its reason; the station keeps running.
 */
export class ReaderHub extends EventEmitter<ReaderHubEvents> {
  readonly #factory: ReaderFactory;
  readonly #log: Logger;
  #readers = new Map<string, CardReader>();
  #broken = new Map<string, ReaderStatus>();

  constructor(factory: ReaderFactory, log: Logger) {
    super();
    this.#factory = factory;
    this.#log = log;
  }

  async configure(configs: readonly ReaderConfig[]): Promise<void> {
    await this.stop();
    for (const config of configs) {
      let reader: CardReader;
      try {
        reader = this.#factory(config);
      } catch (err) {
        const status: ReaderStatus = { readerId: config.id, kind: config.kind, role: config.role, state: 'error', reason: (err as Error).message };
        this.#log.error({ reader: config.id, err }, 'reader: cannot build driver');
        this.#broken.set(config.id, status);
        this.emit('status', status);
        continue;
      }
      reader.on('card', (read) => this.emit('card', { ...read, role: reader.role }));
      reader.on('misread', (m) => this.emit('misread', m));
      reader.on('status', (s) => {
        this.#log.info({ reader: s.readerId, state: s.state, reason: s.reason }, 'reader status');
        this.emit('status', s);
      });
      this.#readers.set(config.id, reader);
      reader.start();
      this.emit('status', reader.status());
    }
  }

  get(id: string): CardReader | undefined {
    return this.#readers.get(id);
  }

  statuses(): ReaderStatus[] {
    return [...[...this.#readers.values()].map((r) => r.status()), ...this.#broken.values()];
  }

  async stop(): Promise<void> {
    const old = [...this.#readers.values()];
    this.#readers.clear();
    this.#broken.clear();
    for (const r of old) {
      r.removeAllListeners();
      await r.stop().catch((err: unknown) => this.#log.error({ reader: r.id, err }, 'reader: stop failed'));
    }
  }
}
