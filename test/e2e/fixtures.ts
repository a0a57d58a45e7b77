import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { startBrowserHost, type BrowserHost, type BrowserHostOptions } from '../../host/browser-host.ts';
import { isItGuarded } from '../helpers/it-session.ts';
import { recordTones } from './tones.ts';

/** The station setup PIN the end-to-end stations are given at their first start. */
export const E2E_SETUP_PIN = '802417';

export interface StationFixtures {
  /** Options for the station under test (env, a prepared data folder). */
  hostOptions: Partial<BrowserHostOptions>;
  /** A fresh station opens on setup: set its setup PIN there, as IT would at a first start (default true). */
  unlockFirstStart: boolean;
  /** A fresh station process with its own data folder, served by the browser host. */
  host: BrowserHost;
  /** A page with the station UI loaded and connected. */
  stationPage: Page;
}

export const test = base.extend<StationFixtures>({
  // Every page listens to the tones the app plays (test/e2e/tones.ts): the sound is checked as heard.
  page: async ({ page }, use) => {
    await page.addInitScript(recordTones);
    await use(page);
  },
  hostOptions: [{}, { option: true }],
  unlockFirstStart: [true, { option: true }],
  host: async ({ hostOptions }, use) => {
    const dataDir = hostOptions.dataDir ?? mkdtempSync(join(tmpdir(), 'station-e2e-'));
    const host = await startBrowserHost({ ...hostOptions, dataDir });
    await use(host);
    await host.stop();
    if (!hostOptions.dataDir) for (const d of [dataDir, `${dataDir}.keys`]) rmSync(d, { recursive: true, force: true });
  },
  stationPage: async ({ page, host, unlockFirstStart }, use) => {
    await page.goto(host.url);
    await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
    if (unlockFirstStart && (await page.locator('.app.app-unset').count()) > 0) await unlockSetup(page);
    await use(page);
  },
});

export { expect };

/**
 * Opens setup through its lock as IT does: at a first start by setting the station setup PIN
 * (E2E_SETUP_PIN), later by choosing "station setup PIN" and typing it.
 */
export async function unlockSetup(page: Page, pin = E2E_SETUP_PIN): Promise<void> {
  const screen = page.getByTestId('setup-screen');
  const lock = page.getByTestId('setup-lock');
  await expect(lock.or(screen)).toBeVisible();
  if (await screen.isVisible()) return;
  const first = lock.getByTestId('setup-pin-form');
  const choose = lock.getByTestId('it-setup-pin');
  await expect(first.or(choose)).toBeVisible();
  if (await first.isVisible()) {
    await first.getByTestId('setup-pin-new').locator('input').fill(pin);
    await first.getByTestId('setup-pin-repeat').locator('input').fill(pin);
    await first.getByRole('button', { name: /Задать ПИН-код|Set the PIN/ }).click();
  } else {
    await choose.click();
    await lock.getByTestId('it-pin').locator('input').fill(pin);
    await lock.getByRole('button', { name: /Открыть настройку|Open setup/ }).click();
  }
  await expect(screen).toBeVisible();
}

/** A bridge socket's first request: open an IT session on it with the station setup PIN. */
export const itSignIn = (id: number, pin = E2E_SETUP_PIN) => ({ t: 'req', id, name: 'it.signIn', input: { staffId: null, pin } });

/**
 * One request over a second WebSocket to the station's bridge, from inside the page (it carries the
 * cookie). A request only IT may make (station/it-access.ts) is sent after opening an IT session on
 * that socket with the station setup PIN (set first on a fresh station); closing the socket ends it.
 */
export async function bridge<T = unknown>(page: Page, name: string, input: unknown): Promise<T> {
  return page.evaluate(
    ([name, input, asIt, pin]) =>
      new Promise<unknown>((resolve, reject) => {
        const ws = new WebSocket(`ws://${location.host}/bridge`);
        let id = 0;
        const waiting = new Map<number, (m: { ok?: boolean; output?: unknown; error?: unknown }) => void>();
        const ask = (n: string, i: unknown) =>
          new Promise<{ ok?: boolean; output?: unknown; error?: unknown }>((done) => {
            waiting.set(++id, done);
            ws.send(JSON.stringify({ t: 'req', id, name: n, input: i }));
          });
        ws.onmessage = (e) => {
          const m = JSON.parse(String(e.data)) as { t: string; id?: number; ok?: boolean; output?: unknown; error?: unknown };
          if (m.t !== 'res' || m.id === undefined) return;
          waiting.get(m.id)?.(m);
          waiting.delete(m.id);
        };
        ws.onerror = () => reject(new Error('bridge socket failed'));
        ws.onopen = async () => {
          if (asIt) {
            const status = await ask('it.status', {});
            const set = (status.output as { setupPinSet?: boolean } | undefined)?.setupPinSet;
            const opened = set ? await ask('it.signIn', { staffId: null, pin }) : await ask('it.setSetupPin', { pin });
            if (!opened.ok) {
              ws.close();
              reject(new Error(`IT session: ${JSON.stringify(opened.error)}`));
              return;
            }
          }
          const m = await ask(name, input);
          ws.close();
          if (m.ok) resolve(m.output);
          else reject(new Error(JSON.stringify(m.error)));
        };
      }),
    [name, input, isItGuarded(name), E2E_SETUP_PIN] as const,
  ) as Promise<T>;
}
