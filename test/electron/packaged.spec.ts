/**
 * The packaged app (what `npm run dist -- --dir` leaves in dist/<platform>-unpacked) starts and reports
 * its version, with the fuses electron-builder.yml asks for burnt into its binary.
 *
 * Playwright's `_electron.launch` needs the nodeCliInspect fuse, which a release build turns off
 * (Playwright documents this). So the packaged binary is started as a plain process with Chromium's
 * --remote-debugging-port (not a Node inspector switch, not governed by that fuse) and Playwright
 * attaches over CDP to the operator window.
 *
 * Skipped, with the reason printed, where no packaged app exists (no Electron binary on this machine).
 * Elsewhere: `npm run dist -- --dir && npx playwright test test/electron/packaged.spec.ts`
 * (on Linux without a display: `xvfb-run -a npx playwright test test/electron/packaged.spec.ts`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fuses from '@electron/fuses';
import { chromium, expect, test } from '@playwright/test';

const { FuseV1Options, getCurrentFuseWire } = fuses;
/** @electron/fuses' FuseState (not exported by name): the wire byte for a fuse turned off / on. */
const FuseState = { DISABLE: 48, ENABLE: 49 } as const;
const root = process.cwd();
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

function packagedBinary(): string | null {
  if (process.env.SCHOOL_STATION_PACKAGED_APP) return process.env.SCHOOL_STATION_PACKAGED_APP;
  const dist = join(root, 'dist');
  const candidates = [join(dist, 'linux-unpacked', 'school-station'), join(dist, 'win-unpacked', 'school-station.exe')];
  if (existsSync(dist)) {
    for (const d of readdirSync(dist).filter((f) => f.startsWith('mac')))
      candidates.push(join(dist, d, 'School Station.app', 'Contents', 'MacOS', 'School Station'));
  }
  return candidates.find((c) => existsSync(c)) ?? null;
}

const binary = packagedBinary();
if (!binary) {
  console.log(
    'packaged-app tests skipped: no packaged app in dist/ (building one needs the Electron binary, which this machine cannot download); ' +
      'run `npm run dist -- --dir` on a machine with it, or set SCHOOL_STATION_PACKAGED_APP',
  );
}

test.describe('the packaged app', () => {
  test.skip(!binary, 'needs a packaged app: npm run dist -- --dir');

  test('has the fuses electron-builder.yml asks for', async () => {
    const wire = await getCurrentFuseWire(binary!);
    const state = (o: number) => (wire as unknown as Record<number, number>)[o];
    expect(state(FuseV1Options.RunAsNode)).toBe(FuseState.DISABLE);
    expect(state(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe(FuseState.DISABLE);
    expect(state(FuseV1Options.EnableNodeCliInspectArguments)).toBe(FuseState.DISABLE);
    expect(state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe(FuseState.ENABLE);
    expect(state(FuseV1Options.OnlyLoadAppFromAsar)).toBe(FuseState.ENABLE);
  });

  test('starts, opens the operator window and reports its version; the updater stays off under test', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'station-packaged-'));
    const child: ChildProcess = spawn(binary!, ['--remote-debugging-port=0', ...(process.platform === 'linux' ? ['--no-sandbox'] : [])], {
      env: { ...process.env, STATION_DATA_DIR: dataDir, SCHOOL_STATION_NO_UPDATE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const ws = await new Promise<string>((resolve, reject) => {
        let seen = '';
        const timer = setTimeout(() => reject(new Error(`no DevTools endpoint within 30 s; output:\n${seen}`)), 30_000);
        const onData = (b: Buffer) => {
          seen += b.toString();
          const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        };
        child.stderr!.on('data', onData);
        child.stdout!.on('data', onData);
        child.once('exit', (code) => reject(new Error(`the packaged app exited with ${code}:\n${seen}`)));
      });
      const browser = await chromium.connectOverCDP(ws);
      const findWindow = () =>
        browser
          .contexts()
          .flatMap((c) => c.pages())
          .find((p) => p.url().startsWith('app://station/'));
      await expect.poll(() => Boolean(findWindow()), { timeout: 20_000 }).toBe(true);
      const page = findWindow()!;
      await expect(page.locator('.app[data-ready="true"]')).toBeVisible({ timeout: 20_000 });
      const status = await page.evaluate(() =>
        (window as unknown as { station: { invoke(n: string, i: object): Promise<{ version: string }> } }).station.invoke('station.getStatus', {}),
      );
      expect(status.version).toBe(version);
      const update = await page.evaluate(() =>
        (
          window as unknown as { station: { invoke(n: string, i: object): Promise<{ phase: string; disabledReason: string | null; currentVersion: string }> } }
        ).station.invoke('update.getState', {}),
      );
      expect(update).toMatchObject({ phase: 'disabled', disabledReason: 'test_runner', currentVersion: version });
      await browser.close();
    } finally {
      child.kill();
    }
  });
});
