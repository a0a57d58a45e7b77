import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import yaml from 'js-yaml';
import { transportAllowed } from '../common/transport.ts';
import { compareVersions, parseVersion } from '../common/update-policy.ts';

/**
 * Whether a release feed can be trusted, before anything it names is downloaded. The feed
 * (`latest.yml`, `latest-linux.yml`) comes from a server a school runs and may be reached through a
 * network nobody controls; the sha512 it lists only proves the installer matches the feed. So the
 * publisher signs the feed itself (Ed25519 over the file's exact bytes, in `<feed>.sig`, base64), the
 * public key is built into the app, and the updater takes only what a feed with a valid signature
 * lists. A rollback (an older version) must be marked in that signed feed and may never go below the
 * minimum version built into the app.
 */

export interface FeedTrust {
  /** The publisher's Ed25519 public key, PEM (SPKI), built into the app by `npm run dist`. */
  publicKey: string;
  /** No update, rollback or not, may install a version below this one. */
  minimumVersion: string;
}

export type FeedRefusal = 'insecure_transport' | 'no_signature' | 'bad_signature' | 'unreadable' | 'changed_after_check' | 'below_minimum';

export class FeedRefused extends Error {
  override name = 'FeedRefused';
  readonly reason: FeedRefusal;
  constructor(reason: FeedRefusal, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** What the signed feed says, as far as the station checks it against what electron-updater parsed. */
export interface SignedRelease {
  version: string;
  rollback: boolean;
  /** Every file the feed lists, url → sha512. */
  files: Record<string, string>;
}

/** The feed file electron-updater reads on this platform (its GenericProvider's naming). */
export function feedFileFor(platform: NodeJS.Platform): string {
  if (platform === 'win32') return 'latest.yml';
  if (platform === 'darwin') return 'latest-mac.yml';
  return 'latest-linux.yml';
}

function keyOf(trust: FeedTrust): KeyObject {
  const key = createPublicKey(trust.publicKey);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the built-in release key is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
  return key;
}

/** Checks a feed's bytes against its signature and the built-in key; returns what it lists. */
export function verifyFeed(trust: FeedTrust, feed: Buffer, signatureBase64: string): SignedRelease {
  const signature = Buffer.from(signatureBase64.trim(), 'base64');
  if (signature.length !== 64) throw new FeedRefused('no_signature', 'the feed signature is missing or not an Ed25519 signature');
  if (!verify(null, feed, keyOf(trust), signature)) {
    throw new FeedRefused(
      'bad_signature',
      'the feed signature does not match the publisher key built into this app: the feed was changed or signed by someone else',
    );
  }
  let doc: unknown;
  try {
    doc = yaml.load(feed.toString('utf8'));
  } catch (err) {
    throw new FeedRefused('unreadable', `the signed feed is not YAML: ${(err as Error).message}`);
  }
  const d = doc as { version?: unknown; rollback?: unknown; files?: unknown; path?: unknown; sha512?: unknown } | null;
  if (!d || typeof d.version !== 'string' || !parseVersion(d.version)) throw new FeedRefused('unreadable', 'the signed feed names no valid version');
  const files: Record<string, string> = {};
  if (Array.isArray(d.files)) {
    for (const f of d.files as { url?: unknown; sha512?: unknown }[]) {
      if (typeof f?.url === 'string' && typeof f.sha512 === 'string') files[f.url] = f.sha512;
    }
  }
  if (typeof d.path === 'string' && typeof d.sha512 === 'string') files[d.path] ??= d.sha512;
  if (Object.keys(files).length === 0) throw new FeedRefused('unreadable', 'the signed feed lists no file with a sha512');
  if (compareVersions(d.version, trust.minimumVersion) < 0) {
    throw new FeedRefused('below_minimum', `the feed offers ${d.version}, below the minimum version ${trust.minimumVersion} built into this app`);
  }
  return { version: d.version, rollback: d.rollback === true, files };
}

/** Fetches `<channelUrl><feed>` and `<feed>.sig` and verifies them. */
export async function fetchSignedFeed(trust: FeedTrust, channelUrl: string, feedFile: string, fetchImpl: typeof fetch = fetch): Promise<SignedRelease> {
  if (!transportAllowed(channelUrl)) {
    throw new FeedRefused('insecure_transport', `the release feed ${channelUrl} is not HTTPS; only HTTPS (or this computer itself) is allowed`);
  }
  const base = channelUrl.endsWith('/') ? channelUrl : `${channelUrl}/`;
  const get = async (name: string): Promise<Buffer | null> => {
    const res = await fetchImpl(new URL(name, base), { redirect: 'error', cache: 'no-store' });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const [feed, sig] = await Promise.all([get(feedFile), get(`${feedFile}.sig`)]);
  if (!feed) throw new Error(`${feedFile}: not found on the release server`);
  if (!sig) throw new FeedRefused('no_signature', `${feedFile} is not signed (no ${feedFile}.sig): an unsigned feed is never trusted`);
  return verifyFeed(trust, feed, sig.toString('utf8'));
}

/**
 * electron-updater fetches the feed again itself: what it parsed must be what was verified (same
 * version, same rollback mark, and every file it may download with the same sha512), or the feed was
 * swapped in between.
 */
export function assertSameRelease(
  signed: SignedRelease,
  parsed: { version: string; rollback?: unknown; files: readonly { url: string; sha512: string }[]; path?: string; sha512?: string },
): void {
  const same =
    parsed.version === signed.version &&
    (parsed.rollback === true) === signed.rollback &&
    parsed.files.every((f) => signed.files[f.url] === f.sha512) &&
    (parsed.path === undefined || parsed.sha512 === undefined || signed.files[parsed.path] === parsed.sha512);
  if (!same) throw new FeedRefused('changed_after_check', 'the feed electron-updater read differs from the signed feed that was verified');
}

/** What `npm run dist` builds into the packaged package.json, checked when the app starts. */
export function trustFrom(build: { releaseKey: string | null; minimumVersion: string | null }): FeedTrust | null {
  if (!build.releaseKey || !build.minimumVersion) return null;
  try {
    keyOf({ publicKey: build.releaseKey, minimumVersion: build.minimumVersion });
  } catch {
    return null;
  }
  return { publicKey: build.releaseKey, minimumVersion: build.minimumVersion };
}

/** electron-updater's Windows check: the error text, or null when the installer's signature is accepted. */
export type VerifyCodeSignature = (publisherNames: string[], path: string) => Promise<string | null>;

/**
 * On Windows electron-updater accepts an installer whose Authenticode signature is valid and whose
 * subject name is the publisher's: any certificate issued to that name passes. Pin the exact
 * certificates (their SHA-1 thumbprints, built into the app by `npm run dist` from
 * SCHOOL_STATION_CERT_THUMBPRINTS) on top of that check.
 */
export function pinThumbprints(
  verify: VerifyCodeSignature,
  allowed: readonly string[],
  thumbprintOf: (path: string) => Promise<string | null>,
): VerifyCodeSignature {
  const pinned = new Set(allowed.map((t) => t.replace(/[^0-9a-f]/gi, '').toUpperCase()));
  return async (publisherNames, path) => {
    const failed = await verify(publisherNames, path);
    if (failed !== null) return failed;
    const thumb = (await thumbprintOf(path))?.replace(/[^0-9a-f]/gi, '').toUpperCase() ?? null;
    if (thumb === null) return 'the installer has no signer certificate';
    return pinned.has(thumb) ? null : `the installer is signed with certificate ${thumb}, which is not one this app trusts`;
  };
}
