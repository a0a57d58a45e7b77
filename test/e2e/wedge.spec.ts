/**
 * Keyboard-wedge reader end to end: real Chromium through the browser host, a station with a
 * wedge reader configured. Real key events (CDP) typed fast like a reader become a card the station
 * resolves, and never land in the focused field; typing at a person's pace stays text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../common/clock.ts';
import { openStore } from '../../core/store/index.ts';
import { startBrowserHost, type BrowserHost } from '../../host/browser-host.ts';
import { expect, test, unlockSetup } from './fixtures.ts';

let host: BrowserHost;
let dataDir: string;

test.beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wedge-e2e-'));
  const store = openStore(join(dataDir, 'station.db'), systemClock());
  store.settings.update({
    readers: [{ id: 'kbd', kind: 'wedge', role: 'entry', label: '', format: 'dec10', technology: 'em4100', maxGapMs: 80, retapMs: 0 }],
  });
  store.db.close();
  host = await startBrowserHost({ dataDir });
});

test.afterEach(async () => {
  await host.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a reader burst in a text field becomes a card, not text; typing at a person’s pace stays text', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
  // A station with no mode opens on setup, behind its first-start setup PIN.
  await unlockSetup(page);
  const test = page.getByTestId('tap-test');
  await expect(test).toContainText('Приложите карту');
  const field = page.getByLabel('Название станции');
  const burst = (digits: string) => Promise.all([...digits, 'Enter'].map((k) => page.keyboard.press(k)));
  await field.click();

  // A reader: ten digits and Enter back to back. The presses are queued on the DevTools connection
  // together, so the page sees them as fast as its input pipeline delivers (a few ms apart).
  await burst('0009334109');
  await expect(page.getByTestId('tap-test-uid')).toHaveText('em4100 008E6D5D');
  await expect(test).toContainText('0009334109'); // printed forms beside the canonical number
  await expect(field).toHaveValue('');

  // A person: digits with 250 ms between keys go into the field. The reader's gap is set to 80 ms here
  // (readers send keys 1–12 ms apart) so that a loaded CI machine delaying the DevTools presses does not
  // turn the reader's burst into typing; the person's pace stays well beyond it.
  await page.keyboard.type('1234567890', { delay: 250 });
  await page.keyboard.press('Enter');
  await expect(field).toHaveValue('1234567890');
  await expect(page.getByTestId('tap-test-uid')).toHaveText('em4100 008E6D5D');

  // Another reader burst while the field holds text: the text stays as it was.
  await burst('0001234567');
  await expect(page.getByTestId('tap-test-uid')).toHaveText('em4100 0012D687');
  await expect(field).toHaveValue('1234567890');
});
