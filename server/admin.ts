/**
 * School administration for the reference backend: CSV imports with photos, the menu, and the demo
 * school. The CLI and the admin-token endpoints both call these functions.
 */
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import {
  CARD_FORMATS,
  CARD_TECHNOLOGIES,
  CardFormatError,
  isCanonicalUid,
  isRandomUid,
  toCanonicalUid,
  type CanonicalCard,
  type CardFormat,
  type CardTechnology,
} from '../common/card-id.ts';
import { partOfFormat, type UidPart } from '../common/card-match.ts';
import { portraitPng } from '../common/demo-portrait.ts';
import { schoolDate } from '../common/school-time.ts';
import { DEMO_SPARE_CARDS, demoPhotoConsent, generateDemoSchool } from '../common/demo-school.ts';
import { portraitMime } from '../common/mime.ts';
import { Card, MenuItem, PersonStatus, Staff, Student } from '../common/domain.ts';
import { parseMoney } from '../common/money.ts';
import { PIN_PATTERN } from '../common/pin-hash.ts';
import type { ImportReport, SpareCardAdminView, SpareCardRef, SpareCardRemoveResponse, StaffPinResponse } from '../common/sync-api.ts';
import { pinHashFor } from './pins.ts';
import type { Repo } from './repo.ts';

/** RFC 4180 CSV (quotes, doubled quotes, CRLF or LF, `,` or `;` guessed from the header). */
export function parseCsv(text: string): string[][] {
  const src = text.replace(/^\uFEFF/, '');
  const firstLine = src.split(/\r?\n/, 1)[0] ?? '';
  const sep = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === sep) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c.trim() !== ''));
}

/** Rows as objects keyed by the lower-cased header; the line number is the file's (header = 1). */
function records(text: string): { line: number; get: (name: string) => string }[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const names = header.map((h) => h.trim().toLowerCase());
  return rows.map((r, i) => ({ line: i + 2, get: (name: string) => (r[names.indexOf(name)] ?? '').trim() }));
}

/** JPEG, PNG or WebP by their first bytes; anything else (SVG, which can carry script, included) is not a portrait. */
export const photoMimeOf = portraitMime;

/**
 * `iso14443:04A1B2C3D4E5F6; em4100:0A1B2C3D4E` (technology defaults to iso14443), or a number as a reader
 * printed it with its format: `em4100:dec10:3605831468`. The card keeps the format's part of the number
 * (a 10-digit print is the last 4 bytes), so a reader of any format matches it on the bytes both know.
 */
function parseCards(cell: string): { technology: CardTechnology; uid: string; part?: UidPart }[] {
  return cell
    .split(/[;\s]+/)
    .filter(Boolean)
    .map((item) => {
      const fields = item.includes(':') ? item.split(':') : ['iso14443', item];
      const [a, b, c] = fields;
      const technology = a!.toLowerCase() as CardTechnology;
      if (!CARD_TECHNOLOGIES.includes(technology)) throw new Error(`unknown card technology "${a}"`);
      if (fields.length === 3) {
        const format = (b ?? '').toLowerCase() as CardFormat;
        if (!CARD_FORMATS.includes(format)) throw new Error(`unknown card format "${b}" (one of ${CARD_FORMATS.join(', ')})`);
        let uid: string;
        try {
          uid = toCanonicalUid(c ?? '', format);
        } catch (err) {
          throw new Error(`card "${item}": ${(err as Error).message}`);
        }
        const part = partOfFormat(format);
        return part === 'full' ? { technology, uid } : { technology, uid, part };
      }
      const uid = (b ?? '').toUpperCase();
      if (!isCanonicalUid(uid)) throw new Error(`card uid "${b}" is not upper-case hex of 1 to 10 bytes`);
      return { technology, uid };
    });
}

export type PhotoSource = (name: string) => Buffer | null;

const PHOTO_EXTS = ['jpg', 'jpeg', 'png', 'webp'];

async function importPeople(repo: Repo, kind: 'student' | 'staff', csv: string, photos: PhotoSource): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, rejected: [], removed: 0, warnings: [] };
  const leaving: { line: number; id: string }[] = [];
  const ready: {
    person: Student | Staff;
    cards: { technology: CardTechnology; uid: string; part?: UidPart }[];
    photo: { bytes: Buffer; mime: string } | null;
    /** Staff only: the PIN from the `pin` column (empty cell or no column: keep the stored one). */
    pin: string | null;
    pinHash?: string;
    /** Null: the file does not say (no column, empty cell), so the stored consent stands. */
    consent: boolean | null;
    line: number;
  }[] = [];
  const spares = await repo.spareCardKeys();
  for (const rec of records(csv)) {
    try {
      const id = rec.get('id');
      const photoName = rec.get('photo');
      let photo: { bytes: Buffer; mime: string } | null = null;
      const candidates = photoName ? [photoName] : PHOTO_EXTS.map((e) => `${id}.${e}`);
      for (const name of candidates) {
        const bytes = photos(name);
        if (!bytes) continue;
        const mime = photoMimeOf(bytes);
        if (!mime) throw new Error(`photo ${name} is not a JPEG, PNG or WebP image`);
        photo = { bytes, mime };
        break;
      }
      if (photoName && !photo) throw new Error(`photo ${photoName} not found`);
      const status = PersonStatus.parse(rec.get('status') || 'active');
      // A pupil who left is deleted, not kept as "left": the school's regulation says so.
      if (status === 'left') {
        if (!id) throw new Error('id is empty');
        leaving.push({ line: rec.line, id });
        continue;
      }
      const consent = parseConsent(rec.get('photo_consent'));
      const person =
        kind === 'student'
          ? Student.parse({ id, fullName: rec.get('full_name'), className: rec.get('class'), photoHash: null, status })
          : Staff.parse({
              id,
              fullName: rec.get('full_name'),
              position: rec.get('position'),
              photoHash: null,
              status,
              roles: rec
                .get('roles')
                .split(/[;\s]+/)
                .filter(Boolean),
            });
      const pin = kind === 'staff' ? rec.get('pin') || null : null;
      if (pin !== null && !PIN_PATTERN.test(pin)) throw new Error('pin is not 4 to 12 digits');
      const cards = parseCards(rec.get('cards'));
      const spare = cards.find((c) => spares.has(`${c.technology}:${c.uid}`));
      if (spare) throw new Error(`card ${spare.technology}:${spare.uid} is a spare card in the school's stock; remove it from the stock first`);
      ready.push({ person, cards, photo, pin, consent, line: rec.line });
    } catch (err) {
      report.rejected.push({ line: rec.line, reason: err instanceof Error ? err.message.replace(/\s+/g, ' ') : String(err) });
    }
  }
  // PINs are hashed before the transactions (scrypt is slow on purpose); a PIN equal to the stored one keeps its hash.
  const withPin = ready.filter((r) => r.pin !== null);
  const stored = await repo.staffPinHashes(withPin.map((r) => r.person.id));
  for (const r of withPin) r.pinHash = await pinHashFor(r.pin!, stored.get(r.person.id));
  // Short transactions: a station syncing meanwhile never waits long.
  for (let i = 0; i < ready.length; i += 500) {
    await repo.db.tx(
      async (tx) => {
        for (const r of ready.slice(i, i + 500)) {
          const table = kind === 'student' ? 'students' : 'staff';
          const stored = await tx.get<{ photo_consent: number | null }>(`SELECT photo_consent FROM ${table} WHERE id = ?`, [r.person.id]);
          const consent = r.consent ?? Number(stored?.photo_consent ?? 0) === 1;
          if (!consent) {
            report.warnings!.push({
              line: r.line,
              reason: `${r.person.id}: no photo consent (photo_consent)${r.photo ? ': the portrait is not kept' : ''}; stations show "без фото"`,
            });
            r.person.photoHash = null;
          } else if (r.photo) r.person.photoHash = await repo.putPhoto(tx, r.photo.bytes, r.photo.mime);
          else {
            // A file without a photo for this person keeps the portrait imported before.
            const had = await tx.get<{ photo_hash: string | null }>(`SELECT photo_hash FROM ${kind === 'student' ? 'students' : 'staff'} WHERE id = ?`, [
              r.person.id,
            ]);
            r.person.photoHash = had?.photo_hash ?? null;
          }
          if (kind === 'student') await repo.upsertStudent(tx, r.person as Student);
          else await repo.upsertStaff(tx, r.person as Staff, r.pinHash);
          await repo.setPhotoConsent(tx, kind, r.person.id, consent);
          await repo.ensureAccount(tx, { holderId: r.person.id });
          for (const c of r.cards) {
            await repo.upsertCard(tx, Card.parse({ ...c, holderKind: kind, holderId: r.person.id, status: 'active', validUntil: null }));
          }
          report.imported++;
        }
      },
      { roster: true },
    );
  }
  for (const l of leaving) {
    if (await repo.forgetPerson(kind, l.id)) report.removed!++;
    else report.warnings!.push({ line: l.line, reason: `status=left: no ${kind} ${l.id} on record (nothing to delete)` });
  }
  return report;
}

/** `photo_consent`: yes/да/1/true or no/нет/0/false; null for an empty cell (or no column): not said. */
export function parseConsent(cell: string): boolean | null {
  const v = cell.trim().toLowerCase();
  if (v === '') return null;
  if (['yes', 'y', 'да', 'д', '1', 'true'].includes(v)) return true;
  if (['no', 'n', 'нет', 'н', '0', 'false'].includes(v)) return false;
  throw new Error(`photo_consent "${cell}" is not yes/no (да/нет)`);
}

/**
 * Students CSV: `id,full_name,class,photo,cards,status,photo_consent` (photo and cards optional). A row
 * with `status=left` deletes that pupil (forgetPerson); `photo_consent` other than yes keeps no portrait.
 */
export function importStudentsCsv(repo: Repo, csv: string, photos: PhotoSource = () => null): Promise<ImportReport> {
  return importPeople(repo, 'student', csv, photos);
}

/**
 * Staff CSV: `id,full_name,position,roles,photo,cards,status,pin,photo_consent` (as for students); roles separated by `;` or spaces. `pin`
 * (optional, 4 to 12 digits) is stored only as a salted hash; an empty cell keeps the stored PIN.
 */
export function importStaffCsv(repo: Repo, csv: string, photos: PhotoSource = () => null): Promise<ImportReport> {
  return importPeople(repo, 'staff', csv, photos);
}

/** Sets a staff member's PIN (null: clears it). Only its salted hash is stored and sent to stations. */
export async function setStaffPin(repo: Repo, staffId: string, pin: string | null): Promise<StaffPinResponse> {
  if (pin !== null && !PIN_PATTERN.test(pin)) throw new RangeError('a PIN is 4 to 12 digits');
  const hash = pin === null ? null : await pinHashFor(pin, (await repo.staffPinHashes([staffId])).get(staffId));
  const changed = await repo.db.tx((tx) => repo.setStaffPinHash(tx, staffId, hash), { roster: true });
  return { staffId, hasPin: hash !== null, changed };
}

/**
 * A spare card as IT names it (the uid in any printed form of common/card-id.ts) → its canonical form,
 * with the part of the number that form carries (a 10-digit print: the last 4 bytes).
 * A uid a reader cannot trust (a phone's or bank card's random id) is refused.
 */
export function spareCardFromRef(ref: SpareCardRef): CanonicalCard & { part: UidPart } {
  let uid: string;
  try {
    uid = toCanonicalUid(ref.uid, ref.format);
  } catch (err) {
    if (err instanceof CardFormatError) throw new RangeError(`${err.message} (format ${ref.format})`);
    throw err;
  }
  const card = { technology: ref.technology, uid, part: partOfFormat(ref.format) };
  if (isRandomUid(card)) throw new RangeError(`card ${card.technology}:${uid} has a random uid (a phone or bank card): it cannot be a spare card`);
  return card;
}

/** Adds a spare card to the school's stock (or relabels it); stations get it with their next roster pull. */
export function addSpareCard(repo: Repo, ref: SpareCardRef & { label?: string }): Promise<SpareCardAdminView> {
  return repo.addSpareCard(spareCardFromRef(ref), (ref.label ?? '').trim());
}

/** Removes a spare card from the stock; one bound right now stays with its holder until returned or the day ends. */
export function removeSpareCard(repo: Repo, ref: SpareCardRef): Promise<SpareCardRemoveResponse> {
  return repo.removeSpareCard(spareCardFromRef(ref));
}

/** Menu CSV: `date,id,name,category,kind,price,allergens`; price in rubles (`145,00`), allergens separated by `;`. */
export async function importMenuCsv(repo: Repo, csv: string): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, rejected: [] };
  const items: MenuItem[] = [];
  for (const rec of records(csv)) {
    const price = parseMoney(rec.get('price'));
    const parsed = MenuItem.safeParse({
      date: rec.get('date'),
      id: rec.get('id'),
      name: rec.get('name'),
      category: rec.get('category'),
      kind: rec.get('kind') || 'buffet',
      price,
      allergens: rec
        .get('allergens')
        .split(';')
        .map((a) => a.trim())
        .filter(Boolean),
    });
    if (parsed.success) items.push(parsed.data);
    else report.rejected.push({ line: rec.line, reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  }
  await repo.putMenu(items);
  report.imported = items.length;
  return report;
}

export interface DemoSeedOptions {
  students?: number;
  /** Pad every portrait to about this many bytes (benchmarks use 30 KB photos). */
  photoBytes?: number;
  /** School days of menu from today. */
  menuDays?: number;
  now?: Date;
}

/** Seeds the demo school (common/demo-school.ts) with its portraits, cards, balances and menu. */
export async function seedDemoSchool(
  repo: Repo,
  options: DemoSeedOptions = {},
): Promise<{ students: number; staff: number; cards: number; spareCards: number }> {
  const now = options.now ?? new Date();
  const { timeZone } = await repo.schoolSettings();
  const date = schoolDate(now.getTime(), timeZone);
  const school = generateDemoSchool({ students: options.students ?? 30, date, now: now.toISOString() });
  const photoOf = (id: string): Buffer | null => {
    const spec = school.photos.get(id);
    if (!spec) return null;
    const png = portraitPng(spec, deflateSync, { id });
    if (!options.photoBytes || png.length >= options.photoBytes) return Buffer.from(png);
    // Random filler in a private chunk: the portrait looks the same, the bytes weigh what a real photo does.
    return Buffer.from(portraitPng(spec, deflateSync, { id, padding: randomBytes(options.photoBytes - png.length - 12) }));
  };
  const people = [...school.students.map((p) => ({ kind: 'student' as const, p })), ...school.staff.map((p) => ({ kind: 'staff' as const, p }))];
  const pinHashes = await demoPinHashes(repo, school.staff);
  const accounts = new Map(school.accounts.map((a) => [a.holderId, a]));
  for (let i = 0; i < people.length; i += 250) {
    await repo.db.tx(
      async (tx) => {
        for (const { kind, p } of people.slice(i, i + 250)) {
          const consent = demoPhotoConsent(p.id);
          const bytes = consent ? photoOf(p.id) : null;
          const photoHash = bytes ? await repo.putPhoto(tx, bytes, 'image/png') : null;
          if (kind === 'student') await repo.upsertStudent(tx, { ...(p as Student), photoHash });
          else {
            const { pin: _pin, ...staff } = p as Staff & { pin: string };
            await repo.upsertStaff(tx, { ...staff, photoHash }, pinHashes.get(staff.id));
          }
          await repo.setPhotoConsent(tx, kind, p.id, consent);
          const a = accounts.get(p.id);
          await repo.ensureAccount(tx, a ?? { holderId: p.id }, a?.balance ?? 0);
          if (a?.balance) {
            await tx.run('INSERT INTO ledger (event_id, holder_id, delta, kind, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING', [
              `opening-${p.id}`,
              p.id,
              a.balance,
              'opening',
              now.toISOString(),
            ]);
          }
        }
      },
      { roster: true },
    );
  }
  for (let i = 0; i < school.cards.length; i += 1000) {
    await repo.db.tx(
      async (tx) => {
        for (const c of school.cards.slice(i, i + 1000)) await repo.upsertCard(tx, c);
      },
      { roster: true },
    );
  }
  const menu: MenuItem[] = [];
  for (let d = 0; d < (options.menuDays ?? 7); d++) {
    const day = schoolDate(now.getTime() + d * 86_400_000, timeZone);
    for (const m of school.menu) menu.push({ ...m, date: day });
  }
  await repo.putMenu(menu);
  await seedDemoSpareCards(repo);
  // Stations enrolled here keep their on-screen demo reader; with a real school's backend they drop it.
  await repo.markDemoSchool();
  return { students: school.students.length, staff: school.staff.length, cards: school.cards.length, spareCards: DEMO_SPARE_CARDS.length };
}

/** The demo school's reserve stock (common/demo-school.ts), through the same path IT uses. */
async function seedDemoSpareCards(repo: Repo): Promise<void> {
  for (const c of DEMO_SPARE_CARDS) await repo.addSpareCard(c, c.label);
}

/** The demo staff's PIN hashes (common/demo-school.ts knows the PINs), keeping hashes already stored for the same PIN. */
async function demoPinHashes(repo: Repo, staff: readonly { id: string; pin: string }[]): Promise<Map<string, string>> {
  const stored = await repo.staffPinHashes(staff.map((s) => s.id));
  const out = new Map<string, string>();
  for (const s of staff) out.set(s.id, await pinHashFor(s.pin, stored.get(s.id)));
  return out;
}

/**
 * Seeds the demo school only into an empty database (what `npm start` and `serve --demo` use). A demo
 * school seeded before the roster carried PINs (no staff member has one) gets the demo staff's PINs; one
 * seeded before the server kept spare cards (no spare card ever) gets the demo's spare cards.
 */
export async function ensureDemoSchool(repo: Repo, options: DemoSeedOptions = {}): Promise<boolean> {
  if ((await repo.counts()).students > 0) {
    const school = generateDemoSchool({ students: 0, date: schoolDate(Date.now(), (await repo.schoolSettings()).timeZone), now: new Date().toISOString() });
    const present = await repo.db.all<{ id: string; full_name: string; pin_hash: string | null }>('SELECT id, full_name, pin_hash FROM staff');
    // Only the demo's own staff (same id and name), never a real school's.
    const ids = new Set(present.map((r) => `${r.id}\u0000${r.full_name}`));
    const demo = school.staff.filter((s) => ids.has(`${s.id}\u0000${s.fullName}`));
    // A removed spare card leaves a tombstone: a stock IT emptied on purpose stays empty.
    const everSpares = await repo.db.get("SELECT 1 AS x FROM spare_cards UNION ALL SELECT 1 AS x FROM tombstones WHERE kind = 'spare_card'");
    if (demo.length === school.staff.length && !everSpares) await seedDemoSpareCards(repo);
    // A demo school seeded before the backend said so: every demo staff member is there, as seeded.
    if (demo.length === school.staff.length && demo.length > 0) await repo.markDemoSchool();
    if (present.some((r) => r.pin_hash !== null)) return false;
    const hashes = await demoPinHashes(repo, demo);
    await repo.db.tx(
      async (tx) => {
        for (const s of demo) await repo.setStaffPinHash(tx, s.id, hashes.get(s.id)!);
      },
      { roster: true },
    );
    return false;
  }
  await seedDemoSchool(repo, options);
  return true;
}
