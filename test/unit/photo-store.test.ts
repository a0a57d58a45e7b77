import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PhotoStore } from '../../node/photos.ts';
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
