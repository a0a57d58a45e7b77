import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { startBrowserHost, type BrowserHost, type BrowserHostOptions } from '../../host/browser-host.ts';

export interface StationFixtures {
  /** Options for the station under test (env, a prepared data folder). */
  hostOptions: Partial<BrowserHostOptions>;
  /** A fresh station process with its own data folder, served by the browser host. */
  host: BrowserHost;
  /** A page with the station UI loaded and connected. */
  stationPage: Page;
}

export const test = base.extend<StationFixtures>({
  hostOptions: [{}, { option: true }],
  host: async ({ hostOptions }, use) => {
    const dataDir = hostOptions.dataDir ?? mkdtempSync(join(tmpdir(), 'station-e2e-'));
    const host = await startBrowserHost({ ...hostOptions, dataDir });
    await use(host);
    await host.stop();
    if (!hostOptions.dataDir) rmSync(dataDir, { recursive: true, force: true });
  },
  stationPage: async ({ page, host }, use) => {
    await page.goto(host.url);
    await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
    await use(page);
  },
});

export { expect };
