/**
 * A real school's guard post taken to another backend (a laptop on the school network), in Chromium
 * through the browser host with two reference servers on loopback: no demo panel at the real school,
 * the previous school's people gone after the switch, its waiting passes held until IT decides on the
 * setup screen, and sent only then, with the decision recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importStudentsCsv } from '../../server/admin.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { openStationDb } from '../helpers/station-db.ts';
import { bridge, expect, test, unlockSetup } from './fixtures.ts';

const stationDir = mkdtempSync(join(tmpdir(), 'backend-switch-e2e-'));
test.use({ hostOptions: { dataDir: stationDir } });
test.afterAll(() => rmSync(stationDir, { recursive: true, force: true }));

const A = [
  { id: 'A-1', name: 'Школьникова Анна', uid: '04AA000000000001' },
  { id: 'A-2', name: 'Школьников Пётр', uid: '04AA000000000002' },
];
const B = { id: 'B-1', name: 'Ноутбукова Вера', uid: '04BB000000000001' };

test('another backend: no demo panel at a real school, the old school gone, its passes held until IT sends them', async ({ stationPage: page }, testInfo) => {
  test.setTimeout(120_000);
  const servers: RunningServer[] = [];
  const dirs: string[] = [];
  const start = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backend-switch-server-'));
    dirs.push(dir);
    const s = await startServer({ dataDir: dir, port: 0, logger: false });
    servers.push(s);
    return s;
  };
  try {
    const a = await start();
    const b = await start();
    await a.repo.setSchoolName('Школа № 1');
    await b.repo.setSchoolName('Ноутбук в коридоре');
    await importStudentsCsv(a.repo, `id,full_name,class,cards\n${A.map((p) => `${p.id},${p.name},7Б,${p.uid}`).join('\n')}\n`);
    await importStudentsCsv(b.repo, `id,full_name,class,cards\n${B.id},${B.name},3В,${B.uid}\n`);

    // The station on its first start (the embedded demo school, its panel on screen) is enrolled with school A.
    await expect(page.getByTestId('demo-reader')).toBeVisible();
    const setup = page.getByTestId('setup-server');
    const enroll = async (server: RunningServer) => {
      const { code } = await server.repo.createEnrollmentCode('guard', 10);
      await setup.getByLabel('Адрес сервера').fill(server.url);
      await setup.getByLabel('Код подключения').fill(code);
      await setup.getByRole('button', { name: 'Подключить станцию' }).click();
      await expect(setup.getByTestId('server-state')).toContainText(`подключена к серверу ${server.url}`);
      await expect(page.getByTestId('sync-state')).toHaveAttribute('data-state', 'online', { timeout: 20_000 });
    };
    await enroll(a);
    // A real school: no on-screen reader listing its pupils, and the status bar says no reader is set up.
    await expect(page.getByTestId('demo-reader')).toHaveCount(0);
    await expect(page.getByTestId('reader-none')).toHaveText('считыватель не настроен');
    const refused = await bridge(page, 'demo.listCards', {}).catch((e: Error) => e.message);
    expect(refused).toContain('demo_only');

    // A keyboard-wedge reader at the guard post; school A's server goes away and two passes wait.
    await bridge(page, 'settings.update', { readers: [{ id: 'kbd', kind: 'wedge', role: 'entry', format: 'hex', technology: 'iso14443' }] });
    await page.getByRole('button', { name: /Пост охраны/ }).click();
    await expect(page.getByTestId('guard-view')).toBeVisible();
    // IT's record of that change (an it_change event) goes to school A before its server goes away.
    await bridge(page, 'sync.now', {});
    await expect(page.getByTestId('outbox-pending')).toContainText('Ждут отправки: 0', { timeout: 20_000 });
    await a.close();
    servers.splice(servers.indexOf(a), 1);
    for (const p of A) {
      await bridge(page, 'reader.wedgeCard', { readerId: 'kbd', text: p.uid });
      await expect(page.getByTestId('last-tap').getByTestId('holder-name')).toHaveText(p.name);
    }
    await expect(page.getByTestId('outbox-pending')).toContainText('Ждут отправки: 2');

    // Setup: enrolled with the laptop's backend. School A's pupils are gone, its passes held for IT.
    await page.getByRole('button', { name: 'Настройка' }).click();
    await unlockSetup(page);
    await enroll(b);
    const held = page.getByTestId('held-events');
    await expect(held).toContainText('2 события ждут отправки прежнему серверу (школа «Школа № 1»)');
    await expect(page.getByTestId('outbox-pending')).toContainText('Ждут отправки: 0');
    await held.screenshot({ path: testInfo.outputPath('held-events.png') });
    const db = openStationDb(stationDir);
    expect(db.prepare("SELECT id FROM students WHERE id LIKE 'A-%'").all()).toEqual([]);
    expect(db.prepare("SELECT uid FROM cards WHERE holder_id LIKE 'A-%'").all()).toEqual([]);
    db.close();
    await bridge(page, 'sync.now', {});
    expect(await b.repo.db.all("SELECT id FROM events WHERE type = 'pass'")).toEqual([]);

    // IT decides (in setup, so under IT's session): the passes go to this backend, after an event saying who decided.
    await held.getByRole('button', { name: 'Отправить новому серверу' }).click();
    await expect(page.getByTestId('held-result')).toContainText('Отправляются новому серверу: 2 события.');
    await bridge(page, 'sync.now', {});
    await expect(page.getByTestId('outbox-pending')).toContainText('Ждут отправки: 0', { timeout: 20_000 });
    const onB = await b.repo.db.all<{ type: string; body: string }>('SELECT type, body FROM events ORDER BY received_at');
    expect(onB.filter((e) => e.type === 'pass')).toHaveLength(2);
    const decision = onB.find((e) => e.type === 'held_events_released');
    expect(JSON.parse(decision!.body).payload).toMatchObject({ fromSchoolName: 'Школа № 1', count: 2, decidedBy: 'setup_pin' });
  } finally {
    for (const s of servers) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
