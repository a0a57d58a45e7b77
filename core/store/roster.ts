import type { CanonicalCard } from '../../common/card-id.ts';
import type { Account, Card, CardStatus, Holder, HolderKind, MenuItem, Staff, Student } from '../../common/domain.ts';
import type { Db } from './db.ts';

export interface CardLookup {
  card: Pick<Card, 'technology' | 'uid' | 'status' | 'validUntil' | 'holderKind' | 'holderId'>;
  holder: Holder | null;
}

interface CardRow {
  technology: Card['technology'];
  uid: string;
  holder_kind: HolderKind;
  holder_id: string;
  status: CardStatus;
  valid_until: string | null;
}
interface PersonRow {
  id: string;
  full_name: string;
  group_name: string;
  photo_hash: string | null;
}

/** Students, staff, cards, accounts and the menu as the station last synced them. */
export class Roster {
  readonly #db: Db;
  readonly #card;
  readonly #student;
  readonly #staff;
  readonly #upsertStudent;
  readonly #upsertStaff;
  readonly #upsertCard;
  readonly #upsertAccount;
  readonly #upsertMenu;
  readonly #account;
  readonly #unbindSpare;
  readonly #dropSpare;

  constructor(db: Db) {
    this.#db = db;
    this.#card = db.prepare<[string, string], CardRow>(
      'SELECT technology, uid, holder_kind, holder_id, status, valid_until FROM cards WHERE technology = ? AND uid = ?',
    );
    this.#student = db.prepare<[string], PersonRow>(
      'SELECT id, full_name, class_name AS group_name, photo_hash FROM students WHERE id = ?',
    );
    this.#staff = db.prepare<[string], PersonRow>('SELECT id, full_name, position AS group_name, photo_hash FROM staff WHERE id = ?');
    this.#upsertStudent = db.prepare(
      `INSERT INTO students (id, full_name, class_name, photo_hash, status) VALUES (@id, @fullName, @className, @photoHash, @status)
       ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name, class_name = excluded.class_name,
         photo_hash = excluded.photo_hash, status = excluded.status, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    );
    this.#upsertStaff = db.prepare(
      `INSERT INTO staff (id, full_name, position, photo_hash, status, roles, pin_hash)
       VALUES (@id, @fullName, @position, @photoHash, @status, @roles, @pinHash)
       ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name, position = excluded.position, photo_hash = excluded.photo_hash,
         status = excluded.status, roles = excluded.roles, pin_hash = CASE WHEN @keepPin = 1 THEN staff.pin_hash ELSE excluded.pin_hash END,
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    );
    this.#upsertCard = db.prepare(
      `INSERT INTO cards (technology, uid, holder_kind, holder_id, status, valid_until)
       VALUES (@technology, @uid, @holderKind, @holderId, @status, @validUntil)
       ON CONFLICT (technology, uid) DO UPDATE SET holder_kind = excluded.holder_kind, holder_id = excluded.holder_id,
         status = excluded.status, valid_until = excluded.valid_until, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    );
    this.#upsertAccount = db.prepare(
      `INSERT INTO accounts (holder_id, balance, balance_at, daily_limit, forbidden_categories, allergens, subsidy, parent_note)
       VALUES (@holderId, @balance, @balanceAt, @dailyLimit, @forbiddenCategories, @allergens, @subsidy, @parentNote)
       ON CONFLICT (holder_id) DO UPDATE SET balance = excluded.balance, balance_at = excluded.balance_at,
         daily_limit = excluded.daily_limit, forbidden_categories = excluded.forbidden_categories,
         allergens = excluded.allergens, subsidy = excluded.subsidy, parent_note = excluded.parent_note`,
    );
    this.#upsertMenu = db.prepare(
      `INSERT INTO menu_items (date, id, name, category, kind, price, allergens)
       VALUES (@date, @id, @name, @category, @kind, @price, @allergens)
       ON CONFLICT (date, id) DO UPDATE SET name = excluded.name, category = excluded.category, kind = excluded.kind,
         price = excluded.price, allergens = excluded.allergens`,
    );
    this.#account = db.prepare<[string], Record<string, unknown>>('SELECT * FROM accounts WHERE holder_id = ?');
    this.#unbindSpare = db.prepare<[string, string], never>(
      'UPDATE spare_cards SET holder_kind = NULL, holder_id = NULL, bound_at = NULL, bound_until = NULL WHERE technology = ? AND uid = ?',
    );
    this.#dropSpare = db.prepare<[string, string], never>('DELETE FROM spare_cards WHERE technology = ? AND uid = ?');
  }

  /** The hot path of every tap: one primary-key read and one person read. */
  lookupCard(card: CanonicalCard): CardLookup | null {
    const row = this.#card.get(card.technology, card.uid);
    if (!row) return null;
    const person = (row.holder_kind === 'student' ? this.#student : this.#staff).get(row.holder_id);
    return {
      card: {
        technology: row.technology,
        uid: row.uid,
        status: row.status,
        validUntil: row.valid_until,
        holderKind: row.holder_kind,
        holderId: row.holder_id,
      },
      holder: person
        ? { kind: row.holder_kind, id: person.id, fullName: person.full_name, group: person.group_name, photoHash: person.photo_hash }
        : null,
    };
  }

  account(holderId: string): Account | null {
    const r = this.#account.get(holderId);
    if (!r) return null;
    return {
      holderId: r.holder_id as string,
      balance: r.balance as number,
      balanceAt: r.balance_at as string,
      dailyLimit: r.daily_limit as number | null,
      forbiddenCategories: JSON.parse(r.forbidden_categories as string) as string[],
      allergens: JSON.parse(r.allergens as string) as string[],
      subsidy: r.subsidy as Account['subsidy'],
      parentNote: r.parent_note as string | null,
    };
  }

  upsertStudents(rows: readonly Student[]): void {
    this.#db.transaction(() => {
      for (const s of rows) this.#upsertStudent.run(s);
    })();
  }

  /** `pinHash` undefined keeps the stored PIN hash; null clears it (the backend says this person has no PIN). */
  upsertStaff(rows: readonly (Staff & { pinHash?: string | null })[]): void {
    this.#db.transaction(() => {
      for (const s of rows) {
        this.#upsertStaff.run({ ...s, roles: JSON.stringify(s.roles), pinHash: s.pinHash ?? null, keepPin: s.pinHash === undefined ? 1 : 0 });
      }
    })();
  }

  upsertCards(rows: readonly Card[]): void {
    this.#db.transaction(() => {
      for (const c of rows) this.#upsertCard.run(c);
    })();
  }

  upsertAccounts(rows: readonly Account[]): void {
    this.#db.transaction(() => {
      for (const a of rows)
        this.#upsertAccount.run({ ...a, forbiddenCategories: JSON.stringify(a.forbiddenCategories), allergens: JSON.stringify(a.allergens) });
    })();
  }

  upsertMenu(rows: readonly MenuItem[]): void {
    this.#db.transaction(() => {
      for (const m of rows) this.#upsertMenu.run({ ...m, allergens: JSON.stringify(m.allergens) });
    })();
  }

  /**
   * A handed-out spare card is back: in the stock again, or out of it when IT removed it from the school's
   * stock while it was out (`removedFromStock`). The guard post's return and a return at another post share it.
   */
  spareBack(card: { technology: string; uid: string }, removedFromStock: boolean): void {
    if (removedFromStock) this.#dropSpare.run(card.technology, card.uid);
    else this.#unbindSpare.run(card.technology, card.uid);
  }

  counts(): { students: number; staff: number; cards: number } {
    const n = (table: string) => (this.#db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { students: n('students'), staff: n('staff'), cards: n('cards') };
  }

  /** Every card with its holder, for the demo reader panel (small schools only). */
  listCardsWithHolders(limit: number): (CardLookup & { card: Card })[] {
    const rows = this.#db
      .prepare<[number], CardRow>('SELECT technology, uid, holder_kind, holder_id, status, valid_until FROM cards ORDER BY holder_kind DESC, holder_id, uid LIMIT ?')
      .all(limit);
    return rows.flatMap((r) => {
      const found = this.lookupCard({ technology: r.technology, uid: r.uid });
      return found ? [{ ...found, card: { ...found.card } }] : [];
    });
  }
}
