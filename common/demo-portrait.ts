import { encodePng, pngChunk, pngPixels, pngText, type Deflate, type RgbImage } from './png.ts';

/**
 * The demo school's portraits, drawn as small PNGs (a station accepts only JPEG, PNG and WebP: an
 * SVG can carry script). A friendly head-and-shoulders figure: background, shirt, neck, face, hair,
 * eyes and a smile, drawn in the 300 × 400 frame of a passport photo and sampled 2 × 2 per pixel.
 */
export interface PortraitSpec {
  bg: string;
  skin: string;
  hair: string;
  /** Shirt colour: hue in degrees (saturation and lightness fixed). */
  shirtHue: number;
  female: boolean;
}

export const PORTRAIT_WIDTH = 150;
export const PORTRAIT_HEIGHT = 200;
const SCALE = 300 / PORTRAIT_WIDTH;

type Rgb = readonly [number, number, number];

function hex(c: string): Rgb {
  const n = Number.parseInt(c.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

function hsl(h: number, s: number, l: number): Rgb {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

const inEllipse = (x: number, y: number, cx: number, cy: number, rx: number, ry: number) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;

const BG = 0;
const SHIRT = 1;
const SKIN = 2;
const HAIR = 3;
const EYE = 4;
const MOUTH = 5;

/** What is at one point of the 300 × 400 frame. */
function partAt(x: number, y: number, female: boolean): number {
  // Front to back: eyes, smile, face and its hair, neck, long hair, shirt, background.
  if (inEllipse(x, y, 122, 170, 7, 7) || inEllipse(x, y, 178, 170, 7, 7)) return EYE;
  if (x >= 123 && x <= 177) {
    const t = (x - 125) / 50;
    if (Math.abs(y - (212 + 36 * t * (1 - t))) <= 2.6) return MOUTH;
  }
  if (y < 150 && inEllipse(x, y, 150, 150, 76, 82) && !inEllipse(x, y, 150, 150, 74, 42)) return HAIR;
  if (inEllipse(x, y, 150, 165, 75, 90)) return SKIN;
  if (x >= 128 && x <= 172 && y >= 230 && y <= 292) return SKIN;
  if (female && y < 232 && inEllipse(x, y, 150, 165, 86, 100)) return HAIR;
  if (inEllipse(x, y, 150, 405, 122, 120)) return SHIRT;
  return BG;
}

/** The figure is the same for everyone (one for long hair, one for short): its 2 × 2 samples per pixel, worked out once. */
const figures = new Map<boolean, Uint8Array>();
function figure(female: boolean): Uint8Array {
  let parts = figures.get(female);
  if (!parts) {
    parts = new Uint8Array(PORTRAIT_WIDTH * PORTRAIT_HEIGHT * 4);
    let i = 0;
    for (let py = 0; py < PORTRAIT_HEIGHT; py++) {
      for (let px = 0; px < PORTRAIT_WIDTH; px++) {
        for (let s = 0; s < 4; s++) parts[i++] = partAt((px + ((s & 1) + 0.5) / 2) * SCALE, (py + ((s >> 1) + 0.5) / 2) * SCALE, female);
      }
    }
    figures.set(female, parts);
  }
  return parts;
}

export function drawPortrait(spec: PortraitSpec): RgbImage {
  const palette = Uint16Array.from([hex(spec.bg), hsl(spec.shirtHue, 0.45, 0.45), hex(spec.skin), hex(spec.hair), hex('#2b2b2b'), hex('#8a4b3a')].flat());
  const parts = figure(spec.female);
  const rgb = new Uint8Array(PORTRAIT_WIDTH * PORTRAIT_HEIGHT * 3);
  for (let p = 0, i = 0; p < rgb.length; p += 3, i += 4) {
    const a = parts[i]! * 3;
    const b = parts[i + 1]! * 3;
    const c = parts[i + 2]! * 3;
    const d = parts[i + 3]! * 3;
    for (let k = 0; k < 3; k++) rgb[p + k] = (palette[a + k]! + palette[b + k]! + palette[c + k]! + palette[d + k]!) >> 2;
  }
  return { width: PORTRAIT_WIDTH, height: PORTRAIT_HEIGHT, rgb };
}

/** Compressed pixels by look: a school of 5,000 has only a few hundred distinct figures. */
const drawn = new Map<string, Uint8Array>();

export interface PortraitPngOptions {
  /** Written into the file (a tEXt chunk), so two pupils who look alike still have their own photo. */
  id: string;
  /** Filler bytes in a private ancillary chunk, for a portrait that weighs what a real photo does. */
  padding?: Uint8Array;
}

export function portraitPng(spec: PortraitSpec, deflate: Deflate, options: PortraitPngOptions): Uint8Array {
  const key = JSON.stringify(spec);
  let idat = drawn.get(key);
  if (!idat) {
    idat = pngPixels(drawPortrait(spec), deflate);
    if (drawn.size > 2000) drawn.clear();
    drawn.set(key, idat);
  }
  const extra = [pngText('Comment', `School Station demo portrait ${options.id}`)];
  if (options.padding && options.padding.length > 0) extra.push(pngChunk('ssPd', options.padding));
  return encodePng({ width: PORTRAIT_WIDTH, height: PORTRAIT_HEIGHT, rgb: new Uint8Array(0) }, idat, extra);
}
