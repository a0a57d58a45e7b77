import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { portraitPng } from '../../common/demo-portrait.ts';
import { generateDemoSchool } from '../../common/demo-school.ts';
import { portraitMime } from '../../common/mime.ts';
import { NotAPortrait, PhotoStore, photoMime } from '../../node/photos.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir('photos-');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);

describe('portraits in the data folder', () => {
  it('gives the tapped holder’s portrait as a data URL of exactly the stored bytes', () => {
    const photos = new PhotoStore(join(tempDir(), 'photos'));
    const hash = photos.put(PNG);
    const url = photos.dataUrl(hash);
    expect(url).toMatch(/^data:image\/png;base64,/);
    expect(Buffer.from(url!.slice(url!.indexOf(',') + 1), 'base64').equals(PNG)).toBe(true);
  });

  it('gives no data URL for a missing photo, a bad hash, a file that is not an image, or one too large to send', () => {
    const photos = new PhotoStore(join(tempDir(), 'photos'));
    expect(photos.dataUrl('0'.repeat(64))).toBeNull();
    expect(photos.dataUrl('../station.db')).toBeNull();
    const junk = '1'.repeat(64);
    writeFileSync(photos.pathOf(junk), 'not an image');
    expect(photos.dataUrl(junk)).toBeNull();
    const big = photos.put(Buffer.concat([PNG, Buffer.alloc(300 * 1024)]));
    expect(photos.dataUrl(big)).toBeNull();
    expect(photos.dataUrl(big, 1024 * 1024)).toMatch(/^data:image\/png;base64,/);
  });
});

describe('a portrait is JPEG, PNG or WebP by its bytes; an SVG (it can carry script) is refused', () => {
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>');
  const xmlSvg = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>');

  it('the station’s photo store refuses SVG, with or without an XML prolog, and keeps nothing', () => {
    const photos = new PhotoStore(join(tempDir(), 'photos'));
    expect(() => photos.put(svg)).toThrow(NotAPortrait);
    expect(() => photos.put(xmlSvg)).toThrow('not a portrait (JPEG, PNG or WebP expected)');
    expect(photos.has(PhotoStore.hashOf(svg))).toBe(false);
    // One already in the folder (from an older version) is never handed out as an image.
    const hash = PhotoStore.hashOf(svg);
    writeFileSync(photos.pathOf(hash), svg);
    expect(photos.dataUrl(hash)).toBeNull();
    expect(photoMime(photos.read(hash)!)).toBeNull();
  });

  it('knows the three formats by their signatures, not by a prefix that merely starts like one', () => {
    expect(portraitMime(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('image/jpeg');
    expect(portraitMime(PNG)).toBe('image/png');
    expect(portraitMime(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(portraitMime(Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt ', 'latin1'))).toBeNull();
    expect(portraitMime(Buffer.from([0x89, 0x50, 0x3c, 0x73, 0x76, 0x67]))).toBeNull();
    expect(portraitMime(Buffer.from([0xff, 0xd8]))).toBeNull();
    expect(portraitMime(svg)).toBeNull();
  });

  it('the demo school’s portraits are PNGs the store takes: the right size, pixels that inflate, every chunk’s CRC right', () => {
    const school = generateDemoSchool({ students: 3, date: '2026-09-01', now: '2026-09-01T06:00:00.000Z' });
    const photos = new PhotoStore(join(tempDir(), 'photos'));
    const hashes = new Set<string>();
    for (const [id, spec] of school.photos) {
      const png = Buffer.from(portraitPng(spec, deflateSync, { id }));
      hashes.add(photos.put(png));
      expect(portraitMime(png)).toBe('image/png');
      let at = 8;
      const idat: Buffer[] = [];
      let size: { w: number; h: number } | null = null;
      while (at < png.length) {
        const len = png.readUInt32BE(at);
        const type = png.toString('latin1', at + 4, at + 8);
        const body = png.subarray(at + 8, at + 8 + len);
        expect(png.readUInt32BE(at + 8 + len), type).toBe(crc32(png.subarray(at + 4, at + 8 + len)));
        if (type === 'IHDR') size = { w: body.readUInt32BE(0), h: body.readUInt32BE(4) };
        if (type === 'IDAT') idat.push(body);
        at += 12 + len;
      }
      expect(size).toEqual({ w: 150, h: 200 });
      const pixels = inflateSync(Buffer.concat(idat));
      expect(pixels.length).toBe((150 * 3 + 1) * 200);
      // Not a blank square: the figure has several colours.
      const colours = new Set<string>();
      for (let i = 1; i < pixels.length; i += 3 * 37) colours.add(pixels.subarray(i, i + 3).toString('hex'));
      expect(colours.size).toBeGreaterThan(4);
    }
    // Everyone has a photo of their own.
    expect(hashes.size).toBe(school.photos.size);
  });
});
