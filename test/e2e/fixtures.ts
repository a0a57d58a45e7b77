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
    if (!hostOptions.dataDir) for (const d of [dataDir, `${dataDir}.keys`]) rmSync(d, { recursive: true, force: true });
  },
  stationPage: async ({ page, host }, use) => {
    await page.goto(host.url);
    await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
    await use(page);
  },
});

export { expect };

/** One request over a second WebSocket to the station's bridge, from inside the page (it carries the cookie). */
export async function bridge<T = unknown>(page: Page, name: string, input: unknown): Promise<T> {
  return page.evaluate(
    ([name, input]) =>
      new Promise<unknown>((resolve, reject) => {
        const ws = new WebSocket(`ws://${location.host}/bridge`);
        ws.onopen = () => ws.send(JSON.stringify({ t: 'req', id: 1, name, input }));
        ws.onmessage = (e) => {
          const m = JSON.parse(String(e.data)) as { t: string; id?: number; ok?: boolean; output?: unknown; error?: unknown };
          if (m.t !== 'res') return;
          ws.close();
          if (m.ok) resolve(m.output);
          else reject(new Error(JSON.stringify(m.error)));
        };
        ws.onerror = () => reject(new Error('bridge socket failed'));
      }),
    [name, input] as const,
  ) as Promise<T>;
}

