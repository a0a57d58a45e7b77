/**
 * The till's own card reader, end to end: a virtual card on a private pcscd (test/helpers/pcsc-rig.ts)
 * at a PC/SC reader with the cashier role. A card that answers GET DATA with an error asks the cashier
 * for the card again; the next good tap opens the photo check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { generateDemoSchool } from '../../common/demo-school.ts';
import { systemClock } from '../../common/clock.ts';
import { DEFAULT_SCHOOL_TIME_ZONE, schoolDate } from '../../common/school-time.ts';
import { seedDemoSchool } from '../../core/demo-seed.ts';
import { PhotoStore } from '../../node/photos.ts';
import { openStore } from '../../core/store/index.ts';
import { startBrowserHost } from '../../host/browser-host.ts';
import { startPcscRig, VIRTUAL_READERS, type PcscRig } from '../helpers/pcsc-rig.ts';
import { expect, test } from './fixtures.ts';
import { lastTone } from './tones.ts';
import { GUARD_TONES } from '../../renderer/src/guard/guard-sound.ts';

const now = Date.now();
const school = generateDemoSchool({ students: 30, date: schoolDate(now, DEFAULT_SCHOOL_TIME_ZONE), now: new Date(now).toISOString() });
const cashier = school.staff.find((s) => s.roles.includes('cashier') && !s.roles.includes('supervisor'))!;
const child = school.students[3]!;
const card = school.cards.find((c) => c.holderId === child.id && c.status === 'active' && c.technology === 'iso14443')!;

/**
 * The demo school in a data folder, one PC/SC reader on pcscd's first virtual reader with the given
 * mode and role, and the station served by the browser host; `run` gets the page loaded and the rig.
 */
async function withPcscStation(page: Page, mode: 'cashier' | 'guard', role: 'cashier' | 'entry', run: (rig: PcscRig) => Promise<void>): Promise<void> {
  const rig = await startPcscRig({ lockTimeoutMs: 600_000 });
  const dataDir = mkdtempSync(join(tmpdir(), `${mode}-reader-e2e-`));
  const store = openStore(join(dataDir, 'station.db'), systemClock());
  seedDemoSchool(store, new PhotoStore(join(dataDir, 'photos')), systemClock(), 30);
  store.settings.update({ mode, readers: [{ id: role === 'cashier' ? 'till' : 'entry', kind: 'pcsc', role, label: '', readerName: VIRTUAL_READERS[0] }] });
  store.close();
  const host = await startBrowserHost({ dataDir, env: rig.env });
  try {
    await page.goto(host.url);
    await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
    await run(rig);
  } finally {
    await host.stop();
    await rig.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('a card the till reader cannot read: "tap again", then the good tap opens the photo check', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await withPcscStation(page, 'cashier', 'cashier', async (rig) => {
    await page.getByRole('radio', { name: new RegExp(cashier.fullName) }).click();
    for (const d of cashier.pin) await page.getByTestId('shift-pin').getByRole('button', { name: d, exact: true }).click();
    await page.getByRole('button', { name: 'Открыть смену' }).click();
    await expect(page.getByTestId('till')).toBeVisible();
    await page.getByTestId('menu').locator('[data-item="M05"]').click();

    const bad = await rig.tap(card.uid, { getDataStatus: 0x6a81 });
    await expect(page.getByTestId('tap-misread')).toContainText('Карту не удалось прочитать — приложите ещё раз');
    await expect(page.getByTestId('photo-check')).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath('cashier-misread.png') });
    await bad.remove();

    const good = await rig.tap(card.uid);
    await expect(page.getByTestId('photo-check').getByTestId('check-name')).toHaveText(child.fullName);
    await expect(page.getByTestId('tap-misread')).toHaveCount(0);
    await good.remove();
  });
});

test('a card the guard post cannot read: "tap again" with its own tone replaces the last verdict', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await withPcscStation(page, 'guard', 'entry', async (rig) => {
    const good = await rig.tap(card.uid);
    await expect(page.getByTestId('holder-name')).toHaveText(child.fullName);
    await good.remove();

    // The next card's number cannot be read: the previous child's verdict must not stay on screen.
    const bad = await rig.tap(card.uid, { getDataStatus: 0x6a81 });
    await expect(page.getByTestId('guard-misread')).toContainText('Карту не удалось прочитать — приложите ещё раз');
    await expect(page.getByTestId('holder-name')).toHaveCount(0);
    await expect.poll(() => lastTone(page, GUARD_TONES)).toBe('misread');
    await page.screenshot({ path: testInfo.outputPath('guard-misread.png') });
    await bad.remove();

    const again = await rig.tap(card.uid);
    await expect(page.getByTestId('holder-name')).toHaveText(child.fullName);
    await expect(page.getByTestId('guard-misread')).toHaveCount(0);
    await again.remove();
  });
});
