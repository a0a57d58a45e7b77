/**
 * What the guard sees is school time and whole names. The station's school is in Vladivostok (UTC+10,
 * from its backend's settings), the PC (the browser) is set to Europe/London: the header's clock and the
 * feed's times are Vladivostok's. On a 1024×600 screen a long double-barrelled name is shown whole on
 * the big card, in the feed and in the strip (wrapped, never cut to "Рим…"). Screenshots in test-results/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator } from '@playwright/test';
import { systemClock } from '../../common/clock.ts';
import { schoolTime } from '../../common/school-time.ts';
import { openStore } from '../../core/store/index.ts';
import { startBrowserHost } from '../../host/browser-host.ts';
import { deriveKey, fileKeyStore, keyDirFor } from '../../node/key-file.ts';
import { bridge, expect, test } from './fixtures.ts';

const SCHOOL_ZONE = 'Asia/Vladivostok';
const LONG_NAME = 'Римская-Корсакова Александра-Виктория Константиновна';

test.use({ timezoneId: 'Europe/London', viewport: { width: 1024, height: 600 } });

/** The element shows its whole text: nothing is clipped sideways or cut with an ellipsis. */
async function expectWhole(target: Locator): Promise<void> {
  await expect(target).toContainText(LONG_NAME);
  const fits = await target.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && getComputedStyle(el).textOverflow !== 'ellipsis');
  expect(fits, 'the name is not clipped').toBe(true);
}

test('school time in the header and the feed, whatever the PC’s zone; a long name whole at 1024×600', async ({ page }, testInfo) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'school-time-e2e-'));
  // First start seeds the demo school; then the school's settings and a long name go into the store.
  let host = await startBrowserHost({ dataDir });
  await host.stop();
  // The station's database is encrypted with its `data` key, kept beside the data folder.
  const store = openStore(join(dataDir, 'station.db'), systemClock(), { key: deriveKey(fileKeyStore(keyDirFor(dataDir)).key('data'), 'database') });
  const card = store.roster.listCardsWithHolders(200).find((c) => c.card.status === 'active' && c.holder?.kind === 'student' && c.personStatus === 'active')!;
  const person = store.roster.person('student', card.card.holderId)!;
  store.roster.upsertStudents([{ id: person.id, fullName: LONG_NAME, className: person.group, photoHash: person.photoHash, status: 'active' }]);
  store.syncState.set('school_settings', JSON.stringify({ timeZone: SCHOOL_ZONE }));
  store.settings.update({ mode: 'guard' });
  store.close();
  host = await startBrowserHost({ dataDir });
  try {
    await page.goto(host.url);
    await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
    await expect(page.getByTestId('guard-view')).toBeVisible();

    // The header's clock is the school's (a minute may turn between reading it and computing it).
    const clockText = await page.getByTestId('school-clock').textContent();
    const around = [Date.now() - 60_000, Date.now(), Date.now() + 60_000].map((t) => schoolTime(t, SCHOOL_ZONE, 'ru'));
    expect(around).toContain(clockText);
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('Europe/London');

    // Three taps: the big card, then the strip and the feed hold the same child.
    for (let i = 0; i < 3; i++) {
      await bridge(page, 'demo.tap', { readerId: 'demo', technology: card.card.technology, uid: card.card.uid });
      await page.waitForTimeout(1_200);
    }
    await expectWhole(page.getByTestId('holder-name'));
    const feedName = page.getByTestId('guard-feed').locator('li').first().locator('strong');
    await expectWhole(feedName);
    const stripName = page.getByTestId('guard-strip').locator('li').first().locator('strong');
    await expectWhole(stripName);
    // The feed's time is Vladivostok's HH:MM, not London's.
    const feedTime = (await page.getByTestId('guard-feed').locator('li').first().locator('time').textContent()) ?? '';
    const hhmm = [Date.now() - 60_000, Date.now()].map((t) => schoolTime(t, SCHOOL_ZONE, 'ru'));
    expect(hhmm).toContain(feedTime.slice(0, 5));
    await page.screenshot({ path: testInfo.outputPath('guard-long-name-1024x600.png') });
  } finally {
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
