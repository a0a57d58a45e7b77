/**
 * Portraits for the benchmarks, distinct per seed. A school's photos are JPEGs of about 30 KB
 * (docs/architecture.md, "Figures": "5,000 students with 30 KB photos"); `jpegPortraits` draws a head-and-shoulders
 * picture with a little sensor noise on a canvas in Chromium and encodes it with Chromium's own JPEG
 * encoder (quality 0.85: about 25–30 KB at 300×400), so no image library is needed. `pngPortrait` is
 * the lossless variant (a smooth gradient, which PNG compresses far better than a real photo).
 */
import { crc32, deflateSync } from 'node:zlib';
import type { Browser } from '@playwright/test';

export async function jpegPortraits(browser: Browser, count: number, width = 300, height = 400): Promise<Buffer[]> {
  const page = await browser.newPage();
  try {
    await page.setContent('<!doctype html><title>portraits</title>');
    const out: Buffer[] = [];
    for (let start = 0; start < count; start += 50) {
      const batch = await page.evaluate(
        async ({ from, to, w, h }) => {
          const canvas = document.createElement('canvas');
          canvas.width = w;
          canvas.height = h;
          const g = canvas.getContext('2d')!;
          const result: string[] = [];
          for (let seed = from; seed < to; seed++) {
            let a = (seed * 2654435761) >>> 0;
            const rnd = () => (a = (a * 1664525 + 1013904223) >>> 0) / 2 ** 32;
            const bg = g.createLinearGradient(0, 0, w, h);
            bg.addColorStop(0, `hsl(${(seed * 37) % 360} 30% 75%)`);
            bg.addColorStop(1, `hsl(${(seed * 91) % 360} 25% 45%)`);
            g.fillStyle = bg;
            g.fillRect(0, 0, w, h);
            g.fillStyle = `hsl(${(seed * 53) % 360} 35% 30%)`; // shoulders
            g.beginPath();
            g.ellipse(w / 2, h, w * 0.48, h * 0.3, 0, 0, Math.PI * 2);
            g.fill();
            g.fillStyle = `hsl(${20 + (seed % 15)} ${40 + (seed % 20)}% ${60 + (seed % 15)}%)`; // face
            g.beginPath();
            g.ellipse(w / 2, h * 0.42, w * 0.22, h * 0.21, 0, 0, Math.PI * 2);
            g.fill();
            g.fillStyle = `hsl(${(seed * 13) % 40} 40% ${15 + (seed % 30)}%)`; // hair
            g.beginPath();
            g.ellipse(w / 2, h * 0.3, w * 0.24, h * 0.12, 0, Math.PI, Math.PI * 2);
            g.fill();
            const img = g.getImageData(0, 0, w, h);
            for (let i = 0; i < img.data.length; i += 4) {
              const n = (rnd() - 0.5) * 12;
              img.data[i] = img.data[i]! + n;
              img.data[i + 1] = img.data[i + 1]! + n;
              img.data[i + 2] = img.data[i + 2]! + n;
            }
            g.putImageData(img, 0, 0);
            const blob = await new Promise<Blob>((ok) => canvas.toBlob((b) => ok(b!), 'image/jpeg', 0.85));
            const bytes = new Uint8Array(await blob.arrayBuffer());
            let s = '';
            for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
            result.push(btoa(s));
          }
          return result;
        },
        { from: start + 1, to: Math.min(count, start + 50) + 1, w: width, h: height },
      );
      out.push(...batch.map((b) => Buffer.from(b, 'base64')));
    }
    return out;
  } finally {
    await page.close();
  }
}

/**
 * A 300×400 PNG portrait (tens of KB), distinct per seed: a gradient with a little noise. Schools hold
 * raster photos (JPEG/PNG); the demo school's SVG portraits cost Chromium far more to load than those,
 * so the figures are measured on raster portraits (GUARD_BENCH_SVG=1 keeps the SVG ones).
 */
export function pngPortrait(seed: number): Buffer {
  const w = 300;
  const h = 400;
  let a = seed * 2654435761;
  const rnd = () => ((a = (a * 1664525 + 1013904223) >>> 0) >>> 24) & 0x01;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  const [r0, g0, b0] = [(seed * 37) % 200, (seed * 91) % 200, (seed * 53) % 200];
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < w; x++) {
      const i = row + 1 + x * 3;
      raw[i] = r0 + (x * 55) / w;
      raw[i + 1] = g0 + (y * 55) / h + (x % 3 === 0 ? rnd() : 0);
      raw[i + 2] = b0;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
