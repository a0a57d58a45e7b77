/**
 * Photo consent: a person without written consent never has a portrait on the station. The import keeps
 * no portrait without it (and says so), the backend sends none, and a consent withdrawn later deletes the
 * portrait from the server and, with the next sync, the station's file.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { systemClock } from '../../common/clock.ts';
import { portraitPng } from '../../common/demo-portrait.ts';
import { importStudentsCsv } from '../../server/admin.ts';
import { createBackendClient } from '../../sync/client.ts';
import { pullPhotos, pullRoster } from '../../sync/pull.ts';
import { enrollDirect, makeStorage, openRepo, openStation, startInProcessServer, tempDir } from '../helpers/sync-rig.ts';

const png = (id: string, bg: string) => Buffer.from(portraitPng({ bg, skin: '#f1c27d', hair: '#2c1b10', shirtHue: 200, female: true }, deflateSync, { id }));

describe('photo consent', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('a person without consent never has a portrait on the station; withdrawing it deletes the file', async () => {
    const t = tempDir('ss-consent-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage('sqlite', t.dir, null);
    const server = await startInProcessServer(storage);
    cleanups.push(() => server.close());
    const repo = await openRepo(storage);
    cleanups.push(() => repo.db.close());
    const photos = new Map([
      ['y1.png', png('Y1', '#111111')],
      ['n1.png', png('N1', '#222222')],
      ['e1.png', png('E1', '#333333')],
    ]);
    const report = await importStudentsCsv(
      repo,
      'id,full_name,class,photo,photo_consent\nY1,Согласная Вера,2А,y1.png,да\nN1,Несогласный Олег,2А,n1.png,нет\nE1,Неизвестная Ира,2А,e1.png,\n',
      (name) => photos.get(name) ?? null,
    );
    expect(report).toMatchObject({ imported: 3, rejected: [] });
    // The school is told which rows it must still collect a form for.
    expect(report.warnings!.map((w) => w.line)).toEqual([3, 4]);
    expect(report.warnings![0]!.reason).toMatch(/N1: no photo consent.*not kept/);
    // The server keeps only the consented portrait.
    expect(await repo.db.all('SELECT hash FROM photos')).toHaveLength(1);

    const station = openStation(join(t.dir, 'station'), systemClock());
    cleanups.push(() => station.store.close());
    const client = createBackendClient({ baseUrl: server.url, token: (await enrollDirect(repo, server.url, station.vaultPath, 'guard')).token });
    const sync = async () => {
      await pullRoster(client, station.syncStore);
      await pullPhotos(client, station.syncStore);
    };
    await sync();
    const y1 = station.store.roster.person('student', 'Y1')!;
    expect(y1.photoHash).toMatch(/^[0-9a-f]{64}$/);
    expect(station.store.roster.person('student', 'N1')).toMatchObject({ fullName: 'Несогласный Олег', group: '2А', photoHash: null });
    expect(station.store.roster.person('student', 'E1')).toMatchObject({ photoHash: null });
    expect(readdirSync(join(station.dir, 'photos'))).toEqual([y1.photoHash]);

    // The parents withdraw consent: the server deletes the portrait, refuses it by hash, the station drops its file.
    const admin = await repo.createAdminToken();
    const res = await fetch(`${server.url}/v1/admin/people/photo-consent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'student', id: 'Y1', consent: false }),
    });
    expect(await res.json()).toEqual({ id: 'Y1', photoConsent: false });
    expect(await repo.db.all('SELECT hash FROM photos')).toHaveLength(0);
    await sync();
    expect(station.store.roster.person('student', 'Y1')).toMatchObject({ photoHash: null });
    expect(readdirSync(join(station.dir, 'photos'))).toEqual([]);
  });
});
