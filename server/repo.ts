/**
 * The reference backend's domain over its database: roster with revisions, photos, menu, stations and
 * tokens, and the events ledger. The server is the authority on balances: a sale debits the account,
 * a void credits it back, an overdraft is applied and flagged, a duplicate changes nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { cardKey, printedForms, type CanonicalCard } from '../common/card-id.ts';
import type { UidPart } from '../common/card-match.ts';
import type { Account, Card, MenuItem, Staff, Student } from '../common/domain.ts';
import { BALANCE_LIMIT, type StationRole } from '../common/events.ts';
import { formatMoney } from '../common/money.ts';
import {
  SchoolSettings,
  type DayFigures,
  type PushResult,
  type BackendIdentity,
  type SchoolSettingsPatch,
  type RosterPage,
  type RosterStaff,
  type SpareCard,
  type SpareCardAdminView,
  type SpareCardRemoveResponse,
  type Tombstone,
  type TombstoneKind,
} from '../common/sync-api.ts';
import { applyBatch, type BatchStation } from './events/apply.ts';
import { allIn } from './events/state.ts';
import { Exceptions } from './exceptions.ts';
import { SchoolDay } from './day.ts';
import { isTimeZone, schoolDate } from '../common/school-time.ts';
import { readSchoolSettings, writeSchoolSettings } from './school.ts';
import { markDemoSchool, readBackendIdentity, setSchoolName } from './identity.ts';
import { Stations, type AuthResult, type StationRow } from './stations.ts';
import type { Database, Sql, Tx } from './storage/sql.ts';

export type { AuthResult, StationRow };

const iso = (ms = Date.now()) => new Date(ms).toISOString();
const json = (v: unknown) => JSON.stringify(v);

interface StudentRow {
  id: string;
  full_name: string;
  class_name: string;
  photo_hash: string | null;
  status: Student['status'];
  photo_consent?: number | null;
  rev: number;
}
interface StaffRow {
  id: string;
  full_name: string;
  position: string;
  photo_hash: string | null;
  status: Staff['status'];
  roles: string;
  pin_hash: string | null;
  photo_consent?: number | null;
  rev: number;
}
interface CardRow {
  technology: Card['technology'];
  uid: string;
  holder_kind: Card['holderKind'];
  holder_id: string;
  status: Card['status'];
  valid_until: string | null;
  /** null: the full uid. */
  part: UidPart | null;
  rev: number;
}
interface AccountRow {
  holder_id: string;
  balance: number;
  balance_at: string;
  daily_limit: number | null;
  forbidden_categories: string;
  allergens: string;
  subsidy: Account['subsidy'];
  parent_note: string | null;
  rev: number;
}

interface SpareRow {
  technology: Card['technology'];
  uid: string;
  label: string;
  added_at: string;
  part: UidPart | null;
  rev: number;
}
/** A spare card with the temporary card row that binds it, if any (LEFT JOIN: nulls when unbound). */
interface SpareBindingRow extends SpareRow {
  holder_kind: Card['holderKind'] | null;
  holder_id: string | null;
  valid_until: string | null;
  full_name: string | null;
}
const SPARE_WITH_BINDING = `SELECT sc.technology, sc.uid, sc.label, sc.added_at, sc.part, sc.rev, c.holder_kind, c.holder_id, c.valid_until,
       coalesce(s.full_name, t.full_name) AS full_name
  FROM spare_cards sc
  LEFT JOIN cards c ON c.technology = sc.technology AND c.uid = sc.uid AND c.status = 'temporary'
  LEFT JOIN students s ON c.holder_kind = 'student' AND s.id = c.holder_id
  LEFT JOIN staff t ON c.holder_kind = 'staff' AND t.id = c.holder_id`;

// A part is sent only when it is not the full uid (what a backend without parts sends).
const partOf = (part: UidPart | null): { part?: UidPart } => (part && part !== 'full' ? { part } : {});
const toSpareCard = (r: SpareRow): SpareCard => ({ technology: r.technology, uid: r.uid, ...partOf(r.part), label: r.label });
const toSpareView = (r: SpareBindingRow, nowIso: string): SpareCardAdminView => {
  const printed = printedForms(r.uid);
  const bound = r.holder_id !== null && r.holder_kind !== null && (r.valid_until === null || r.valid_until > nowIso);
  return {
    ...toSpareCard(r),
    printed: { dec10: printed.dec10, wiegand26: printed.wiegand26 },
    addedAt: r.added_at,
    boundTo: bound ? { holderKind: r.holder_kind!, holderId: r.holder_id!, fullName: r.full_name, validUntil: r.valid_until } : null,
  };
};

/** Without written consent no portrait leaves the backend (and a station drops one it had). */
const consented = (r: { photo_hash: string | null; photo_consent?: number | null }): string | null =>
  Number(r.photo_consent ?? 0) === 1 ? r.photo_hash : null;
const toStudent = (r: StudentRow): Student => ({ id: r.id, fullName: r.full_name, className: r.class_name, photoHash: consented(r), status: r.status });
const toStaff = (r: StaffRow): RosterStaff => ({
  id: r.id,
  fullName: r.full_name,
  position: r.position,
  photoHash: consented(r),
  status: r.status,
  roles: JSON.parse(r.roles) as Staff['roles'],
  pinHash: r.pin_hash,
});
const toCard = (r: CardRow): Card => ({
  technology: r.technology,
  uid: r.uid,
  ...partOf(r.part),
  holderKind: r.holder_kind,
  holderId: r.holder_id,
  status: r.status,
  validUntil: r.valid_until,
});
const toAccount = (r: AccountRow): Account => ({
  holderId: r.holder_id,
  balance: r.balance,
  balanceAt: r.balance_at,
  dailyLimit: r.daily_limit,
  forbiddenCategories: JSON.parse(r.forbidden_categories) as string[],
  allergens: JSON.parse(r.allergens) as string[],
  subsidy: r.subsidy,
  parentNote: r.parent_note,
});

export class NotFound extends Error {
  override name = 'NotFound';
}

/** A partial account for creation: everything but the holder has a default. */
export type AccountSettings = Partial<Omit<Account, 'holderId' | 'balance' | 'balanceAt'>> & { holderId: string };

export class Repo {
  readonly db: Database;
  readonly stationsRepo: Stations;
  readonly exceptions: Exceptions;
  /** The school day's facts for the other stations (the long-poll of GET /v1/day). */
  readonly day: SchoolDay;

  constructor(db: Database) {
    this.db = db;
    this.stationsRepo = new Stations(db);
    this.exceptions = new Exceptions(db);
    this.day = new SchoolDay(db);
  }

  // ── Roster writes (inside a roster transaction) ─────────────────────────────────────────────
  async #clearTombstone(tx: Sql, kind: TombstoneKind, id: string): Promise<void> {
    await tx.run('DELETE FROM tombstones WHERE kind = ? AND id = ?', [kind, id]);
  }

  async upsertStudent(tx: Tx, s: Student): Promise<void> {
    const rev = await tx.nextRev();
    await tx.run(
      `INSERT INTO students (id, full_name, class_name, photo_hash, status, rev) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name, class_name = excluded.class_name,
         photo_hash = excluded.photo_hash, status = excluded.status, rev = excluded.rev
       WHERE students.full_name IS DISTINCT FROM excluded.full_name OR students.class_name IS DISTINCT FROM excluded.class_name
         OR students.photo_hash IS DISTINCT FROM excluded.photo_hash OR students.status IS DISTINCT FROM excluded.status`,
      [s.id, s.fullName, s.className, s.photoHash, s.status, rev],
    );
    await this.#clearTombstone(tx, 'student', s.id);
  }

  /**
   * `pinHash` (common/pin-hash.ts, hashed by server/pins.ts): undefined keeps the stored one (an import
   * without a PIN column), null clears it. A new hash is a roster delta like any other column.
   */
  async upsertStaff(tx: Tx, s: Staff, pinHash?: string | null): Promise<void> {
    const rev = await tx.nextRev();
    const withPin = pinHash !== undefined;
    await tx.run(
      `INSERT INTO staff (id, full_name, position, photo_hash, status, roles, pin_hash, rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name, position = excluded.position,
         photo_hash = excluded.photo_hash, status = excluded.status, roles = excluded.roles,${withPin ? ' pin_hash = excluded.pin_hash,' : ''} rev = excluded.rev
       WHERE staff.full_name IS DISTINCT FROM excluded.full_name OR staff.position IS DISTINCT FROM excluded.position
         OR staff.photo_hash IS DISTINCT FROM excluded.photo_hash OR staff.status IS DISTINCT FROM excluded.status
         OR staff.roles IS DISTINCT FROM excluded.roles${withPin ? ' OR staff.pin_hash IS DISTINCT FROM excluded.pin_hash' : ''}`,
      [s.id, s.fullName, s.position, s.photoHash, s.status, json(s.roles), pinHash ?? null, rev],
    );
    await this.#clearTombstone(tx, 'staff', s.id);
  }

  /** Records a person's photo consent (a change is a roster delta: stations drop or fetch the portrait). */
  async setPhotoConsent(tx: Tx, kind: 'student' | 'staff', id: string, consent: boolean): Promise<void> {
    const table = kind === 'student' ? 'students' : 'staff';
    const rev = await tx.nextRev();
    const v = consent ? 1 : 0;
    await tx.run(`UPDATE ${table} SET photo_consent = ?, rev = ? WHERE id = ? AND photo_consent IS DISTINCT FROM ?`, [v, rev, id, v]);
  }

  /** The admin endpoint's consent change: false also deletes the portrait (nobody may keep it). */
  async updatePhotoConsent(kind: 'student' | 'staff', id: string, consent: boolean): Promise<{ id: string; photoConsent: boolean }> {
    const table = kind === 'student' ? 'students' : 'staff';
    await this.db.tx(
      async (tx) => {
        const person = await tx.get<{ photo_hash: string | null }>(`SELECT photo_hash FROM ${table} WHERE id = ?`, [id]);
        if (!person) throw new NotFound(`no ${kind} ${id}`);
        await this.setPhotoConsent(tx, kind, id, consent);
        if (!consent && person.photo_hash) {
          await tx.run(`UPDATE ${table} SET photo_hash = NULL WHERE id = ?`, [id]);
          const shared = await tx.get('SELECT 1 AS x FROM students WHERE photo_hash = ? UNION ALL SELECT 1 AS x FROM staff WHERE photo_hash = ?', [
            person.photo_hash,
            person.photo_hash,
          ]);
          if (!shared) await tx.run('DELETE FROM photos WHERE hash = ?', [person.photo_hash]);
        }
      },
      { roster: true },
    );
    return { id, photoConsent: consent };
  }

  /** Sets (null: clears) a staff member's PIN hash; false when it was that already (no delta). */
  async setStaffPinHash(tx: Tx, staffId: string, pinHash: string | null): Promise<boolean> {
    const rev = await tx.nextRev();
    const n = await tx.run('UPDATE staff SET pin_hash = ?, rev = ? WHERE id = ? AND pin_hash IS DISTINCT FROM ?', [pinHash, rev, staffId, pinHash]);
    if (n === 0 && !(await tx.get('SELECT 1 AS x FROM staff WHERE id = ?', [staffId]))) throw new NotFound(`no staff member ${staffId}`);
    return n > 0;
  }

  /** The stored PIN hashes of these staff members (absent: no such person or no PIN). */
  async staffPinHashes(ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      if (!part.length) continue;
      const rows = await this.db.all<{ id: string; pin_hash: string }>(
        `SELECT id, pin_hash FROM staff WHERE pin_hash IS NOT NULL AND id IN (${part.map(() => '?').join(', ')})`,
        part,
      );
      for (const r of rows) out.set(r.id, r.pin_hash);
    }
    return out;
  }

  async upsertCard(tx: Tx, c: Card): Promise<void> {
    const rev = await tx.nextRev();
    // A spare card's temporary row keeps the part the spare was given with.
    const part =
      c.part ??
      (c.status === 'temporary'
        ? ((await tx.get<{ part: UidPart | null }>('SELECT part FROM spare_cards WHERE technology = ? AND uid = ?', [c.technology, c.uid]))?.part ?? null)
        : null);
    const stored = part === 'full' ? null : part;
    await tx.run(
      `INSERT INTO cards (technology, uid, part, holder_kind, holder_id, status, valid_until, rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (technology, uid) DO UPDATE SET part = excluded.part, holder_kind = excluded.holder_kind, holder_id = excluded.holder_id,
         status = excluded.status, valid_until = excluded.valid_until, rev = excluded.rev
       WHERE cards.holder_kind IS DISTINCT FROM excluded.holder_kind OR cards.holder_id IS DISTINCT FROM excluded.holder_id
         OR cards.status IS DISTINCT FROM excluded.status OR cards.valid_until IS DISTINCT FROM excluded.valid_until
         OR cards.part IS DISTINCT FROM excluded.part`,
      [c.technology, c.uid, stored, c.holderKind, c.holderId, c.status, c.validUntil, rev],
    );
    await this.#clearTombstone(tx, 'card', `${c.technology}:${c.uid}`);
  }

  /** Creates the account if missing (balance 0 unless given); never touches an existing balance. */
  async ensureAccount(tx: Tx, a: AccountSettings, openingBalance = 0): Promise<void> {
    const rev = await tx.nextRev();
    await tx.run(
      `INSERT INTO accounts (holder_id, balance, balance_at, daily_limit, forbidden_categories, allergens, subsidy, parent_note, rev)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (holder_id) DO NOTHING`,
      [
        a.holderId,
        openingBalance,
        iso(),
        a.dailyLimit ?? null,
        json(a.forbiddenCategories ?? []),
        json(a.allergens ?? []),
        a.subsidy ?? 'none',
        a.parentNote ?? null,
        rev,
      ],
    );
    await this.#clearTombstone(tx, 'account', a.holderId);
  }

  async #touchAccount(tx: Tx, holderId: string, set: string, params: (string | number | null)[]): Promise<void> {
    const rev = await tx.nextRev();
    const n = await tx.run(`UPDATE accounts SET ${set}, rev = ? WHERE holder_id = ?`, [...params, rev, holderId]);
    if (n === 0) throw new NotFound(`no account for holder ${holderId}`);
  }

  async removePerson(tx: Tx, kind: 'student' | 'staff', id: string): Promise<void> {
    const table = kind === 'student' ? 'students' : 'staff';
    const n = await tx.run(`DELETE FROM ${table} WHERE id = ?`, [id]);
    if (n === 0) return;
    await this.#tombstone(tx, kind, id);
    for (const c of await tx.all<{ technology: string; uid: string }>('SELECT technology, uid FROM cards WHERE holder_id = ?', [id])) {
      await tx.run('DELETE FROM cards WHERE technology = ? AND uid = ?', [c.technology, c.uid]);
      await this.#tombstone(tx, 'card', `${c.technology}:${c.uid}`);
    }
  }

  /**
   * A person leaves the school: their cards go at once (stations refuse them from their next pull), the
   * name, class or position, portrait, PIN, account settings and parents' messages are deleted, and what
   * the school's accounts must keep (ledger, events, daily figures, exceptions) is rewritten to a random
   * pseudonymous id whose link to the person is kept nowhere. Returns that id (null: no such person).
   */
  async forgetPerson(kind: 'student' | 'staff', id: string): Promise<{ pseudonym: string; cards: number; balance: number } | null> {
    const table = kind === 'student' ? 'students' : 'staff';
    return this.db.tx(
      async (tx) => {
        const person = await tx.get<{ photo_hash: string | null }>(`SELECT photo_hash FROM ${table} WHERE id = ?`, [id]);
        if (!person) return null;
        const pseudonym = `gone-${randomUUID()}`;
        const cards = await tx.all<{ technology: string; uid: string }>('SELECT technology, uid FROM cards WHERE holder_id = ?', [id]);
        await this.removePerson(tx, kind, id);
        const account = await tx.get<{ balance: number }>('SELECT balance FROM accounts WHERE holder_id = ?', [id]);
        if (account) {
          await tx.run('DELETE FROM accounts WHERE holder_id = ?', [id]);
          await this.#tombstone(tx, 'account', id);
        }
        // The portrait goes unless somebody else's record names the same bytes.
        if (person.photo_hash) {
          const shared = await tx.get('SELECT 1 AS x FROM students WHERE photo_hash = ? UNION ALL SELECT 1 AS x FROM staff WHERE photo_hash = ?', [
            person.photo_hash,
            person.photo_hash,
          ]);
          if (!shared) await tx.run('DELETE FROM photos WHERE hash = ?', [person.photo_hash]);
        }
        // What parents were told is about this person by name and time: it goes with them.
        await tx.run('DELETE FROM notifications WHERE holder_id = ?', [id]);
        const quoted = JSON.stringify(id);
        await tx.run('UPDATE events SET body = replace(body, ?, ?) WHERE holder_id = ? OR body LIKE ?', [quoted, JSON.stringify(pseudonym), id, `%${quoted}%`]);
        await tx.run('UPDATE events SET holder_id = ? WHERE holder_id = ?', [pseudonym, id]);
        // The card numbers go too: a card is only an identifier, and nobody holds these any more.
        for (const c of cards) await tx.run('UPDATE events SET body = replace(body, ?, ?) WHERE holder_id = ?', [JSON.stringify(c.uid), '""', pseudonym]);
        await tx.run('UPDATE ledger SET holder_id = ? WHERE holder_id = ?', [pseudonym, id]);
        await tx.run('UPDATE daily_figures SET holder_id = ? WHERE holder_id = ?', [pseudonym, id]);
        await tx.run('UPDATE exceptions SET holder_id = ?, message = replace(message, ?, ?) WHERE holder_id = ?', [pseudonym, id, pseudonym, id]);
        // Today's facts for the other stations (server/day.ts) name them by id: a station enrolled later
        // would count them inside. Every station forgets its copies at the same sync.
        const likeLiteral = quoted.replace(/[\\%_]/g, (c) => `\\${c}`);
        await tx.run("DELETE FROM day_facts WHERE body LIKE ? ESCAPE '\\'", [`%"holderId":${likeLiteral}%`]);
        return { pseudonym, cards: cards.length, balance: Number(account?.balance ?? 0) };
      },
      { roster: true },
    );
  }

  async #tombstone(tx: Tx, kind: TombstoneKind, id: string): Promise<void> {
    const rev = await tx.nextRev();
    await tx.run('INSERT INTO tombstones (kind, id, rev) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev', [kind, id, rev]);
  }

  // ── Roster reads ───────────────────────────────────────────────────────────────────────────
  /** Changes after `since` in revision order, at most `limit` rows, with the cursor to continue from. */
  async rosterPage(since: number, limit: number): Promise<RosterPage> {
    type Tagged = { rev: number; apply: (p: RosterPage) => void };
    const [students, staff, cards, accounts, spares, tombs, counts] = await this.db.tx(
      async (db) =>
        [
          await db.all<StudentRow>('SELECT * FROM students WHERE rev > ? ORDER BY rev LIMIT ?', [since, limit]),
          await db.all<StaffRow>('SELECT * FROM staff WHERE rev > ? ORDER BY rev LIMIT ?', [since, limit]),
          await db.all<CardRow>('SELECT * FROM cards WHERE rev > ? ORDER BY rev LIMIT ?', [since, limit]),
          await db.all<AccountRow>('SELECT * FROM accounts WHERE rev > ? ORDER BY rev LIMIT ?', [since, limit]),
          await db.all<SpareRow>('SELECT * FROM spare_cards WHERE rev > ? ORDER BY rev LIMIT ?', [since, limit]),
          await db.all<{ kind: TombstoneKind; id: string; rev: number }>('SELECT * FROM tombstones WHERE rev > ? ORDER BY rev LIMIT ?', [since, limit]),
          await db.get<{ n: number }>(
            `SELECT (SELECT count(*) FROM students WHERE rev > ?) + (SELECT count(*) FROM staff WHERE rev > ?)
           + (SELECT count(*) FROM cards WHERE rev > ?) + (SELECT count(*) FROM accounts WHERE rev > ?)
           + (SELECT count(*) FROM spare_cards WHERE rev > ?) + (SELECT count(*) FROM tombstones WHERE rev > ?) AS n`,
            [since, since, since, since, since, since],
          ),
        ] as const,
      { snapshot: true },
    );
    const tagged: Tagged[] = [
      ...students.map((r) => ({ rev: r.rev, apply: (p: RosterPage) => p.students.push(toStudent(r)) })),
      ...staff.map((r) => ({ rev: r.rev, apply: (p: RosterPage) => p.staff.push(toStaff(r)) })),
      ...cards.map((r) => ({ rev: r.rev, apply: (p: RosterPage) => p.cards.push(toCard(r)) })),
      ...accounts.map((r) => ({ rev: r.rev, apply: (p: RosterPage) => p.accounts.push(toAccount(r)) })),
      ...spares.map((r) => ({ rev: r.rev, apply: (p: RosterPage) => p.spareCards.push(toSpareCard(r)) })),
      ...tombs.map((r) => ({ rev: r.rev, apply: (p: RosterPage) => p.tombstones.push({ kind: r.kind, id: r.id } satisfies Tombstone) })),
    ].sort((a, b) => a.rev - b.rev);
    const taken = tagged.slice(0, limit);
    const remaining = Number(counts?.n ?? 0);
    const page: RosterPage = {
      students: [],
      staff: [],
      cards: [],
      accounts: [],
      spareCards: [],
      tombstones: [],
      cursor: String(taken.length ? taken[taken.length - 1]!.rev : since),
      more: remaining > taken.length,
      remaining,
    };
    for (const t of taken) t.apply(page);
    // The school's settings and today's school-wide figures of the accounts in this page (a sale changes
    // the account's revision, so a till hears of another till's sale with the balance it changed).
    // The figures and the revision counter are read in one snapshot: every school-day fact up to `asOf`
    // is inside these figures and none after it, so a till adds exactly the facts after it.
    const school = await readSchoolSettings(this.db);
    const date = schoolDate(Date.now(), school.timeZone);
    const figures: DayFigures[] = [];
    const asOf = await this.db.tx(
      async (db) => {
        const counter = await db.get<{ value: number }>("SELECT value FROM counters WHERE name = 'rev'");
        if (page.accounts.length) {
          const rows = await allIn<{ holder_id: string; spent: number; subsidy_meals: number; offline_spent: number }>(
            db,
            'SELECT holder_id, spent, subsidy_meals, offline_spent FROM daily_figures WHERE holder_id',
            page.accounts.map((a) => a.holderId),
            [date],
            ' AND school_date = ?',
          );
          for (const r of rows)
            figures.push({ holderId: r.holder_id, spent: Number(r.spent), subsidyMeals: Number(r.subsidy_meals), offlineSpent: Number(r.offline_spent) });
        }
        return Number(counter?.value ?? 0);
      },
      { snapshot: true },
    );
    return { ...page, school, today: { date, figures, asOf } };
  }

  async account(holderId: string): Promise<Account | null> {
    const r = await this.db.get<AccountRow>('SELECT * FROM accounts WHERE holder_id = ?', [holderId]);
    return r ? toAccount(r) : null;
  }

  async card(technology: string, uid: string): Promise<Card | null> {
    const r = await this.db.get<CardRow>('SELECT * FROM cards WHERE technology = ? AND uid = ?', [technology, uid]);
    return r ? toCard(r) : null;
  }

  async personExists(id: string): Promise<'student' | 'staff' | null> {
    if (await this.db.get('SELECT 1 AS x FROM students WHERE id = ?', [id])) return 'student';
    if (await this.db.get('SELECT 1 AS x FROM staff WHERE id = ?', [id])) return 'staff';
    return null;
  }

  // ── Photos and menu ────────────────────────────────────────────────────────────────────────
  static photoHash(bytes: Uint8Array): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  async putPhoto(sql: Sql, bytes: Buffer, mime: string): Promise<string> {
    const hash = Repo.photoHash(bytes);
    await sql.run('INSERT INTO photos (hash, mime, bytes) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING', [hash, mime, bytes]);
    return hash;
  }

  /** A portrait by hash, only while a person who consented is shown with it. */
  async photo(hash: string): Promise<{ mime: string; bytes: Buffer } | null> {
    const r = await this.db.get<{ mime: string; bytes: Buffer | Uint8Array }>(
      `SELECT mime, bytes FROM photos WHERE hash = ? AND (EXISTS (SELECT 1 FROM students WHERE photo_hash = photos.hash AND photo_consent = 1)
         OR EXISTS (SELECT 1 FROM staff WHERE photo_hash = photos.hash AND photo_consent = 1))`,
      [hash],
    );
    return r ? { mime: r.mime, bytes: Buffer.from(r.bytes) } : null;
  }

  async putMenu(items: readonly MenuItem[]): Promise<void> {
    await this.db.tx(async (tx) => {
      for (const m of items) {
        await tx.run(
          `INSERT INTO menu_items (date, id, name, category, kind, price, allergens) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (date, id) DO UPDATE SET name = excluded.name, category = excluded.category, kind = excluded.kind,
             price = excluded.price, allergens = excluded.allergens`,
          [m.date, m.id, m.name, m.category, m.kind, m.price, json(m.allergens)],
        );
      }
    });
  }

  async menu(date: string): Promise<MenuItem[]> {
    const rows = await this.db.all<{ date: string; id: string; name: string; category: string; kind: MenuItem['kind']; price: number; allergens: string }>(
      'SELECT * FROM menu_items WHERE date = ? ORDER BY id',
      [date],
    );
    return rows.map((r) => ({ ...r, allergens: JSON.parse(r.allergens) as string[] }));
  }

  // ── Stations, codes and tokens (server/stations.ts) ────────────────────────────────────────
  createEnrollmentCode(role: StationRole, ttlMinutes = 60): Promise<{ code: string; role: StationRole; expiresAt: string }> {
    return this.stationsRepo.createEnrollmentCode(role, ttlMinutes);
  }

  enroll(code: string, name: string): Promise<{ stationId: string; token: string; role: StationRole | null } | null> {
    return this.stationsRepo.enroll(code, name);
  }

  authenticateStation(token: string): Promise<AuthResult> {
    return this.stationsRepo.authenticateStation(token);
  }

  revokeStation(id: string): Promise<boolean> {
    return this.stationsRepo.revokeStation(id);
  }

  setStationRole(id: string, role: StationRole): Promise<StationRow | null> {
    return this.stationsRepo.setStationRole(id, role);
  }

  stations(): Promise<StationRow[]> {
    return this.stationsRepo.stations();
  }

  /** A new admin token (shown once; only its hash is kept). */
  async createAdminToken(days?: number, label = ''): Promise<string> {
    return (await this.stationsRepo.createAdminToken(days, label)).token;
  }

  authenticateAdmin(token: string): Promise<boolean> {
    return this.stationsRepo.authenticateAdmin(token);
  }

  // ── The backend's identity (server/identity.ts) ───────────────────────────────────────────
  #identity: Promise<BackendIdentity> | null = null;

  /** Read once per process: it rides on every roster page and push reply. */
  identity(): Promise<BackendIdentity> {
    this.#identity ??= readBackendIdentity(this.db).catch((err: unknown) => {
      this.#identity = null;
      throw err;
    });
    return this.#identity;
  }

  async markDemoSchool(): Promise<void> {
    await markDemoSchool(this.db);
    this.#identity = null;
  }

  async setSchoolName(name: string): Promise<void> {
    await setSchoolName(this.db, name);
    this.#identity = null;
  }

  // ── School settings (server/school.ts) ─────────────────────────────────────────────────────
  schoolSettings(): Promise<SchoolSettings> {
    return readSchoolSettings(this.db);
  }

  async updateSchoolSettings(patch: SchoolSettingsPatch): Promise<SchoolSettings> {
    if (patch.timeZone !== undefined && !isTimeZone(patch.timeZone))
      throw new RangeError(`"${patch.timeZone}" is not a time zone (e.g. Europe/Moscow, Asia/Yekaterinburg)`);
    return this.db.tx(async (tx) => {
      const next = SchoolSettings.parse({ ...(await readSchoolSettings(tx)), ...patch });
      // Every roster page carries the settings: stations have them with their next pull.
      await writeSchoolSettings(tx, next);
      return next;
    });
  }

  // ── Administration of accounts and cards ───────────────────────────────────────────────────
  /** Stands in for a parent's payment: credits the account and records it in the ledger. */
  async topUp(holderId: string, amount: number, note = ''): Promise<Account> {
    if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError('a top-up is a positive whole number of kopecks');
    await this.db.tx(
      async (tx) => {
        const acc = await tx.get<{ balance: number }>('SELECT balance FROM accounts WHERE holder_id = ?', [holderId]);
        if (acc && Number(acc.balance) + amount > BALANCE_LIMIT) {
          throw new RangeError(`refused: the top-up would take the balance past ${formatMoney(BALANCE_LIMIT)}, the most an account holds`);
        }
        await this.#touchAccount(tx, holderId, 'balance = balance + ?, balance_at = ?', [amount, iso()]);
        await tx.run('INSERT INTO ledger (event_id, holder_id, delta, kind, at) VALUES (?, ?, ?, ?, ?)', [
          `topup-${randomUUID()}`,
          holderId,
          amount,
          note ? `topup: ${note}` : 'topup',
          iso(),
        ]);
      },
      { roster: true },
    );
    return (await this.account(holderId))!;
  }

  async updateAccount(holderId: string, patch: { dailyLimit?: number | null; forbiddenCategories?: string[]; subsidy?: Account['subsidy'] }): Promise<Account> {
    await this.db.tx(
      async (tx) => {
        if (patch.dailyLimit !== undefined) await this.#touchAccount(tx, holderId, 'daily_limit = ?', [patch.dailyLimit]);
        if (patch.forbiddenCategories !== undefined) await this.#touchAccount(tx, holderId, 'forbidden_categories = ?', [json(patch.forbiddenCategories)]);
        if (patch.subsidy !== undefined) await this.#touchAccount(tx, holderId, 'subsidy = ?', [patch.subsidy]);
      },
      { roster: true },
    );
    return (await this.account(holderId))!;
  }

  async setCardStatus(technology: string, uid: string, status: Card['status']): Promise<Card> {
    const card = await this.card(technology, uid);
    if (!card) throw new NotFound(`no card ${technology}:${uid}`);
    await this.db.tx((tx) => this.upsertCard(tx, { ...card, status }), { roster: true });
    return (await this.card(technology, uid))!;
  }

  /** A lost card is blocked as lost and a temporary card issued to the same holder; the balance stays on the account. */
  async replaceLostCard(
    lost: { technology: Card['technology']; uid: string },
    temporary: { technology: Card['technology']; uid: string },
    validUntil: string | null,
  ): Promise<Card> {
    const card = await this.card(lost.technology, lost.uid);
    if (!card) throw new NotFound(`no card ${lost.technology}:${lost.uid}`);
    const existing = await this.card(temporary.technology, temporary.uid);
    if (existing && existing.holderId !== card.holderId) throw new RangeError(`card ${temporary.technology}:${temporary.uid} belongs to ${existing.holderId}`);
    if (await this.isSpareCard(temporary)) {
      throw new RangeError(`card ${cardKey(temporary)} is a spare card in the school's stock; remove it from the stock first (remove-spare-card)`);
    }
    const temp: Card = { ...temporary, holderKind: card.holderKind, holderId: card.holderId, status: 'temporary', validUntil };
    await this.db.tx(
      async (tx) => {
        await this.upsertCard(tx, { ...card, status: 'lost' });
        await this.upsertCard(tx, temp);
      },
      { roster: true },
    );
    return temp;
  }

  // ── The spare-card stock ────────────────────────────────────────────────────────────────────
  /** Whether the card is in the school's stock; `db` is the transaction to read in, when there is one. */
  async isSpareCard(card: CanonicalCard, db: Sql = this.db): Promise<boolean> {
    return !!(await db.get('SELECT 1 AS x FROM spare_cards WHERE technology = ? AND uid = ?', [card.technology, card.uid]));
  }

  /** `technology:uid` of every spare card (for imports, which refuse to make one somebody's own card). */
  async spareCardKeys(): Promise<Set<string>> {
    const rows = await this.db.all<{ technology: string; uid: string }>('SELECT technology, uid FROM spare_cards');
    return new Set(rows.map((r) => `${r.technology}:${r.uid}`));
  }

  /** The stock in label order, each with the holder it is bound to right now (a temporary card valid now). */
  async spareCards(): Promise<SpareCardAdminView[]> {
    const now = iso();
    const rows = await this.db.all<SpareBindingRow>(`${SPARE_WITH_BINDING} ORDER BY sc.label, sc.uid`);
    return rows.map((r) => toSpareView(r, now));
  }

  async spareCard(card: CanonicalCard): Promise<SpareCardAdminView | null> {
    const r = await this.db.get<SpareBindingRow>(`${SPARE_WITH_BINDING} WHERE sc.technology = ? AND sc.uid = ?`, [card.technology, card.uid]);
    return r ? toSpareView(r, iso()) : null;
  }

  /**
   * Adds a card (canonical uid) to the stock, or relabels one already there. A card somebody owns (any row
   * in `cards` that is not this spare's own binding) is refused: it would pass as theirs and as a spare.
   */
  async addSpareCard(card: CanonicalCard & { part?: UidPart | undefined }, label: string): Promise<SpareCardAdminView> {
    await this.db.tx(
      async (tx) => {
        if (!(await this.isSpareCard(card, tx))) {
          const owner = await tx.get<CardRow & { full_name: string | null }>(
            `SELECT c.*, coalesce(s.full_name, t.full_name) AS full_name FROM cards c
               LEFT JOIN students s ON c.holder_kind = 'student' AND s.id = c.holder_id
               LEFT JOIN staff t ON c.holder_kind = 'staff' AND t.id = c.holder_id
              WHERE c.technology = ? AND c.uid = ?`,
            [card.technology, card.uid],
          );
          if (owner) {
            const who = owner.full_name ? `${owner.holder_id} (${owner.full_name})` : owner.holder_id;
            throw new RangeError(
              `card ${cardKey(card)} is not added: it is ${who}'s ${owner.status} card. A spare card must be a card nobody owns` +
                (owner.status === 'temporary' ? '; add it again once it is returned' : ''),
            );
          }
        }
        const rev = await tx.nextRev();
        await tx.run(
          `INSERT INTO spare_cards (technology, uid, part, label, added_at, rev) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (technology, uid) DO UPDATE SET part = excluded.part, label = excluded.label, rev = excluded.rev
           WHERE spare_cards.label IS DISTINCT FROM excluded.label OR spare_cards.part IS DISTINCT FROM excluded.part`,
          [card.technology, card.uid, card.part && card.part !== 'full' ? card.part : null, label, iso(), rev],
        );
        await this.#clearTombstone(tx, 'spare_card', cardKey(card));
      },
      { roster: true },
    );
    return (await this.spareCard(card))!;
  }

  /**
   * Takes a card out of the stock; stations drop it on their next pull. One bound right now stays with its
   * holder (its temporary card row is untouched) until it is returned or its day ends.
   */
  async removeSpareCard(card: CanonicalCard): Promise<SpareCardRemoveResponse> {
    const view = await this.spareCard(card);
    if (!view) throw new NotFound(`card ${cardKey(card)} is not in the spare-card stock`);
    await this.db.tx(
      async (tx) => {
        const n = await tx.run('DELETE FROM spare_cards WHERE technology = ? AND uid = ?', [card.technology, card.uid]);
        if (n > 0) await this.#tombstone(tx, 'spare_card', cardKey(card));
      },
      { roster: true },
    );
    return { removed: view, stillBound: view.boundTo !== null };
  }

  // ── Events (server/events/) ────────────────────────────────────────────────────────────────
  /** Applies a batch from one station in order, in one transaction: every event gets exactly one answer. */
  async applyEvents(station: BatchStation | string, events: readonly Record<string, unknown>[]): Promise<PushResult[]> {
    const who: BatchStation = typeof station === 'string' ? { id: station, role: await this.#roleOf(station) } : station;
    const results = await this.db.tx(
      async (tx) =>
        applyBatch(tx, who, events, await readSchoolSettings(tx), {
          upsert: (card) => this.upsertCard(tx, card),
          dropTemporary: async (technology, uid, holderId) => {
            const n = await tx.run("DELETE FROM cards WHERE technology = ? AND uid = ? AND holder_id = ? AND status = 'temporary'", [
              technology,
              uid,
              holderId,
            ]);
            if (n > 0) await this.#tombstone(tx, 'card', `${technology}:${uid}`);
          },
        }),
      { roster: true },
    );
    // Committed: the stations waiting for the school's day read what it added.
    this.day.feed.notify();
    return results;
  }

  async #roleOf(stationId: string): Promise<StationRole | null> {
    return (await this.db.get<{ role: StationRole | null }>('SELECT role FROM stations WHERE id = ?', [stationId]))?.role ?? null;
  }

  // ── Figures for tests and IT ───────────────────────────────────────────────────────────────
  async counts(): Promise<{ events: number; notifications: number; students: number; staff: number; cards: number; photos: number }> {
    const n = async (t: string) => Number((await this.db.get<{ n: number }>(`SELECT count(*) AS n FROM ${t}`))?.n ?? 0);
    return {
      events: await n('events'),
      notifications: await n('notifications'),
      students: await n('students'),
      staff: await n('staff'),
      cards: await n('cards'),
      photos: await n('photos'),
    };
  }
}
