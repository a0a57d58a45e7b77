import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { electronBinary } from '../../scripts/electron-binary.ts';

const found = electronBinary();
const binary = 'path' in found ? found.path : null;
const hasBuild = existsSync(join(process.cwd(), 'out', 'main', 'index.js'));
if (!binary) console.log(`electron tests skipped: ${'reason' in found ? found.reason : ''}`);
else if (!hasBuild) console.log('electron tests skipped: run `npm run build` first (out/main/index.js is missing)');

test.describe('the desktop shell', () => {
  test.skip(!binary || !hasBuild, 'needs the Electron binary and `npm run build`');

  test('opens the operator window with the security flags set', async () => {
    const app = await electron.launch({
      executablePath: binary!,
      args: ['.'],
      env: { ...process.env, STATION_DATA_DIR: mkdtempSync(join(tmpdir(), 'station-electron-')) },
    });
    const page = await app.firstWindow();
    await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const wc = BrowserWindow.getAllWindows()[0]!.webContents;
      return (wc as unknown as { getLastWebPreferences(): Record<string, unknown> }).getLastWebPreferences();
    });
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => Object.keys((window as unknown as { station: object }).station).sort())).toEqual(['invoke', 'on']);
    expect(page.url()).toMatch(/^app:\/\/station\//);
    await app.close();
  });
});
