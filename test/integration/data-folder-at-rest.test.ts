/**
 * Someone copies a station's data folder after a synced demo day: no file in it is a readable portrait
 * (no JPEG, PNG, WebP or SVG), and no pupil's name or card number appears in any file, the database,
 * its WAL, the logs and the exports included. The station here is `createStation` itself (the same
 * keys, store and photo store a real one opens), enrolled with the reference server on loopback; its
 * keys live beside the data folder, so the copy does not carry them.
 */
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import { GuardPost } from '../../core/guard/guard-post.ts';
import { NO_GATE } from '../../hardware/relay.ts';
import { createLogger } from '../../node/logger.ts';
import { createStation } from '../../station/station.ts';
import { seedDemoSchool } from '../../server/admin.ts';
import { openRepo, makeStorage, startInProcessServer, tempDir } from '../helpers/sync-rig.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

const IMAGE_MAGIC: [string, Buffer][] = [
  ['JPEG', Buffer.from([0xff, 0xd8, 0xff])],
  ['PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
  ['WebP', Buffer.from('RIFF', 'latin1')],
  ['SVG', Buffer.from('<svg', 'latin1')],
];

describe('a copied data folder gives nothing away', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('after a synced demo day: no portrait readable as an image, no pupil name or card number in any file, modes 0700/0600', async () => {
    const t = tempDir('ss-at-rest-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage('sqlite', t.dir, null);
    const server = await startInProcessServer(storage);
    cleanups.push(() => server.close());
    const repo = await openRepo(storage);
    cleanups.push(() => repo.db.close());
    await seedDemoSchool(repo, { students: 30 });
    const pupils = await repo.db.all<{ id: string; full_name: string }>('SELECT id, full_name FROM students');
    const cards = await repo.db.all<{ technology: 'iso14443' | 'em4100'; uid: string }>('SELECT technology, uid FROM cards');
    const { code } = await repo.createEnrollmentCode('guard');

    const dataDir = join(t.dir, 'station');
    const log = createLogger({ file: join(dataDir, 'logs', 'station.log'), level: 'debug' });
    const station = await createStation({ dataDir, logger: log, backend: { url: server.url, code }, sync: { pullIntervalMs: 600_000 } });
    cleanups.push(() => station.close());
    // Enrolled with the code given at start, then one full sync: roster, portraits, menu.
    for (let i = 0; i < 100 && !station.sync()?.status().stationId; i++) await new Promise((r) => setTimeout(r, 50));
    await station.sync()!.syncNow();
    const store = station.store()!;
    expect(store.roster.counts().students).toBe(30);
    expect(readdirSync(join(dataDir, 'photos')).length).toBeGreaterThan(20);

    // A day at the gate: every pupil taps in, a refused card, a roll-call export; then the events go up.
    const guard = new GuardPost({ store, clock: systemClock(), gate: () => NO_GATE, log, exportDir: join(dataDir, 'exports') });
    let n = 0;
    for (const c of cards)
      guard.onCard({ readerId: 'entry', technology: c.technology, uid: c.uid, raw: c.uid, at: new Date(Date.now() + n++).toISOString() }, 'entry');
    guard.onCard({ readerId: 'entry', technology: 'iso14443', uid: '04DEADBEEF0001', raw: '', at: new Date().toISOString() }, 'entry');
    // The roll-call export is the one file written in clear on purpose (printed in an emergency); it is
    // deleted with the retention period (test/integration/retention.test.ts), and looked at apart below.
    const exported = guard.exportInside('csv', 'ru');
    await station.sync()!.syncNow();
    expect(store.outbox.pendingCount()).toBe(0);
    await station.close();
    cleanups.pop();
    await new Promise((r) => setTimeout(r, 200));

    const copy = join(t.dir, 'copied');
    cpSync(dataDir, copy, { recursive: true });
    const files = filesUnder(copy);
    expect(files.some((f) => f.endsWith('station.db'))).toBe(true);
    expect(files.some((f) => f.includes(`${join('logs', 'station.log')}`))).toBe(true);
    expect(files.some((f) => f.includes('exports'))).toBe(true);
    const names = pupils.flatMap((p) => [p.full_name, p.full_name.split(' ')[0]!]);
    const numbers = cards.map((c) => c.uid);
    const found: string[] = [];
    for (const f of files.filter((x) => !x.includes(`${join('copied', 'exports')}`))) {
      const bytes = readFileSync(f);
      for (const [kind, magic] of IMAGE_MAGIC) if (bytes.subarray(0, 16).includes(magic)) found.push(`${f}: ${kind} portrait`);
      const text = bytes.toString('utf8');
      const latin = bytes.toString('latin1');
      for (const name of names) if (text.includes(name)) found.push(`${f}: name ${name}`);
      for (const uid of numbers) if (latin.includes(uid) || latin.includes(uid.toLowerCase())) found.push(`${f}: card ${uid}`);
    }
    expect(found).toEqual([]);
    expect(readFileSync(exported.path, 'utf8')).toContain(pupils[0]!.full_name.split(' ')[0]!);
    expect(exported.content).not.toMatch(/[0-9A-F]{14}/);

    // The folder and everything in it is the station's user's alone.
    for (const path of [dataDir, ...filesUnder(dataDir)]) {
      const mode = statSync(path).mode & 0o777;
      expect([path, mode]).toEqual([path, statSync(path).isDirectory() ? 0o700 : 0o600]);
    }
    // The log that was scanned is the real one: it says what happened that day.
    expect(readFileSync(join(dataDir, 'logs', 'station.log'), 'utf8')).toMatch(/roster pulled/);
  });
});
