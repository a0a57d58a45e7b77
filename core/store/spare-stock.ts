import type { CanonicalCard } from '../../common/card-id.ts';
import { pickCard, type UidPart } from '../../common/card-match.ts';
import type { HolderKind } from '../../common/domain.ts';
import type { Db } from './db.ts';

/** A spare card of the school's reserve stock, and whom this post handed it out to. */
export interface SpareRow {
  technology: CanonicalCard['technology'];
  uid: string;
  /** How much of the card's number `uid` is (as IT gave it). */
  part: UidPart;
  label: string;
  holder_kind: HolderKind | null;
  holder_id: string | null;
  bound_at: string | null;
  bound_until: string | null;
  /** IT removed it from the school's stock while it was handed out: dropped when it comes back. */
  removed_at: string | null;
}

/**
 * The spare-card stock (`spare_cards`): the only code that touches that table. The rules of handing a
 * spare out and taking it back live in core/guard/spare-cards.ts; this is their storage.
 */
export class SpareStock {
  readonly #db: Db;
  readonly #q;

  constructor(db: Db) {
    this.#db = db;
    this.#q = {
      get: db.prepare<[string, string], SpareRow>('SELECT * FROM spare_cards WHERE technology = ? AND uid = ?'),
      all: db.prepare<[], SpareRow>('SELECT * FROM spare_cards ORDER BY label, uid'),
      ofTechnology: db.prepare<[string], SpareRow>('SELECT * FROM spare_cards WHERE technology = ?'),
      ofHolder: db.prepare<[string], SpareRow>('SELECT * FROM spare_cards WHERE holder_id = ?'),
      expired: db.prepare<[string], SpareRow>('SELECT * FROM spare_cards WHERE bound_until IS NOT NULL AND bound_until <= ?'),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM spare_cards'),
      bind: db.prepare(
        'UPDATE spare_cards SET holder_kind = @holderKind, holder_id = @holderId, bound_at = @at, bound_until = @until WHERE technology = @technology AND uid = @uid',
      ),
      unbind: db.prepare<[string, string], never>(
        'UPDATE spare_cards SET holder_kind = NULL, holder_id = NULL, bound_at = NULL, bound_until = NULL WHERE technology = ? AND uid = ?',
      ),
      drop: db.prepare<[string, string], never>('DELETE FROM spare_cards WHERE technology = ? AND uid = ?'),
      add: db.prepare<[string, string, string, string], never>(
        'INSERT INTO spare_cards (technology, uid, part, label) VALUES (?, ?, ?, ?) ON CONFLICT (technology, uid) DO UPDATE SET part = excluded.part, label = excluded.label',
      ),
      // A card the server adds again after its removal is back in the stock.
      synced: db.prepare<[string, string, string, string], never>(
        `INSERT INTO spare_cards (technology, uid, part, label) VALUES (?, ?, ?, ?)
         ON CONFLICT (technology, uid) DO UPDATE SET part = excluded.part, label = excluded.label, removed_at = NULL`,
      ),
      dropFree: db.prepare<[string, string], never>('DELETE FROM spare_cards WHERE technology = ? AND uid = ? AND holder_id IS NULL'),
      markRemoved: db.prepare<[string, string, string], never>(
        'UPDATE spare_cards SET removed_at = ? WHERE technology = ? AND uid = ? AND holder_id IS NOT NULL AND removed_at IS NULL',
      ),
    };
  }

  get(card: CanonicalCard): SpareRow | null {
    return this.#q.get.get(card.technology, card.uid) ?? null;
  }

  has(card: CanonicalCard): boolean {
    return this.get(card) !== null;
  }

  /**
   * The spare a reader's read is (matched on the bytes both know, common/card-match.ts); null when none
   * or several could be. The stock is tens of cards, so this reads the technology's rows.
   */
  match(read: CanonicalCard & { part?: UidPart | undefined }): SpareRow | null {
    const m = pickCard({ technology: read.technology, uid: read.uid, part: read.part ?? 'full' }, this.#q.ofTechnology.all(read.technology));
    return m.kind === 'one' ? m.card : null;
  }

  all(): SpareRow[] {
    return this.#q.all.all();
  }

  count(): number {
    return this.#q.count.get()?.n ?? 0;
  }

  /** The spare this post handed out to a holder, if any. */
  ofHolder(holderId: string): SpareRow | null {
    return this.#q.ofHolder.get(holderId) ?? null;
  }

  /** Spares handed out here whose day has ended by `nowIso`. */
  expired(nowIso: string): SpareRow[] {
    return this.#q.expired.all(nowIso);
  }

  bind(card: CanonicalCard, holderKind: HolderKind, holderId: string, at: string, until: string): void {
    this.#q.bind.run({ technology: card.technology, uid: card.uid, holderKind, holderId, at, until });
  }

  /** A handed-out spare is back: in the stock again, or out of it when IT removed it meanwhile. */
  back(card: CanonicalCard, removedFromStock: boolean): void {
    if (removedFromStock) this.#q.drop.run(card.technology, card.uid);
    else this.#q.unbind.run(card.technology, card.uid);
  }

  /** Adds cards to the stock by hand (IT, the demo school); the label of a known card is updated. */
  add(cards: readonly (CanonicalCard & { label: string; part?: UidPart | undefined })[]): void {
    this.#db.transaction(() => {
      for (const c of cards) this.#q.add.run(c.technology, c.uid, c.part ?? 'full', c.label);
    })();
  }

  /** A spare card from the server's roster (also one it had removed before). */
  synced(card: CanonicalCard & { label: string; part?: UidPart | undefined }): void {
    this.#q.synced.run(card.technology, card.uid, card.part ?? 'full', card.label);
  }

  /** The server removed a spare from the stock: it goes now if it is in the stock, `false` if it is handed out. */
  removeIfFree(card: CanonicalCard): boolean {
    return this.#q.dropFree.run(card.technology, card.uid).changes > 0;
  }

  /** Marks a handed-out spare as removed from the stock; it leaves when it comes back. */
  markRemoved(card: CanonicalCard, at: string): boolean {
    return this.#q.markRemoved.run(at, card.technology, card.uid).changes > 0;
  }

  clear(): void {
    this.#db.prepare('DELETE FROM spare_cards').run();
  }
}
