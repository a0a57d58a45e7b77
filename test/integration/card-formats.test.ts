/**
 * One card, one person, whatever reads it: cards stored as the school gave them (a full uid, or a
 * reader's print of part of it) and read by readers of other formats, through the real parts — the
 * keyboard-wedge and serial drivers' reads, the station's SQLite roster, the guard post, the till, and
 * the reference server's import and spare-card commands synced over loopback.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import type { CardFormat } from '../../common/card-id.ts';
import { ReaderConfig, readerPart, type CardRead } from '../../common/readers.ts';
import { Cashier } from '../../core/cashier/index.ts';
import { GuardPost } from '../../core/guard/guard-post.ts';
import { NO_GATE } from '../../hardware/relay.ts';
import { hashPin } from '../../core/pin.ts';
import { openStore, type Store } from '../../core/store/index.ts';
import { foundCard, isAmbiguous } from '../../core/store/roster.ts';
import { WedgeReader, type WedgeReaderConfig } from '../../hardware/wedge.ts';
import { addSpareCard, importStudentsCsv } from '../../server/admin.ts';
import { createBackendClient } from '../../sync/client.ts';
import { pullRoster } from '../../sync/pull.ts';
import { menu, testClock } from '../helpers/cashier-fixture.ts';
import { G_MORNING, pinoMemoryLog } from '../helpers/guard-fixture.ts';
import { enrollDirect, openRepo, openStation, startInProcessServer } from '../helpers/sync-rig.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function freshStore(): Store {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'card-formats-')), 'station.db'), testClock(G_MORNING));
  cleanups.push(() => store.close());
  return store;
}

const student = (id: string, fullName: string) => ({ id, fullName, className: '5А', photoHash: null, status: 'active' as const });

/** What a keyboard-wedge reader set to `format` emits when it types `printed`. */
function wedgeRead(format: CardFormat, printed: string): CardRead {
  const reader = new WedgeReader(ReaderConfig.parse({ id: `wedge-${format}`, kind: 'wedge', role: 'entry', format }) as WedgeReaderConfig);
  reader.start();
  let read: CardRead | null = null;
  reader.on('card', (r) => (read = r));
  expect(reader.burst(printed)).toBe(true);
  if (!read) throw new Error('the wedge reader emitted no card');
  return read;
}

const holderOf = (store: Store, read: Pick<CardRead, 'technology' | 'uid' | 'part'>) => {
  const found = store.roster.lookupCard(read);
  return isAmbiguous(found) ? `ambiguous ${found.ambiguous}` : (foundCard(found)?.holder?.id ?? null);
};

describe('a card read by readers of other formats, on the station roster', () => {
  it('the issue’s EM-Marine card 6BD6EC9F2C: the binary id, the 10-digit print, its reversed print and Wiegand-26 all find the same child', () => {
    const store = freshStore();
    store.roster.upsertStudents([student('S1', 'Иванов Иван')]);
    store.roster.upsertCards([{ technology: 'em4100', uid: '6BD6EC9F2C', holderKind: 'student', holderId: 'S1', status: 'active', validUntil: null }]);
    // A reader's format decides how much of the number its read is.
    expect(readerPart(ReaderConfig.parse({ id: 'b', kind: 'serial', role: 'entry', path: '/dev/ttyS0', frame: 'binary', format: 'dec10' }))).toBe('full');
    expect(readerPart(ReaderConfig.parse({ id: 't', kind: 'serial', role: 'entry', path: '/dev/ttyS0', frame: 'text', format: 'dec10' }))).toBe('last4');
    expect(readerPart(ReaderConfig.parse({ id: 'p', kind: 'pcsc', role: 'entry', readerName: 'ACR122U' }))).toBe('full');

    const rows: [CardFormat, string, string | null][] = [
      ['hex', '6BD6EC9F2C', 'S1'],
      ['dec10', '3605831468', 'S1'],
      ['dec10-reversed', '0748678358', 'S1'],
      ['wiegand26', '236,40748', 'S1'],
      // Another card's print is nobody's.
      ['dec10', '3605831469', null],
    ];
    for (const [format, printed, holder] of rows) {
      const read = wedgeRead(format, printed);
      expect([format, printed, read.part, holderOf(store, { ...read, technology: 'em4100' })]).toEqual([
        format,
        printed,
        format === 'hex' ? 'full' : format === 'wiegand26' ? 'last3' : 'last4',
        holder,
      ]);
    }
    // Before cards carried their part, the 10-digit read was looked up as the uid D6EC9F2C: unknown.
    expect(holderOf(store, { technology: 'em4100', uid: 'D6EC9F2C', part: 'full' })).toBeNull();
  });

  it('a card stored from its 10-digit print is found by a binary reader’s full id, and two cards sharing a print are ambiguous to a 10-digit reader only', () => {
    const store = freshStore();
    store.roster.upsertStudents([student('S1', 'Иванов Иван'), student('S2', 'Петрова Анна'), student('S3', 'Сидоров Пётр')]);
    store.roster.upsertCards([
      { technology: 'em4100', uid: 'D6EC9F2C', part: 'last4', holderKind: 'student', holderId: 'S1', status: 'active', validUntil: null },
      { technology: 'em4100', uid: '11AABBCCDD', holderKind: 'student', holderId: 'S2', status: 'active', validUntil: null },
      { technology: 'em4100', uid: '22AABBCCDD', holderKind: 'student', holderId: 'S3', status: 'active', validUntil: null },
    ]);
    expect(holderOf(store, { technology: 'em4100', uid: '6BD6EC9F2C', part: 'full' })).toBe('S1');
    expect(holderOf(store, { technology: 'em4100', uid: 'D6EC9F2C', part: 'last4' })).toBe('S1');
    expect(holderOf(store, { technology: 'em4100', uid: '11AABBCCDD', part: 'full' })).toBe('S2');
    expect(holderOf(store, { technology: 'em4100', uid: '22AABBCCDD', part: 'full' })).toBe('S3');
    expect(holderOf(store, { technology: 'em4100', uid: 'AABBCCDD', part: 'last4' })).toBe('ambiguous 2');
    expect(holderOf(store, { technology: 'em4100', uid: 'BBCCDD', part: 'last3' })).toBe('ambiguous 2');
    // The other technology with the same bytes is another card.
    expect(holderOf(store, { technology: 'iso14443', uid: 'AABBCCDD', part: 'last4' })).toBeNull();
  });

  it('an ISO reader printing the first 4 bytes of a 7-byte uid finds its card, and the setup count says which formats cannot tell the school’s cards apart', () => {
    const store = freshStore();
    store.roster.upsertStudents([student('S1', 'Иванов Иван'), student('S2', 'Петрова Анна')]);
    store.roster.upsertCards([
      { technology: 'iso14443', uid: '04A1B2C3D4E5F6', holderKind: 'student', holderId: 'S1', status: 'active', validUntil: null },
      { technology: 'iso14443', uid: '04771122D4E5F6', holderKind: 'student', holderId: 'S2', status: 'active', validUntil: null },
    ]);
    const part = readerPart(ReaderConfig.parse({ id: 'w', kind: 'wedge', role: 'entry', format: 'hex', technology: 'iso14443', partialUid: true }));
    expect(part).toBe('first4');
    expect(holderOf(store, { technology: 'iso14443', uid: '04A1B2C3', part })).toBe('S1');
    expect(holderOf(store, { technology: 'iso14443', uid: '04771122', part })).toBe('S2');
    // Their last 3 bytes are the same: a Wiegand-26 reader could not tell the two apart (a 10-digit one can).
    expect(holderOf(store, { technology: 'iso14443', uid: 'D4E5F6', part: 'last3' })).toBe('ambiguous 2');
    expect(store.roster.cardAmbiguity()).toEqual({ last4: 0, last3: 2, first4: 0 });
    // Two cards that share their first 4 bytes cannot be told apart by such an ISO reader, and setup says so.
    store.roster.upsertStudents([student('S3', 'Сидоров Пётр')]);
    store.roster.upsertCards([{ technology: 'iso14443', uid: '04A1B2C3998877', holderKind: 'student', holderId: 'S3', status: 'active', validUntil: null }]);
    expect(store.roster.cardAmbiguity()).toEqual({ last4: 0, last3: 2, first4: 2 });
    expect(holderOf(store, { technology: 'iso14443', uid: '04A1B2C3', part })).toBe('ambiguous 2');
  });
});

describe('an ambiguous read is refused in words at the guard post and the till, with an IT line that names no card', () => {
  function ambiguousSchool(): Store {
    const store = freshStore();
    store.roster.upsertStudents([student('S2', 'Петрова Анна'), student('S3', 'Сидоров Пётр')]);
    store.roster.upsertCards([
      { technology: 'em4100', uid: '11AABBCCDD', holderKind: 'student', holderId: 'S2', status: 'active', validUntil: null },
      { technology: 'em4100', uid: '22AABBCCDD', holderKind: 'student', holderId: 'S3', status: 'active', validUntil: null },
    ]);
    store.roster.upsertAccounts(
      ['S2', 'S3'].map((holderId) => ({
        holderId,
        balance: 500_00,
        balanceAt: G_MORNING,
        dailyLimit: null,
        forbiddenCategories: [],
        allergens: [],
        subsidy: 'none' as const,
        parentNote: null,
      })),
    );
    return store;
  }
  const dec10Read = (readerId: string): CardRead => ({ ...wedgeRead('dec10', String(0xaabbccdd)), readerId, at: G_MORNING });

  it('guard post: СТОП "card_ambiguous", not "unknown card"; the full id of either card still lets its child in', () => {
    const store = ambiguousSchool();
    const clock = testClock(G_MORNING);
    const log = pinoMemoryLog();
    const guard = new GuardPost({ store, clock, gate: () => NO_GATE, log, exportDir: join(tmpdir(), 'unused-exports') });
    const view = guard.onCard(dec10Read('entry'), 'entry');
    expect(view).toMatchObject({ verdict: 'deny', reason: 'card_ambiguous', holder: null });
    const line = log.lines.find((l) => l.msg.includes('roster cards'));
    expect(line?.msg).toMatch(/matches 2 roster cards: set this reader to the full card number/);
    expect(JSON.stringify(log.lines)).not.toMatch(/AABBCCDD|2864434397/);
    clock.advance(3_000);
    const full = guard.onCard({ readerId: 'entry', technology: 'em4100', uid: '22AABBCCDD', part: 'full', raw: '22AABBCCDD', at: G_MORNING }, 'entry');
    expect(full).toMatchObject({ verdict: 'allow', holder: { id: 'S3' } });
  });

  it('till: the tap is refused as card_ambiguous, no photo check opens', async () => {
    const store = ambiguousSchool();
    store.roster.upsertMenu(menu.map((m) => ({ ...m, date: '2026-11-23' })));
    const log = pinoMemoryLog();
    store.roster.upsertStaff([
      { id: 'E1', fullName: 'Кассир', position: 'Кассир', photoHash: null, status: 'active', roles: ['cashier'], pinHash: hashPin('1111') },
    ]);
    const cashier = new Cashier({ store, clock: testClock(G_MORNING), isOnline: () => true, exportDir: join(tmpdir(), 'unused-exports'), log });
    await cashier.openShift('E1', '1111');
    cashier.addToCart(menu[0]!.id);
    const out = cashier.onCard(dec10Read('till'));
    expect(out).toMatchObject({ kind: 'refused', reason: 'card_ambiguous', holder: null });
    expect(log.lines.some((l) => /several roster cards/.test(l.msg))).toBe(true);
    expect(JSON.stringify(log.lines)).not.toMatch(/AABBCCDD|2864434397/);
  });
});

describe('the reference server keeps the format it was given', () => {
  it('a students CSV card written as a 10-digit print, and a spare card added by its print, are matched by a binary reader at the station', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'card-formats-server-'));
    const storage = { kind: 'sqlite' as const, dataDir: join(dir, 'server') };
    const server = await startInProcessServer(storage);
    cleanups.push(() => server.close());
    const repo = await openRepo(storage);
    cleanups.push(() => repo.db.close());
    const report = await importStudentsCsv(repo, 'id,full_name,class,cards\nS1,Иванов Иван,5А,em4100:dec10:3605831468\nS2,Петрова Анна,5А,em4100:0A0B0C0D0E\n');
    expect(report).toMatchObject({ imported: 2, rejected: [] });
    expect(await importStudentsCsv(repo, 'id,full_name,class,cards\nS9,Ошибкина Ада,5А,em4100:dec11:1\n')).toMatchObject({
      imported: 0,
      rejected: [{ line: 2, reason: expect.stringMatching(/unknown card format "dec11"/) }],
    });
    await addSpareCard(repo, { technology: 'em4100', uid: '0002000001', format: 'dec10', label: 'Запасная 1' });

    const station = openStation(join(dir, 'station'), systemClock());
    cleanups.push(() => station.store.close());
    const creds = await enrollDirect(repo, server.url, station.vaultPath, 'guard');
    await pullRoster(createBackendClient({ baseUrl: server.url, token: creds.token }), station.syncStore);

    const store = station.store;
    expect(holderOf(store, { technology: 'em4100', uid: '6BD6EC9F2C', part: 'full' })).toBe('S1');
    expect(holderOf(store, { technology: 'em4100', uid: 'D6EC9F2C', part: 'last4' })).toBe('S1');
    expect(holderOf(store, { technology: 'em4100', uid: '0A0B0C0D0E', part: 'full' })).toBe('S2');
    // The spare's print 0002000001 is 001E8481: a binary reader's 5-byte id ending in it is that spare.
    expect(store.spares.all()).toMatchObject([{ uid: '001E8481', part: 'last4', label: 'Запасная 1' }]);
    const guard = new GuardPost({ store, clock: systemClock(), gate: () => NO_GATE, log: pinoMemoryLog(), exportDir: join(dir, 'exports') });
    const spareTap = guard.onCard({ readerId: 'entry', technology: 'em4100', uid: '77001E8481', part: 'full', raw: '', at: new Date().toISOString() }, 'entry');
    expect(spareTap).toMatchObject({ verdict: 'deny', reason: 'spare_unbound' });
  });
});
