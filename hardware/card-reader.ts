import { EventEmitter } from 'node:events';
import type { CardRead, ReaderKind, ReaderRole, ReaderStatus } from '../common/readers.ts';

export interface CardReaderEvents {
  /** A card was presented (one tap: a card held on the reader does not fire again). */
  card: [CardRead];
  /** The card that was on the reader was taken away. */
  removed: [{ readerId: string; at: string }];
  /** A card was presented but its id could not be read (e.g. GET DATA answered an error): "try again". */
  misread: [{ readerId: string; reason: string; at: string }];
  status: [ReaderStatus];
}

/**
 * One driver per reader kind behind this interface (docs/architecture.md). A driver never throws into the
 * process: failures become a status with a reason, and it reconnects by itself.
 */
export interface CardReader extends EventEmitter<CardReaderEvents> {
  readonly id: string;
  readonly kind: ReaderKind;
  readonly role: ReaderRole;
  start(): void;
  stop(): Promise<void>;
  status(): ReaderStatus;
  /** Keyboard-wedge readers only: a burst of typed text, true when it read as a card. */
  burst?(text: string, at?: Date): boolean;
  /** The simulated reader only: a card put on it by the person at the screen (demo and tests). */
  tap?(technology: CardRead['technology'], uid: string, at?: Date): void;
}

/** Shared bookkeeping for drivers: status changes are emitted only when they change. */
export abstract class BaseCardReader extends EventEmitter<CardReaderEvents> implements CardReader {
  readonly id: string;
  readonly kind: ReaderKind;
  readonly role: ReaderRole;
  #status: ReaderStatus;

  constructor(id: string, kind: ReaderKind, role: ReaderRole) {
    super();
    this.id = id;
    this.kind = kind;
    this.role = role;
    this.#status = { readerId: id, kind, role, state: 'connecting', reason: null };
  }

  abstract start(): void;
  abstract stop(): Promise<void>;

  status(): ReaderStatus {
    return this.#status;
  }

  protected setStatus(state: ReaderStatus['state'], reason: string | null = null): void {
    if (this.#status.state === state && this.#status.reason === reason) return;
    this.#status = { ...this.#status, state, reason };
    this.emit('status', this.#status);
  }
}
