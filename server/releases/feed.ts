/**
 * The release folder layout electron-updater's generic provider reads, one folder per channel:
 *
 *   <releases>/stable/latest.yml          Windows feed (NSIS installer)
 *   <releases>/stable/latest-linux.yml    Linux feed (AppImage and .deb)
 *   <releases>/stable/school-station-setup-0.2.0.exe, school-station-0.2.0-x86_64.AppImage, …
 *   <releases>/beta/…                     the same for the beta channel
 *
 * The station points its generic provider at `<base>/<channel>/` and reads `latest*.yml` there.
 * We add two fields to what electron-builder writes: `stagingPercentage` (electron-updater's own)
 * and `rollback: true` (ours: the station's policy allows this older version to replace a newer one).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { UpdateChannel, parseVersion } from '../../common/update-policy.ts';

export const CHANNELS = UpdateChannel.options;
/** Feed file names electron-updater asks for: latest.yml (Windows), latest-linux[-arch].yml, latest-mac.yml. */
export const FEED_FILE = /^latest(?:-(?:linux|mac)(?:-[a-z0-9]+)?)?\.yml$/;
/** A file we serve: a plain name, no path, no leading dot. */
export const SERVABLE_FILE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

const Sha512Base64 = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'sha512 must be base64 (88 characters)');

export const FeedFile = z.looseObject({
  url: z.string().regex(SERVABLE_FILE, 'a feed file must be a plain file name in the channel folder'),
  sha512: Sha512Base64,
  size: z.number().int().nonnegative().optional(),
});

/** A channel file as electron-builder writes it, plus our fields. Unknown fields are kept. */
export const Feed = z.looseObject({
  version: z.string().refine((v) => parseVersion(v) !== null, 'version must be a semantic version'),
  files: z.array(FeedFile).min(1),
  path: z.string().optional(),
  sha512: Sha512Base64.optional(),
  releaseDate: z.string().optional(),
  stagingPercentage: z.number().min(0).max(100).optional(),
  rollback: z.boolean().optional(),
});
export type Feed = z.infer<typeof Feed>;

export function sha512OfFile(path: string): Promise<{ sha512: string; size: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha512');
    let size = 0;
    createReadStream(path)
      .on('data', (chunk) => {
        size += chunk.length;
        hash.update(chunk);
      })
      .on('error', reject)
      .on('end', () => resolve({ sha512: hash.digest('base64'), size }));
  });
}
