import { cardKey, printedForms, type CanonicalCard } from '../../common/card-id.ts';
import type { GuardPassView, SpareCardView } from '../../common/contract/guard.ts';
import type { HolderKind } from '../../common/domain.ts';
import { DomainError } from '../../common/errors.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Store } from '../store/index.ts';
import type { PassBook } from './pass-book.ts';
import { cardTag } from '../../node/card-tag.ts';

export interface SpareCardsOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  book: PassBook;
}

type BoundElsewhere = { holderKind: HolderKind; holderId: string; validUntil: string | null };

/**
 * A spare card's live temporary-card row when another station bound it (the stock is shared by the
 * school, and the server's temporary card row comes with the roster).
 */
function boundElsewhere(store: Store, card: CanonicalCard, nowIso: string): BoundElsewhere | null {
  const found = store.roster.cardRow(card);
  if (!found || found.card.status !== 'temporary' || (found.card.validUntil !== null && found.card.validUntil <= nowIso)) return null;
  return { holderKind: found.card.holderKind, holderId: found.card.holderId, validUntil: found.card.validUntil };
}

/**
 * The forgotten-card desk: the school's reserve stock, handing a spare out until the end of the school
 * day and taking it back (by hand, or when its day is over). The balance stays on the holder's account.
 */
export class SpareCards {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #book: PassBook;

  constructor(options: SpareCardsOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#book = options.book;
  }

  /** Adds cards to the reserve stock (IT, or the demo school). */
  add(cards: readonly (CanonicalCard & { label: string })[]): void {
    this.#store.spares.add(cards);
  }

  list(): SpareCardView[] {
    this.returnExpired();
    const now = this.#book.nowIso();
    const roster = this.#store.roster;
    return this.#store.spares.all().map((s) => {
      // Handed out here, or at another post of the school.
      const elsewhere = s.holder_id ? null : boundElsewhere(this.#store, s, now);
      const holder =
        s.holder_kind && s.holder_id ? roster.holder(s.holder_kind, s.holder_id) : elsewhere ? roster.holder(elsewhere.holderKind, elsewhere.holderId) : null;
      return {
        technology: s.technology,
        uid: s.uid,
        label: s.label,
        printed: s.technology === 'em4100' ? printedForms(s.uid).dec10 : s.uid,
        boundTo: holder ? { kind: holder.kind, id: holder.id, fullName: holder.fullName, group: holder.group } : null,
        boundUntil: s.bound_until ?? elsewhere?.validUntil ?? null,
      };
    });
  }

  /**
   * Forgotten card: binds a spare card to a holder until the end of the school day. The card row is
   * written locally (so this post lets the child through at once) and a temp_card_bind event tells the
   * backend, which binds it for every station (the canteen too).
   */
  bind(input: { card: CanonicalCard; holderKind: HolderKind; holderId: string; operatorId: string | null }): { pass: GuardPassView; validUntil: string } {
    this.returnExpired();
    const store = this.#store;
    const spare = store.spares.get(input.card);
    if (!spare || (spare.removed_at && !spare.holder_id))
      throw new DomainError('not_found', 'spare_not_in_stock', `card ${cardKey(input.card)} is not a spare card`);
    if (spare.holder_id && spare.holder_id !== input.holderId) {
      throw new DomainError('conflict', 'spare_already_bound', `card ${cardKey(input.card)} is bound to ${spare.holder_id}`);
    }
    const elsewhere = spare.holder_id ? null : boundElsewhere(store, spare, this.#book.nowIso());
    if (elsewhere && elsewhere.holderId !== input.holderId) {
      throw new DomainError('conflict', 'spare_already_bound', `card ${cardKey(input.card)} was handed out to ${elsewhere.holderId} at another station`);
    }
    const person = store.roster.person(input.holderKind, input.holderId);
    if (!person) throw new DomainError('not_found', 'person_not_found', `no ${input.holderKind} ${input.holderId}`);
    if (person.status !== 'active') throw new DomainError('refused', 'person_inactive', `${input.holderId} is not active`);
    const holder = store.roster.holder(input.holderKind, input.holderId);
    const existing = store.spares.ofHolder(input.holderId);
    if (existing && cardKey(existing) !== cardKey(input.card)) {
      throw new DomainError('conflict', 'holder_has_spare', `${input.holderId} already has spare card ${cardKey(existing)}`);
    }
    const now = this.#clock.now();
    const { schoolDate: date, endsAt: until } = this.#book.endOfDay(now);
    const view = this.#book.view({
      kind: 'spare_bind',
      at: this.#book.nowIso(now),
      verdict: 'info',
      reason: 'spare_bound',
      holder,
      card: input.card,
      printed: { hex: input.card.uid, dec10: printedForms(input.card.uid).dec10 },
      note: spare.label || null,
    });
    store.db.transaction(() => {
      store.spares.bind(input.card, input.holderKind, input.holderId, view.at, until);
      store.roster.putTemporaryCard({ ...input.card, part: spare.part }, input.holderKind, input.holderId, until);
      this.#book.record(
        view,
        date,
        () =>
          store.outbox.append('temp_card_bind', {
            card: input.card,
            holderKind: input.holderKind,
            holderId: input.holderId,
            validUntil: until,
            operatorId: input.operatorId,
          }).id,
      );
    })();
    this.#log.info({ card: cardTag(input.card), holder: input.holderId, until }, 'guard: spare card bound');
    return { pass: view, validUntil: until };
  }

  /** The spare card comes back to the stock: by hand (`returned`, taken by `operatorId`) or when its day is over. */
  return(card: CanonicalCard, cause: 'returned' | 'day_ended' = 'returned', operatorId: string | null = null): GuardPassView {
    const store = this.#store;
    const spare = store.spares.get(card);
    if (!spare) throw new DomainError('not_found', 'spare_not_in_stock', `card ${cardKey(card)} is not a spare card`);
    // Handed out at another post and brought back here: the server's temporary card row names the holder.
    const elsewhere = spare.holder_id ? null : boundElsewhere(store, spare, this.#book.nowIso());
    const holderKind = spare.holder_kind ?? elsewhere?.holderKind ?? null;
    const holderId = spare.holder_id ?? elsewhere?.holderId ?? null;
    if (!holderId || !holderKind) throw new DomainError('conflict', 'spare_not_bound', `card ${cardKey(card)} is in stock already`);
    const holder = store.roster.holder(holderKind, holderId);
    const now = this.#clock.now();
    const view = this.#book.view({
      kind: 'spare_return',
      at: this.#book.nowIso(now),
      verdict: 'info',
      reason: cause === 'returned' ? 'spare_returned' : 'spare_day_ended',
      holder,
      card,
      note: spare.label || null,
    });
    store.db.transaction(() => {
      // IT removed it from the school's stock while it was out: now that it is back, it leaves the stock.
      store.spares.back(card, spare.removed_at !== null);
      store.roster.removeCard(card);
      this.#book.record(
        view,
        this.#book.schoolDate(now),
        () => store.outbox.append('temp_card_return', { card, holderId, cause, ...(cause === 'returned' ? { operatorId } : {}) }).id,
      );
    })();
    if (spare.removed_at) {
      this.#log.info(
        { card: cardTag(card), holder: holderId, cause, removedAt: spare.removed_at },
        'guard: spare card returned and dropped: IT removed it from the stock',
      );
    } else this.#log.info({ card: cardTag(card), holder: holderId, cause }, 'guard: spare card back in stock');
    return view;
  }

  /** Spare cards whose day has ended go back to the stock (called on start, every minute and on listing). */
  returnExpired(): number {
    const expired = this.#store.spares.expired(this.#book.nowIso());
    for (const s of expired) {
      try {
        this.return({ technology: s.technology, uid: s.uid }, 'day_ended');
      } catch (err) {
        this.#log.error({ err, card: cardTag(s) }, 'guard: could not return an expired spare card');
      }
    }
    return expired.length;
  }
}

/**
 * The server removed a card (a roster tombstone). When it was the temporary card of a spare this post
 * handed out:
 * - the server has this post's binding (acknowledged, or refused): the card was brought back at another
 *   post, so it is back in this post's stock (or leaves it, if IT removed it meanwhile). A removal older
 *   than an acknowledged binding is followed in the same pull by that binding's card row, so the card
 *   then shows as handed out (at "another post") and can still be taken back here;
 * - the server has not seen the binding yet (this post was offline): the removal is older than the
 *   binding, so the card row stays and the child keeps passing; the push binds it on the server.
 * Runs inside the roster page's transaction.
 */
export function cardRemovedByServer(store: Store, card: CanonicalCard, log?: Pick<Logger, 'info'>): void {
  const spare = store.spares.get(card);
  const bound = spare?.holder_id ? spare : null;
  const found = bound ? store.roster.cardRow(card) : null;
  const ours = bound !== null && found?.card.status === 'temporary' && found.card.holderId === bound.holder_id;
  if (ours && store.outbox.lastBindStatus(card) === 'pending') return;
  store.roster.removeCard(card);
  if (!ours || !bound) return;
  store.spares.back(card, bound.removed_at !== null);
  log?.info(
    { card: cardTag(card), holder: bound.holder_id },
    bound.removed_at
      ? 'sync: spare card brought back at another post; it leaves the stock (IT removed it)'
      : 'sync: spare card brought back at another post; back in stock here',
  );
}

/**
 * The server removed a card from the spare stock: a card in the stock goes now; one handed out right now
 * stays with the child until it is returned or its day ends, and leaves the stock then.
 */
export function spareRemovedByServer(store: Store, card: CanonicalCard, at: string, log?: Pick<Logger, 'info'>): void {
  if (store.spares.removeIfFree(card)) log?.info({ card: cardTag(card) }, 'sync: spare card removed from the stock by the server');
  else if (store.spares.markRemoved(card, at)) {
    log?.info({ card: cardTag(card) }, 'sync: spare card removed from the stock by the server; it is handed out now and leaves the stock when it comes back');
  }
}
