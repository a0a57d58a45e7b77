/**
 * School administration for the reference backend.
 *   node server/cli.ts <command> [args] [--data-dir DIR | --database-url URL]
 * Storage: SQLite in --data-dir (default .data/server), or PostgreSQL from --database-url / DATABASE_URL.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CARD_FORMATS, CARD_TECHNOLOGIES, type CardFormat, type CardTechnology } from '../common/card-id.ts';
import { parseMoney } from '../common/money.ts';
import { SubsidyCategory } from '../common/domain.ts';
import { StationRole } from '../common/events.ts';
import { ExceptionResolution, SchoolSettingsPatch } from '../common/sync-api.ts';
import {
  addSpareCard,
  ensureDemoSchool,
  importMenuCsv,
  importStaffCsv,
  importStudentsCsv,
  parseConsent,
  removeSpareCard,
  seedDemoSchool,
  setStaffPin,
  type PhotoSource,
} from './admin.ts';
import { openServerDatabase, startServer } from './index.ts';
import { Repo } from './repo.ts';

const USAGE = `usage: node server/cli.ts <command> [options]
  serve [--port 8787] [--host 127.0.0.1] [--demo N]   run the server (--demo: seed N students into an empty database)
        [--releases DIR]                            also serve station updates from DIR at /releases/ (see server/releases/publish.ts)
        [--tls-cert FILE.pem --tls-key FILE.pem]    serve HTTPS (or run behind a reverse proxy: see README)
        [--trust-proxy 127.0.0.1]                   behind a reverse proxy at that address: client addresses from X-Forwarded-For
  demo [--students 30] [--photo-bytes 0]              seed the demo school
  import-students FILE.csv [--photos DIR]             id,full_name,class,photo,cards,status,photo_consent (status=left deletes the pupil)
  import-staff FILE.csv [--photos DIR]                id,full_name,position,roles,photo,cards,status[,pin],photo_consent
  remove-student ID | remove-staff ID                 a person leaves: cards blocked, personal data deleted, accounts keep a pseudonymous id
  photo-consent student|staff ID yes|no               record written photo consent (no: the portrait is deleted everywhere)
  set-pin STAFF_ID [--clear]                          a staff member's PIN (4 to 12 digits, read from stdin; stored hashed)
  import-menu FILE.csv                                date,id,name,category,kind,price,allergens
  enrollment-code --role guard|cashier [--ttl MIN]    a single-use code a station enrolls with, for its role (at most 1440 minutes)
  admin-token [--days 90] [--label TEXT]              a token for the /v1/admin endpoints (expires; revocable)
  admin-tokens | revoke-admin-token ID                list admin tokens (by id, never the token) / revoke one
  stations | revoke-station ID
  set-station-role ID guard|cashier                   the role of a station (one enrolled before roles had none)
  exceptions [--all]                                  open exceptions: rules broken across stations, with events, child, stations, times
  resolve-exception ID charge_paid|accept|void --note TEXT --by NAME
  school-settings [--time-zone TZ] [--offline-cap RUBLES] [--subsidy-percent N] [--release-feed URL|none] [--retention-days N]
                  [--no-entry-note on|off]   (the till's note for a pupil with no entry at a guard post today)
  identity [--school-name NAME]                       this backend's identity (id made once per database, school name, demo); sets the name
  block-card TECH:UID
  lost-card TECH:UID TEMP_TECH:TEMP_UID [--valid-until ISO]
  spare-cards                                         the spare-card stock, and who holds each card right now
  add-spare-card TECH:UID [--label TEXT] [--format F] add a card to the stock (label e.g. "Запасная 3"); stations get it on their next sync
  remove-spare-card TECH:UID [--format F]             take a card out of the stock (a card handed out today stays with the child until returned)
      F: how UID is written: hex (default), hex-reversed, dec10, dec10-reversed, wiegand26 ("FFF,NNNNN")
  top-up HOLDER RUBLES | daily-limit HOLDER RUBLES|none | forbid HOLDER "CAT;CAT" | subsidy HOLDER none|free|discounted
  account HOLDER
common options: --data-dir DIR (default .data/server) | --database-url URL (or DATABASE_URL)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    demo: { type: 'string' },
    releases: { type: 'string' },
    students: { type: 'string' },
    'photo-bytes': { type: 'string' },
    photos: { type: 'string' },
    ttl: { type: 'string' },
    'valid-until': { type: 'string' },
    label: { type: 'string' },
    format: { type: 'string' },
    clear: { type: 'boolean' },
    role: { type: 'string' },
    days: { type: 'string' },
    note: { type: 'string' },
    by: { type: 'string' },
    all: { type: 'boolean' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'trust-proxy': { type: 'string' },
    'time-zone': { type: 'string' },
    'offline-cap': { type: 'string' },
    'subsidy-percent': { type: 'string' },
    'release-feed': { type: 'string' },
    'retention-days': { type: 'string' },
    'no-entry-note': { type: 'string' },
    'school-name': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const [command, ...args] = positionals;
const storage = {
  ...(values['database-url'] ? { databaseUrl: values['database-url'] } : {}),
  ...(values['data-dir'] || (!values['database-url'] && !process.env.DATABASE_URL) ? { dataDir: values['data-dir'] ?? '.data/server' } : {}),
};

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

function arg(i: number, what: string): string {
  return args[i] ?? fail(`missing ${what}\n${USAGE}`);
}

function cardRef(text: string): { technology: CardTechnology; uid: string } {
  const [technology, uid] = text.includes(':') ? text.split(':') : ['iso14443', text];
  if (!CARD_TECHNOLOGIES.includes(technology as CardTechnology)) fail(`unknown card technology "${technology}"`);
  return { technology: technology as CardTechnology, uid: (uid ?? '').toUpperCase() };
}

/** A spare card as IT types it: `TECH:UID` (technology defaults to iso14443), the uid in the `--format` form. */
function spareRef(text: string): { technology: CardTechnology; uid: string; format: CardFormat } {
  const colon = text.indexOf(':');
  const head = colon > 0 ? text.slice(0, colon).toLowerCase() : '';
  const [technology, uid] = CARD_TECHNOLOGIES.includes(head as CardTechnology) ? [head as CardTechnology, text.slice(colon + 1)] : ['iso14443' as const, text];
  const format = (values.format ?? 'hex') as CardFormat;
  if (!CARD_FORMATS.includes(format)) fail(`unknown --format "${format}" (one of ${CARD_FORMATS.join(', ')})`);
  return { technology, uid, format };
}

function rubles(text: string): number {
  const k = parseMoney(text);
  if (k === null) fail(`"${text}" is not a sum of money`);
  return k;
}

function folderPhotos(dir: string | undefined): PhotoSource {
  if (!dir) return () => null;
  if (!existsSync(dir)) fail(`photo folder ${dir} does not exist`);
  const names = new Map(readdirSync(dir).map((n) => [n.toLowerCase(), n]));
  return (name) => {
    const real = names.get(name.toLowerCase());
    return real ? readFileSync(join(dir, real)) : null;
  };
}

const print = (v: unknown) => console.log(typeof v === 'string' ? v : JSON.stringify(v, null, 2));

if (!command || values.help) {
  console.log(USAGE);
  process.exit(command ? 0 : 2);
}

if (command === 'serve') {
  const server = await startServer({
    ...storage,
    port: Number(values.port ?? 8787),
    host: values.host ?? '127.0.0.1',
    ...(values.releases ? { releasesDir: values.releases } : {}),
    ...(values['tls-cert'] ? { tlsCertFile: values['tls-cert'] } : {}),
    ...(values['tls-key'] ? { tlsKeyFile: values['tls-key'] } : {}),
    ...(values['trust-proxy'] ? { trustProxy: values['trust-proxy'] } : {}),
  });
  if (values.demo) {
    if (await ensureDemoSchool(server.repo, { students: Number(values.demo) })) console.error(`seeded the demo school (${values.demo} students)`);
  }
  // One line on stdout that scripts and tests wait for.
  console.log(`listening ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const repo = new Repo(await openServerDatabase(storage));
  try {
    switch (command) {
      case 'demo':
        print(await seedDemoSchool(repo, { students: Number(values.students ?? 30), photoBytes: Number(values['photo-bytes'] ?? 0) }));
        break;
      case 'import-students':
        print(await importStudentsCsv(repo, readFileSync(arg(0, 'CSV file'), 'utf8'), folderPhotos(values.photos)));
        break;
      case 'import-staff':
        print(await importStaffCsv(repo, readFileSync(arg(0, 'CSV file'), 'utf8'), folderPhotos(values.photos)));
        break;
      case 'remove-student':
      case 'remove-staff': {
        const kind = command === 'remove-student' ? 'student' : 'staff';
        const r = (await repo.forgetPerson(kind, arg(0, `${kind} id`))) ?? fail(`no ${kind} ${args[0]}`);
        print({ removed: true, ...r });
        break;
      }
      case 'photo-consent': {
        const kind = arg(0, 'student or staff');
        if (kind !== 'student' && kind !== 'staff') fail('photo-consent student|staff ID yes|no');
        print(await repo.updatePhotoConsent(kind, arg(1, 'id'), parseConsent(arg(2, 'yes or no')) ?? fail('yes or no')));
        break;
      }
      case 'set-pin': {
        // The PIN comes on stdin, not the command line, so it is not left in shell history or `ps`.
        const pin = values.clear ? null : readFileSync(0, 'utf8').trim();
        if (pin === '') fail('no PIN on stdin (or --clear)');
        print(await setStaffPin(repo, arg(0, 'staff id'), pin));
        break;
      }
      case 'import-menu':
        print(await importMenuCsv(repo, readFileSync(arg(0, 'CSV file'), 'utf8')));
        break;
      case 'enrollment-code': {
        const role = StationRole.safeParse(values.role);
        if (!role.success) fail('--role guard or --role cashier: the code is for a guard post or a till');
        print(await repo.createEnrollmentCode(role.data, Number(values.ttl ?? 60)));
        break;
      }
      case 'admin-token': {
        const t = await repo.stationsRepo.createAdminToken(values.days ? Number(values.days) : undefined, values.label ?? '');
        console.error(`admin token ${t.id}, valid until ${t.expiresAt}; it is shown once:`);
        print(t.token);
        break;
      }
      case 'admin-tokens':
        print(await repo.stationsRepo.adminTokens());
        break;
      case 'revoke-admin-token':
        if (!(await repo.stationsRepo.revokeAdminToken(arg(0, 'token id')))) fail('no such admin token, or revoked already');
        print('revoked');
        break;
      case 'set-station-role': {
        const role = StationRole.safeParse(arg(1, 'role (guard or cashier)'));
        if (!role.success) fail('the role is guard or cashier');
        print((await repo.setStationRole(arg(0, 'station id'), role.data)) ?? fail('no such station'));
        break;
      }
      case 'exceptions':
        print(await repo.exceptions.list(values.all ? 'all' : 'open'));
        break;
      case 'resolve-exception': {
        const resolution = ExceptionResolution.safeParse(arg(1, 'resolution (charge_paid, accept or void)'));
        if (!resolution.success) fail('the resolution is charge_paid, accept or void');
        if (!values.note?.trim()) fail('--note TEXT: say why');
        if (!values.by?.trim()) fail('--by NAME: who resolves it');
        print(await repo.exceptions.resolve(arg(0, 'exception id'), resolution.data, values.note.trim(), values.by.trim()));
        break;
      }
      case 'school-settings': {
        const patch: SchoolSettingsPatch = {
          ...(values['time-zone'] ? { timeZone: values['time-zone'] } : {}),
          ...(values['offline-cap'] ? { offlineCapPerDay: rubles(values['offline-cap']) } : {}),
          ...(values['subsidy-percent'] ? { subsidyDiscountPercent: Number(values['subsidy-percent']) } : {}),
          ...(values['release-feed'] ? { releaseFeed: values['release-feed'] === 'none' ? null : values['release-feed'] } : {}),
          ...(values['retention-days'] ? { retentionDays: Number(values['retention-days']) } : {}),
          ...(values['no-entry-note'] ? { noEntryNoteAtTill: values['no-entry-note'] === 'on' } : {}),
        };
        const checked = SchoolSettingsPatch.safeParse(patch);
        if (!checked.success) fail(checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        print(Object.keys(patch).length ? await repo.updateSchoolSettings(checked.data) : await repo.schoolSettings());
        break;
      }
      case 'identity':
        if (values['school-name'] !== undefined) {
          const name = values['school-name'].trim();
          if (!name || name.length > 200) fail('--school-name: 1 to 200 characters');
          await repo.setSchoolName(name);
        }
        print(await repo.identity());
        break;
      case 'stations':
        print(await repo.stations());
        break;
      case 'revoke-station':
        if (!(await repo.revokeStation(arg(0, 'station id')))) fail('no such station, or revoked already');
        print('revoked');
        break;
      case 'block-card': {
        const c = cardRef(arg(0, 'card'));
        print(await repo.setCardStatus(c.technology, c.uid, 'blocked'));
        break;
      }
      case 'lost-card':
        print(await repo.replaceLostCard(cardRef(arg(0, 'lost card')), cardRef(arg(1, 'temporary card')), values['valid-until'] ?? null));
        break;
      case 'spare-cards':
        print(await repo.spareCards());
        break;
      case 'add-spare-card':
        print(await addSpareCard(repo, { ...spareRef(arg(0, 'card')), label: values.label ?? '' }));
        break;
      case 'remove-spare-card': {
        const r = await removeSpareCard(repo, spareRef(arg(0, 'card')));
        print(r);
        if (r.removed.boundTo) {
          const b = r.removed.boundTo;
          console.error(
            `note: the card is handed out to ${b.fullName ?? b.holderId} right now; it works until it is returned or the day ends, then stations drop it`,
          );
        }
        break;
      }
      case 'top-up':
        print(await repo.topUp(arg(0, 'holder id'), rubles(arg(1, 'amount in rubles'))));
        break;
      case 'daily-limit': {
        const v = arg(1, 'limit in rubles or "none"');
        print(await repo.updateAccount(arg(0, 'holder id'), { dailyLimit: v === 'none' ? null : rubles(v) }));
        break;
      }
      case 'forbid':
        print(
          await repo.updateAccount(arg(0, 'holder id'), {
            forbiddenCategories: (args[1] ?? '')
              .split(';')
              .map((s) => s.trim())
              .filter(Boolean),
          }),
        );
        break;
      case 'subsidy': {
        const s = SubsidyCategory.safeParse(arg(1, 'subsidy'));
        if (!s.success) fail('subsidy is one of none, free, discounted');
        print(await repo.updateAccount(arg(0, 'holder id'), { subsidy: s.data }));
        break;
      }
      case 'account':
        print((await repo.account(arg(0, 'holder id'))) ?? fail('no such account'));
        break;
      default:
        fail(`unknown command "${command}"\n${USAGE}`);
    }
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  } finally {
    await repo.db.close();
  }
}
