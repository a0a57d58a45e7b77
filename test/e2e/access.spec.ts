/**
 * Who may open the station's page, and what an open tab does when the station restarts: an address
 * without the key says what to do (Russian first, English second); a tab outlives a restart of the
 * station (same address, same cookie) and, while the line is down, claims neither "online" nor "tap a
 * card"; the customer display opened at its own address shows the cart, never the operator's screen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoSchool } from '../../server/admin.ts';
import { startServer } from '../../server/index.ts';
import { startBrowserHost } from '../../host/browser-host.ts';
import { bridge, expect, test, unlockSetup } from './fixtures.ts';

test('an address without the key shows what to do, in Russian then English, for the station and the customer display', async ({ host, browser }) => {
  const stranger = await browser.newContext();
  try {
    const page = await stranger.newPage();
    for (const address of [host.origin, `${host.origin}/?token=${'0'.repeat(48)}`, `${host.origin}/customer`]) {
      await page.goto(address);
      const hint = page.getByTestId('no-token');
      await expect(hint).toBeVisible();
      await expect(hint.locator('section[lang="ru"]')).toContainText('Откройте адрес, который показала станция при запуске');
      await expect(hint.locator('section[lang="en"]')).toContainText('Open the address the station printed when it started');
      // Russian first.
      expect(await hint.locator('section').first().getAttribute('lang')).toBe('ru');
      await expect(page.getByTestId('status-bar')).toHaveCount(0);
      // The token never stays in the address bar.
      expect(page.url()).not.toContain('token=');
    }
  } finally {
    await stranger.close();
  }
});

test('the customer display at its own address gets the display and cannot open the station screen', async ({ host, browser }) => {
  const queue = await browser.newContext();
  try {
    const page = await queue.newPage();
    await page.goto(host.customerUrl);
    expect(new URL(page.url()).pathname).toBe('/customer');
    await expect(page.getByTestId('customer-display')).toBeVisible();
    // Its key is not the station's: the operator's screen at / asks for the station's address.
    await page.goto(host.origin);
    await expect(page.getByTestId('no-token')).toBeVisible();
  } finally {
    await queue.close();
  }
});

test('an open tab survives a restart of the station and reconnects; while the line is down it claims neither online nor a tap', async ({ page }) => {
  test.setTimeout(90_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'station-restart-'));
  const serverDir = mkdtempSync(join(tmpdir(), 'station-restart-server-'));
  const server = await startServer({ dataDir: serverDir, port: 0, logger: false });
  let host = await startBrowserHost({ dataDir });
  try {
    await ensureDemoSchool(server.repo, { students: 5 });
    const { code } = await server.repo.createEnrollmentCode('guard', 10);
    await page.goto(host.url);
    await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
    // A fresh station: IT sets its setup PIN first (enrollment waits for it).
    await unlockSetup(page);
    await bridge(page, 'sync.enroll', { backendUrl: server.url, code });
    await page.getByRole('button', { name: /Пост охраны/ }).click();
    await expect(page.getByTestId('sync-state')).toContainText('В сети', { timeout: 20_000 });
    await expect(page.getByTestId('guard-idle')).toContainText('Приложите карту');

    await host.stop();
    await expect(page.getByTestId('status-bar')).toContainText('Нет связи со станцией');
    await expect(page.getByTestId('guard-idle')).toContainText('Нет связи со станцией');
    await expect(page.getByTestId('guard-idle')).not.toContainText('Приложите карту');
    await expect(page.getByTestId('sync-state')).toHaveCount(0);
    await expect(page.locator('body')).not.toContainText('В сети');

    // The same data folder: the same address and key; the tab was never reloaded.
    const before = host.origin;
    host = await startBrowserHost({ dataDir });
    expect(host.origin).toBe(before);
    await expect(page.getByTestId('sync-state')).toContainText('В сети', { timeout: 20_000 });
    await expect(page.getByTestId('guard-idle')).toContainText('Приложите карту');
    await expect(page.getByTestId('status-bar')).not.toContainText('Нет связи со станцией');
    // And it serves taps again.
    const card = page.getByTestId('demo-reader').locator('[data-uid]').first();
    await card.click();
    await expect(page.getByTestId('last-tap').getByTestId('holder-name')).toBeVisible();
  } finally {
    await host.stop();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(serverDir, { recursive: true, force: true });
  }
});
