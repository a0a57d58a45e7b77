import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoSchool, importStudentsCsv } from '../../server/admin.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { test, expect, unlockSetup } from './fixtures.ts';
import { openStationDb } from '../helpers/station-db.ts';

// A student only the backend knows: seeing her at the station proves the roster came by sync.
const SYNCED = { id: 'sync-e2e-1', name: 'Синхронова Вера', uid: '04A1B2C3D4E5F6' };

// The station's data folder is known to the test, so it can read the outbox the station kept.
const stationDir = mkdtempSync(join(tmpdir(), 'sync-e2e-station-'));
test.use({ hostOptions: { dataDir: stationDir } });
test.afterAll(() => rmSync(stationDir, { recursive: true, force: true }));

test('enrolls from the setup screen, syncs the roster, keeps working offline and delivers every event once when back', async ({
  stationPage: page,
}, testInfo) => {
  test.setTimeout(120_000);
  const serverDir = mkdtempSync(join(tmpdir(), 'sync-e2e-server-'));
  let server: RunningServer | null = await startServer({ dataDir: serverDir, port: 0, logger: false });
  const port = server.port;
  try {
    await ensureDemoSchool(server.repo, { students: 5 });
    const report = await importStudentsCsv(server.repo, `id,full_name,class,cards\n${SYNCED.id},${SYNCED.name},5А,${SYNCED.uid}\n`);
    expect(report.rejected).toEqual([]);
    const { code } = await server.repo.createEnrollmentCode('guard', 10);

    // Setup screen (a fresh station opens on it): a wrong code is refused in words, the right one enrolls.
    const setup = page.getByTestId('setup-server');
    await expect(setup).toContainText('демонстрационной школой');
    await setup.getByLabel('Адрес сервера').fill(server.url);
    await setup.getByLabel('Код подключения').fill('ZZZZ-ZZZZ');
    await setup.getByRole('button', { name: 'Подключить станцию' }).click();
    await expect(setup.getByTestId('enroll-error')).toContainText('Код не подошёл');

    await setup.getByLabel('Код подключения').fill(code.toLowerCase());
    await setup.getByRole('button', { name: 'Подключить станцию' }).click();
    await expect(setup.getByTestId('server-state')).toContainText(`подключена к серверу ${server.url}`);
    const syncState = page.getByTestId('sync-state');
    await expect(syncState).toHaveAttribute('data-state', 'online', { timeout: 20_000 });
    await expect(syncState).toContainText('В сети');
    await expect(page.getByTestId('enroll-error')).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath('sync-enrolled.png'), fullPage: true });

    // Guard post: the demo reader lists the synced student's card; a tap shows her.
    await page.getByRole('button', { name: /Пост охраны/ }).click();
    await expect(page.getByTestId('guard-view')).toBeVisible();
    const card = page.getByTestId('demo-reader').locator(`[data-uid="${SYNCED.uid}"]`);
    await expect(card).toContainText(SYNCED.name);
    await card.click();
    await expect(page.getByTestId('last-tap').getByTestId('holder-name')).toHaveText(SYNCED.name);
    await expect(page.getByTestId('outbox-pending')).toContainText('Ждут отправки: 0');

    // The server goes away: the station says offline, still knows the student, and keeps the events.
    await server.close();
    server = null;
    const waiting = page.getByTestId('outbox-pending');
    for (let i = 0; i < 3; i++) {
      await page.getByTestId('demo-reader').locator(`[data-uid="${SYNCED.uid}"]`).click();
      await expect(page.getByTestId('last-tap').getByTestId('holder-name')).toHaveText(SYNCED.name);
    }
    await expect(syncState).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
    await expect(page.getByTestId('sync-error')).toContainText('нет связи с сервером');
    await expect(waiting).toContainText(/Ждут отправки: [1-9]/);
    const waitingOffline = Number((await waiting.textContent())!.replace(/\D+/g, ''));
    expect(waitingOffline).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: testInfo.outputPath('sync-offline.png'), fullPage: true });

    // Back on the same address: "sync now" on the setup screen delivers everything.
    server = await startServer({ dataDir: serverDir, port, logger: false });
    await page.getByRole('button', { name: 'Настройка' }).click();
    await unlockSetup(page);
    await page.getByTestId('setup-server').getByRole('button', { name: 'Синхронизировать сейчас' }).click();
    await expect(syncState).toHaveAttribute('data-state', 'online', { timeout: 20_000 });
    await expect(waiting).toContainText('Ждут отправки: 0', { timeout: 20_000 });

    // Every event the station recorded is on the server exactly once, and the station holds them all as answered.
    const db = openStationDb(stationDir);
    const all = db.prepare<[], { id: string; status: string; result_message: string | null }>('SELECT id, status, result_message FROM outbox').all();
    db.close();
    // What IT did while the station still ran the demo school (the setup PIN, the refused code) is kept on
    // the station, never sent to the school (the demo school is retired at enrollment); the rest is answered.
    const outbox = all.filter((e) => !e.result_message?.startsWith('demo school event'));
    expect(all.length - outbox.length).toBeGreaterThan(0);
    expect(outbox.filter((e) => e.status === 'pending' || e.status === 'invalid')).toEqual([]);
    const onServer = await server.repo.db.all<{ id: string; type: string }>('SELECT id, type FROM events');
    expect(onServer.map((e) => e.id).sort()).toEqual(outbox.map((e) => e.id).sort());
    expect(onServer.filter((e) => e.type === 'pass').length).toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: testInfo.outputPath('sync-back-online.png'), fullPage: true });
  } finally {
    await server?.close();
    rmSync(serverDir, { recursive: true, force: true });
  }
});
