/**
 * Renders resources/icon.svg into the icons electron-builder needs, with the Chromium on this machine:
 *   resources/icon.png       512×512 (Linux, and the source for macOS)
 *   resources/icons/NxN.png  16…512 (Linux desktop icon set)
 *   resources/icon.ico       16, 24, 32, 48, 64, 128, 256 (Windows: PNG-compressed ICO entries)
 *
 *   node resources/make-icons.ts [--chromium /usr/bin/chromium]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' } } });

/** An ICO file whose entries are PNG images (valid since Windows Vista; electron-builder accepts it). */
export function icoFromPngs(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(images.length, 4);
  const dir = Buffer.alloc(16 * images.length);
  let offset = 6 + dir.length;
  images.forEach(({ size, png }, i) => {
    const e = i * 16;
    dir.writeUInt8(size >= 256 ? 0 : size, e); // 0 means 256
    dir.writeUInt8(size >= 256 ? 0 : size, e + 1);
    dir.writeUInt8(0, e + 2); // no palette
    dir.writeUInt8(0, e + 3);
    dir.writeUInt16LE(1, e + 4); // colour planes
    dir.writeUInt16LE(32, e + 6); // bits per pixel
    dir.writeUInt32LE(png.length, e + 8);
    dir.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, dir, ...images.map((i) => i.png)]);
}

async function main(): Promise<void> {
  const svg = readFileSync(join(here, 'icon.svg'), 'utf8');
  const browser = await chromium.launch({ executablePath: values.chromium });
  try {
    const render = async (size: number): Promise<Buffer> => {
      const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
      await page.setContent(
        `<html><body style="margin:0;background:transparent">${svg.replace('width="512" height="512"', `width="${size}" height="${size}"`)}</body></html>`,
      );
      const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
      await page.close();
      return png;
    };
    mkdirSync(join(here, 'icons'), { recursive: true });
    const sizes = [16, 24, 32, 48, 64, 128, 256, 512];
    const pngs = new Map<number, Buffer>();
    for (const size of sizes) {
      const png = await render(size);
      pngs.set(size, png);
      writeFileSync(join(here, 'icons', `${size}x${size}.png`), png);
    }
    writeFileSync(join(here, 'icon.png'), pngs.get(512)!);
    writeFileSync(join(here, 'icon.ico'), icoFromPngs(sizes.filter((s) => s <= 256).map((size) => ({ size, png: pngs.get(size)! }))));
    console.log(`icons: icon.png (512), icon.ico (${sizes.filter((s) => s <= 256).join(', ')}), icons/*.png`);
  } finally {
    await browser.close();
  }
}

if (import.meta.main) await main();
