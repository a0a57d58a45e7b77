/**
 * Setup → card readers and relay, end to end: real Chromium through the browser host, a private pcscd
 * with a virtual card (test/helpers/pcsc-rig.ts) and an LCUS relay played on a socat pty.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrowserHost } from '../../host/browser-host.ts';
import { startLcusBoard } from '../helpers/lcus-board.ts';
import { startPcscRig, VIRTUAL_READERS } from '../helpers/pcsc-rig.ts';
import { startPtyPair } from '../helpers/socat.ts';
import { expect, test, unlockSetup } from './fixtures.ts';

test('IT finds the PC/SC reader, adds it, taps a card to test it, and tests the relay', async ({ page }) => {
  const rig = await startPcscRig({ lockTimeoutMs: 600_000 });
  const pair = await startPtyPair();
  const board = await startLcusBoard(pair);
  const dataDir = mkdtempSync(join(tmpdir(), 'readers-e2e-'));
  const host = await startBrowserHost({ dataDir, env: rig.env });
  try {
    await page.goto(host.url);
    await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
    await unlockSetup(page);
    await page.getByRole('radio', { name: 'English' }).click();
    const setup = page.getByTestId('readers-setup');
    const found = setup.locator('.found-list li').filter({ hasText: VIRTUAL_READERS[0] });
    await expect(found).toBeVisible();
    await found.getByRole('button', { name: 'Add' }).click();
    const row = setup.getByTestId('reader-pcsc-1');
    // A reader IT has not named is "Reader N" by its place in the list (not a device name or an id).
    const place = await setup.locator('.reader-row').count();
    await expect(setup.getByTestId('reader-name-pcsc-1')).toHaveText(`Reader ${place}`);
    await row.getByLabel('Name').fill('Турникет, выход');
    await row.getByLabel('Role').selectOption('exit');
    await setup.getByTestId('readers-save').click();
    await expect(setup.getByTestId('reader-state-pcsc-1')).toContainText('ready');
    await expect(setup.getByTestId('reader-name-pcsc-1')).toHaveText('Турникет, выход');
    await expect(page.getByTestId('status-bar').getByTestId('reader-pcsc-1')).toContainText('Турникет, выход (');
    await expect(page.getByTestId('status-bar')).not.toContainText('pcsc-1');

    const card = await rig.tap('04A1B2C3D4E5F6');
    await expect(setup.getByTestId('tap-test-uid')).toHaveText('iso14443 04A1B2C3D4E5F6');
    const test = setup.getByTestId('tap-test');
    await expect(test).toContainText('Турникет, выход');
    await expect(test).toContainText('F6E5D4C3B2A104'); // reversed hex beside the canonical one
    await expect(test).toContainText('3285509622'); // 10-digit decimal of the last 4 bytes
    await card.remove();

    const relay = page.getByTestId('relay-setup');
    await relay.getByLabel('Relay port').fill(pair.stationPath);
    await relay.getByLabel('Open for, ms').fill('300');
    await relay.getByTestId('relay-save').click();
    await expect(relay.getByTestId('relay-message')).toHaveText('Saved');
    await expect(async () => {
      await relay.getByRole('button', { name: 'Open entry' }).click();
      await expect(relay.getByTestId('relay-message')).toHaveText('Opened; the relay confirmed it.', { timeout: 1000 });
    }).toPass({ timeout: 10_000 });
    expect(board.received().slice(-5)).toEqual([0xa0, 0x01, 0x01, 0xa2, 0xff]);
  } finally {
    await host.stop();
    await pair.stop();
    await rig.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
