import { v7 as uuidv7 } from 'uuid';
import { isRandomUid, type CanonicalCard } from '../../common/card-id.ts';
import type { GateOutcome, GuardPassView } from '../../common/contract/guard.ts';
import type { HolderKind } from '../../common/domain.ts';
import { decideTap, TapFloodGuard, type Direction, type FloodSettings, type GuardNotice } from '../../common/guard-rules.ts';
import type { CardRead, ReaderRole } from '../../common/readers.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Store } from '../store/index.ts';
import { foundCard, isAmbiguous, type CardFound } from '../store/roster.ts';
import type { PassBook } from './pass-book.ts';
import type { Turnstile } from './turnstile.ts';

export interface TapsOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  book: PassBook;
  turnstile: Turnstile;
  flood: FloodSettings;
}

/**
 * Taps at the entry and exit readers: the verdict comes from the local store (never the network), the
 * pass is shown at once, the relay opens on allow, and the pass log and the outbox are written together.
 */
export class Taps {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #book: PassBook;
  readonly #turnstile: Turnstile;
  readonly #flood: TapFloodGuard;
  readonly #photoNoted = new Set<string>();

  constructor(options: TapsOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#book = options.book;
    this.#turnstile = options.turnstile;
    this.#flood = new TapFloodGuard(options.flood);
  }

  /**
   * One card from a reader. Synchronous up to the paint: verdict, relay command, event to the screen;
   * then the durable write (pass log + outbox in one transaction). Never throws into the reader.
   * `found` is the station's one lookup of this card (undefined: look it up here).
   */
  onCard(read: CardRead, role: ReaderRole, found?: CardFound): GuardPassView | null {
    const cardAt = performance.timeOrigin + performance.now();
    const now = this.#clock.now();
    const flood = this.#flood.check(read.readerId, now);
    if (flood.kind === 'dropped') {
      if (flood.dropped % 50 === 0) this.#log.warn({ reader: read.readerId, dropped: flood.dropped }, 'guard: reader still flooding; taps dropped');
      return null;
    }
    const at = this.#book.nowIso(now);
    const date = this.#book.schoolDate(now);
    if (flood.kind === 'flood_started') {
      this.#log.error({ reader: read.readerId }, 'guard: reader floods taps (faulty reader?); taps from it are dropped until it is quiet');
      const view = this.#book.view({ kind: 'flood', at, readerId: read.readerId, verdict: 'deny', reason: 'rate_limited', alarm: true, card: read });
      this.#book.record(view, date, null, cardAt);
      return view;
    }

    const card: CanonicalCard = { technology: read.technology, uid: read.uid };
    // A phone's random id names no card, even if one happened to be stored under it.
    const lookup = isRandomUid(card) ? null : found !== undefined ? found : this.#store.roster.lookupCard(read);
    const row = foundCard(lookup);
    const holder = row?.holder ?? null;
    const settings = this.#store.settings.get().guard;
    const last = row && settings.antiPassback !== 'off' ? this.#book.lastPass(row.card.holderKind, row.card.holderId) : null;
    const decision = decideTap(
      {
        role,
        card,
        found: row ? { status: row.card.status, validUntil: row.card.validUntil, holderKind: row.card.holderKind, holderId: row.card.holderId } : null,
        holder,
        personStatus: row?.personStatus ?? null,
        ambiguous: isAmbiguous(lookup) ? lookup.ambiguous : 0,
        spareInStock: !lookup && !isRandomUid(card) ? this.#store.spares.match(read) !== null : false,
        // Any post of the school: a child who came in at the back door cannot come in again here.
        lastDirectionToday: last?.direction ?? null,
        lastPassAtToday: last?.at ?? null,
        now,
      },
      settings,
    );
    if (decision.itNote) {
      const key = `${decision.reason}:${decision.itNote}`;
      if (!decision.notices.includes('no_photo') || !this.#photoNoted.has(key)) {
        this.#photoNoted.add(key);
        this.#log.warn({ reader: read.readerId, reason: decision.reason }, `guard: ${decision.itNote}`);
      }
    }

    const id = uuidv7();
    let gate: GateOutcome = 'none';
    const notices: GuardNotice[] = [...decision.notices];
    if (decision.verdict === 'allow' && decision.direction) {
      gate = this.#turnstile.pulse(decision.direction, id);
      if (gate === 'not_opened') notices.push('gate_not_opened');
    }
    const view = this.#book.view({
      id,
      kind: 'tap',
      at,
      readerId: read.readerId,
      direction: decision.direction,
      verdict: decision.verdict,
      reason: decision.reason,
      alarm: decision.alarm,
      notices,
      holder,
      card,
      printed: decision.printed,
      gate,
    });
    // Taps that identify no one and reach no door stay local: a phone's random id, a reader with no role.
    const toBackend = decision.direction !== null && decision.reason !== 'random_uid';
    this.#book.record(
      view,
      date,
      toBackend ? () => this.#passEvent(view, decision.direction as Direction, row?.card.holderKind ?? null, row?.card.holderId ?? null) : null,
      cardAt,
    );
    return view;
  }

  #passEvent(view: GuardPassView, direction: Direction, holderKind: HolderKind | null, holderId: string | null): string {
    return this.#store.outbox.append('pass', {
      direction,
      verdict: view.verdict === 'allow' ? 'allow' : 'deny',
      reason: view.reason,
      readerId: view.readerId ?? '',
      gate: view.gate === 'opened' || view.gate === 'held_open' ? (direction === 'in' ? 'entry' : 'exit') : null,
      card: view.card as CanonicalCard,
      holderKind,
      holderId,
    }).id;
  }
}
