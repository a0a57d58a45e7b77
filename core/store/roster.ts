import type { CanonicalCard } from '../../common/card-id.ts';
import { ambiguityByPart, candidateKeys, pickCard, type PartialPart, type UidPart } from '../../common/card-match.ts';
import type { Account, Card, CardStatus, Holder, HolderKind, MenuItem, Staff, Student } from '../../common/domain.ts';

type PersonStatus = Student['status'];
import { foldText, type Db } from './db.ts';
import { staffOwner, type PinSeal } from '../pin-seal.ts';

/** A card as the roster knows it, with its holder (null when the roster has no such person). */
export interface CardLookup {
  card: Pick<Card, 'technology' | 'uid' | 'status' | 'validUntil' | 'holderKind' | 'holderId'> & { part: UidPart };
  holder: Holder | null;
  /** The holder's own status (a card can be active while its student has left). */
  personStatus: PersonStatus | null;
}

/**
 * A read that more than one roster card could be (a reader that sees only part of the number, and two
 * cards sharing that part): refused, never guessed.
 */
export interface AmbiguousCard {
  ambiguous: number;
}

/** What the one card lookup of a tap finds: the card, several that it could be, or nothing. */
export type CardFound = CardLookup | AmbiguousCard | null;

export function isAmbiguous(found: CardFound | undefined): found is AmbiguousCard {
  return found !== null && found !== undefined && 'ambiguous' in found;
}

/** The card found, or null when none or several could be this read. */
export function foundCard(found: CardFound | undefined): CardLookup | null {
  return found && !('ambiguous' in found) ? found : null;
}

/** A person as a name search finds them. */
export interface PersonMatch {
  kind: HolderKind;
  id: string;
  fullName: string;
  group: string;
  photoHash: string | null;
  status: PersonStatus;
}

/** A staff row as the PIN check reads it (roles as the stored JSON text). */
export interface StaffRow {
  id: string;
  full_name: string;
  position: string;
  roles: string;
  pin_hash: string | null;
  status: string;
}

interface SearchRow {
  id: string;
  full_name: string;
  grp: string;
  photo_hash: string | null;
  status: PersonStatus;
}

interface CardRow {
  technology: Card['technology'];
  uid: string;
  part: UidPart;
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
  status: PersonStatus;
}

/**
 * Students, staff, cards, accounts, the menu and the portrait index as the station last synced them.
 * The only code that reads or writes those tables; every card lookup of the station goes through
 * `lookupCard`.
 */
export class Roster {
  readonly #db: Db;
  readonly #card;
  readonly #student;
  readonly #staff;
  readonly #q;
  readonly #upsertStudent;
  readonly #upsertStaff;
  readonly #upsertCard;
  readonly #upsertAccount;
  readonly #upsertMenu;
  readonly #account;
  readonly #seal: PinSeal;
  /** Whether any card is stored from a partial print; null: not known since the cards last changed. */
  #partialCards: boolean | null = null;

  /** `seal`: staff PIN hashes are stored sealed (core/pin-seal.ts), never as the backend's hash in clear. */
  constructor(db: Db, seal: PinSeal) {
    this.#db = db;
    this.#seal = seal;
    const cols = 'SELECT technology, uid, part, holder_kind, holder_id, status, valid_until FROM cards';
    // The partial indexes of migration 007 are used only when the query repeats their condition.
    this.#card = {
      one: db.prepare<[string, string], CardRow>(`${cols} WHERE technology = ? AND uid = ?`),
      anyPartial: db.prepare<[], { x: number }>("SELECT 1 AS x FROM cards WHERE part <> 'full' LIMIT 1"),
      exact: db.prepare<[string, string, string, string, string], CardRow>(`${cols} WHERE technology = ? AND uid IN (?, ?, ?, ?)`),
      tail4: db.prepare<[string, string], CardRow>(`${cols} WHERE technology = ? AND substr(uid, -8) = ? AND length(uid) > 8`),
      tail3: db.prepare<[string, string], CardRow>(`${cols} WHERE technology = ? AND substr(uid, -6) = ? AND length(uid) > 6`),
      head4: db.prepare<[string, string], CardRow>(`${cols} WHERE technology = ? AND substr(uid, 1, 8) = ? AND length(uid) > 8`),
    };
    this.#student = db.prepare<[string], PersonRow>('SELECT id, full_name, class_name AS group_name, photo_hash, status FROM students WHERE id = ?');
    this.#staff = db.prepare<[string], PersonRow>('SELECT id, full_name, position AS group_name, photo_hash, status FROM staff WHERE id = ?');
    this.#q = {
      searchStudents: db.prepare<[string, string, number], SearchRow>(
        `SELECT id, full_name, class_name AS grp, photo_hash, status FROM students
          WHERE guard_fold(full_name) LIKE ? ESCAPE '\\' OR upper(replace(class_name, ' ', '')) = ?
          ORDER BY class_name, full_name LIMIT ?`,
      ),
      searchStaff: db.prepare<[string, number], SearchRow>(
        `SELECT id, full_name, position AS grp, photo_hash, status FROM staff WHERE guard_fold(full_name) LIKE ? ESCAPE '\\' ORDER BY full_name LIMIT ?`,
      ),
      staffRow: db.prepare<[string], StaffRow>('SELECT id, full_name, position, roles, pin_hash, status FROM staff WHERE id = ?'),
      activeStaff: db.prepare<[], StaffRow>("SELECT id, full_name, position, roles, pin_hash, status FROM staff WHERE status = 'active' ORDER BY full_name"),
      classes: db.prepare<[], { class_name: string }>(
        "SELECT DISTINCT class_name FROM students WHERE status = 'active' ORDER BY length(class_name), class_name",
      ),
      classStudents: db.prepare<[string], { id: string; full_name: string; class_name: string; photo_hash: string | null }>(
        "SELECT id, full_name, class_name, photo_hash FROM students WHERE class_name = ? AND status = 'active' ORDER BY full_name",
      ),
      menu: db.prepare<[string], Record<string, unknown>>('SELECT * FROM menu_items WHERE date = ? ORDER BY category, name'),
      menuItem: db.prepare<[string, string], Record<string, unknown>>('SELECT * FROM menu_items WHERE date = ? AND id = ?'),
      menuCount: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM menu_items WHERE date = ?'),
      deleteMenuDay: db.prepare<[string], never>('DELETE FROM menu_items WHERE date = ?'),
      deleteStudent: db.prepare<[string], never>('DELETE FROM students WHERE id = ?'),
      deleteStaff: db.prepare<[string], never>('DELETE FROM staff WHERE id = ?'),
      deleteAccount: db.prepare<[string], never>('DELETE FROM accounts WHERE holder_id = ?'),
      deleteCard: db.prepare<[string, string], never>('DELETE FROM cards WHERE technology = ? AND uid = ?'),
      upsertTempCard: db.prepare(
        `INSERT INTO cards (technology, uid, part, holder_kind, holder_id, status, valid_until)
         VALUES (@technology, @uid, @part, @holderKind, @holderId, 'temporary', @until)
         ON CONFLICT (technology, uid) DO UPDATE SET part = excluded.part, holder_kind = excluded.holder_kind, holder_id = excluded.holder_id,
           status = 'temporary', valid_until = excluded.valid_until, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
      ),
      missingPhotos: db.prepare<[number], { hash: string }>(
        `SELECT DISTINCT photo_hash AS hash FROM (SELECT photo_hash FROM students UNION ALL SELECT photo_hash FROM staff)
         WHERE photo_hash IS NOT NULL AND photo_hash NOT IN (SELECT hash FROM photos) LIMIT ?`,
      ),
      putPhoto: db.prepare<[string, number, string], never>('INSERT INTO photos (hash, size, fetched_at) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING'),
      orphanPhotos: db.prepare<[], { hash: string }>(
        `SELECT hash FROM photos WHERE hash NOT IN (SELECT photo_hash FROM students WHERE photo_hash IS NOT NULL)
           AND hash NOT IN (SELECT photo_hash FROM staff WHERE photo_hash IS NOT NULL)`,
      ),
      deletePhoto: db.prepare<[string], never>('DELETE FROM photos WHERE hash = ?'),
      deleteHolderCards: db.prepare<[string], never>('DELETE FROM cards WHERE holder_id = ?'),
      referenced: db.prepare<[string, string], { x: number }>(
        'SELECT 1 AS x FROM students WHERE photo_hash = ? UNION ALL SELECT 1 AS x FROM staff WHERE photo_hash = ? LIMIT 1',
      ),
    };
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
      `INSERT INTO cards (technology, uid, part, holder_kind, holder_id, status, valid_until)
       VALUES (@technology, @uid, @part, @holderKind, @holderId, @status, @validUntil)
       ON CONFLICT (technology, uid) DO UPDATE SET part = excluded.part, holder_kind = excluded.holder_kind, holder_id = excluded.holder_id,
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
  }

  /**
   * The hot path of every tap. A read is matched against the cards it can identify, on the bytes both
   * know (common/card-match.ts): a full uid is up to four primary-key probes (the uid, and its ends a
   * card stored from a partial print would be kept under); a partial read adds one index probe on the
   * uid's end (or start). Exactly one card is that card; several are ambiguous. Then one read of the
   * holder. (Two reads, not a LEFT JOIN over both person tables: measured here the join was about 2.5×
   * slower at 100,000 cards.)
   */
  lookupCard(read: CanonicalCard & { part?: UidPart | undefined }): CardFound {
    const number = { technology: read.technology, uid: read.uid, part: read.part ?? 'full' };
    // A full uid matches only the same full uid, or a card stored from a partial print: while the roster
    // holds no such card (most schools), that is one primary-key probe.
    this.#partialCards ??= this.#card.anyPartial.get() !== undefined;
    if (number.part === 'full' && !this.#partialCards) {
      const row = this.#card.one.get(number.technology, number.uid);
      return row ? this.#withHolder(row) : null;
    }
    const keys = candidateKeys(number);
    const [a = number.uid, b = a, c = a, d = a] = keys.exact;
    let rows = this.#card.exact.all(number.technology, a, b, c, d);
    if (keys.tail4) rows = rows.concat(this.#card.tail4.all(number.technology, keys.tail4));
    if (keys.tail3) rows = rows.concat(this.#card.tail3.all(number.technology, keys.tail3));
    if (keys.head4) rows = rows.concat(this.#card.head4.all(number.technology, keys.head4));
    if (rows.length === 0) return null;
    const match = pickCard(number, rows);
    if (match.kind === 'none') return null;
    if (match.kind === 'ambiguous') return { ambiguous: match.count };
    return this.#withHolder(match.card);
  }

  /** The card stored under exactly this uid (a spare card's own row), with its holder. */
  cardRow(card: CanonicalCard): CardLookup | null {
    const row = this.#card.one.get(card.technology, card.uid);
    return row ? this.#withHolder(row) : null;
  }

  #withHolder(row: CardRow): CardLookup {
    const person = (row.holder_kind === 'student' ? this.#student : this.#staff).get(row.holder_id);
    return {
      card: {
        technology: row.technology,
        uid: row.uid,
        part: row.part,
        status: row.status,
        validUntil: row.valid_until,
        holderKind: row.holder_kind,
        holderId: row.holder_id,
      },
      holder: person ? { kind: row.holder_kind, id: person.id, fullName: person.full_name, group: person.group_name, photoHash: person.photo_hash } : null,
      personStatus: person?.status ?? null,
    };
  }

  /** A person of either kind, with their status. */
  person(kind: HolderKind, id: string): (Holder & { status: PersonStatus }) | null {
    const p = (kind === 'student' ? this.#student : this.#staff).get(id);
    return p ? { kind, id, fullName: p.full_name, group: p.group_name, photoHash: p.photo_hash, status: p.status } : null;
  }

  holder(kind: HolderKind, id: string): Holder | null {
    const p = this.person(kind, id);
    return p ? { kind: p.kind, id: p.id, fullName: p.fullName, group: p.group, photoHash: p.photoHash } : null;
  }

  /** A holder by id alone: a student first, then staff (the till's receipts carry only the id). */
  holderById(id: string): Holder | null {
    return this.holder('student', id) ?? this.holder('staff', id);
  }

  /**
   * Name search, case- and ё-insensitive (the first word in SQL through `guard_fold`, the rest here); a
   * query that reads as a class name ("5 А") also finds that class's students.
   */
  searchPeople(query: string, limit: number): PersonMatch[] {
    const q = query.trim();
    const words = foldText(q).split(/\s+/).filter(Boolean);
    const classKey = q.replaceAll(' ', '').toLocaleUpperCase('ru');
    // A typed % or _ is a letter to look for, not a wildcard (LIKE … ESCAPE '\\').
    const first = `%${(words[0] ?? '').replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rest = words.slice(1);
    const matches = (name: string) => rest.every((w) => foldText(name).includes(w));
    const students = this.#q.searchStudents.all(first, classKey, limit * 4).filter((r) => matches(r.full_name) || rest.length === 0);
    const staff = this.#q.searchStaff.all(first, limit * 4).filter((r) => matches(r.full_name));
    const found =
      (kind: HolderKind) =>
      (r: SearchRow): PersonMatch => ({ kind, id: r.id, fullName: r.full_name, group: r.grp, photoHash: r.photo_hash, status: r.status });
    return [...students.map(found('student')), ...staff.map(found('staff'))].slice(0, limit);
  }

  staffRow(id: string): StaffRow | null {
    return this.#q.staffRow.get(id) ?? null;
  }

  activeStaff(): StaffRow[] {
    return this.#q.activeStaff.all();
  }

  /** Classes with active students, in school order (1 А before 10 Б). */
  classes(): string[] {
    return this.#q.classes.all().map((r) => r.class_name);
  }

  classStudents(className: string): Holder[] {
    return this.#q.classStudents
      .all(className)
      .map((s) => ({ kind: 'student', id: s.id, fullName: s.full_name, group: s.class_name, photoHash: s.photo_hash }));
  }

  /** One school day's menu rows as stored (the till validates each; a bad row is skipped, not fatal). */
  menuRows(date: string): Record<string, unknown>[] {
    return this.#q.menu.all(date);
  }

  menuRow(date: string, itemId: string): Record<string, unknown> | null {
    return this.#q.menuItem.get(date, itemId) ?? null;
  }

  hasMenu(date: string): boolean {
    return (this.#q.menuCount.get(date)?.n ?? 0) > 0;
  }

  /** Replaces the menu of one school day. */
  replaceMenu(date: string, items: readonly MenuItem[]): void {
    this.#db.transaction(() => {
      this.#q.deleteMenuDay.run(date);
      this.upsertMenu(items.filter((i) => i.date === date));
    })();
  }

  /**
   * The server removed a person or an account (a roster tombstone). A person goes with their cards and
   * account, so no tap can find them even before the card tombstones of the same page are applied.
   */
  remove(kind: 'student' | 'staff' | 'account', id: string): void {
    const q = kind === 'student' ? this.#q.deleteStudent : kind === 'staff' ? this.#q.deleteStaff : this.#q.deleteAccount;
    q.run(id);
    if (kind !== 'account') {
      this.#q.deleteHolderCards.run(id);
      this.#q.deleteAccount.run(id);
    }
  }

  /**
   * Portraits no person names any more (the person left, their photo changed, or consent was withdrawn):
   * their index rows are deleted here and the hashes returned, so the caller deletes the files.
   */
  takeOrphanPhotos(): string[] {
    const hashes = this.#q.orphanPhotos.all().map((r) => r.hash);
    for (const h of hashes) this.#q.deletePhoto.run(h);
    return hashes;
  }

  /** Whether any person's record names this portrait. */
  photoReferenced(hash: string): boolean {
    return this.#q.referenced.get(hash, hash) !== undefined;
  }

  removeCard(card: CanonicalCard): void {
    this.#partialCards = null;
    this.#q.deleteCard.run(card.technology, card.uid);
  }

  /** A spare card bound here: its temporary card row, so this post lets the holder through at once. */
  putTemporaryCard(card: CanonicalCard & { part?: UidPart | undefined }, holderKind: HolderKind, holderId: string, until: string): void {
    this.#partialCards = null;
    this.#q.upsertTempCard.run({ technology: card.technology, uid: card.uid, part: card.part ?? 'full', holderKind, holderId, until });
  }

  /** Portrait hashes the roster names that are not on disk yet. */
  missingPhotos(limit: number): string[] {
    return this.#q.missingPhotos.all(limit).map((r) => r.hash);
  }

  photoSaved(hash: string, size: number, at: string): void {
    this.#q.putPhoto.run(hash, size, at);
  }

  /** Empties the roster (the embedded demo school leaves when a real backend takes over). */
  clear(): void {
    this.#partialCards = null;
    this.#db.transaction(() => {
      // The photo index too: the portrait files go with it (PhotoStore.removeAll), so none is thought present.
      for (const table of ['cards', 'accounts', 'students', 'staff', 'menu_items', 'photos']) this.#db.prepare(`DELETE FROM ${table}`).run();
    })();
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
        const pinHash = s.pinHash ? this.#seal.seal(s.pinHash, staffOwner(s.id)) : null;
        this.#upsertStaff.run({ ...s, roles: JSON.stringify(s.roles), pinHash, keepPin: s.pinHash === undefined ? 1 : 0 });
      }
    })();
  }

  /** A staff member's PIN hash as the backend made it, or null (no PIN, or sealed under another station's key). */
  pinHashOf(row: Pick<StaffRow, 'id' | 'pin_hash'>): string | null {
    return row.pin_hash ? this.#seal.open(row.pin_hash, staffOwner(row.id)) : null;
  }

  /** Seals every PIN hash still stored in clear (by a build before hashes were sealed); returns how many. */
  sealClearPins(): number {
    const clear = this.#db
      .prepare<[], { id: string; pin_hash: string }>("SELECT id, pin_hash FROM staff WHERE pin_hash IS NOT NULL AND pin_hash NOT LIKE 'sealed%'")
      .all();
    if (clear.length === 0) return 0;
    const set = this.#db.prepare<[string, string], never>('UPDATE staff SET pin_hash = ? WHERE id = ?');
    this.#db.transaction(() => {
      for (const r of clear) set.run(this.#seal.seal(r.pin_hash, staffOwner(r.id)), r.id);
    })();
    return clear.length;
  }

  upsertCards(rows: readonly Card[]): void {
    this.#partialCards = null;
    this.#db.transaction(() => {
      for (const c of rows) this.#upsertCard.run({ ...c, part: c.part ?? 'full' });
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

  counts(): { students: number; staff: number; cards: number } {
    const n = (table: string) => (this.#db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { students: n('students'), staff: n('staff'), cards: n('cards') };
  }

  /** Every card with its holder, for the demo reader panel (small schools only). */
  listCardsWithHolders(limit: number): (CardLookup & { card: Card })[] {
    const rows = this.#db
      .prepare<[number], CardRow>(
        'SELECT technology, uid, part, holder_kind, holder_id, status, valid_until FROM cards ORDER BY holder_kind DESC, holder_id, uid LIMIT ?',
      )
      .all(limit);
    return rows.map((r) => this.#withHolder(r));
  }

  /**
   * For the setup screen: for each reader format, how many of the school's cards such a reader could not
   * tell from another card (0: that format identifies every card). Reads every card once; on request only.
   */
  cardAmbiguity(): Record<PartialPart, number> {
    return ambiguityByPart(
      this.#db.prepare<[], { technology: Card['technology']; uid: string; part: UidPart }>('SELECT technology, uid, part FROM cards').all(),
    );
  }
}
