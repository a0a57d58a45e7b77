/**
 * Publishes a build into a release channel, or changes the rollout share of what is published.
 *
 *   node server/releases/publish.ts publish --releases <dir> --channel stable --staging 20 [--rollback] <dist-dir>
 *   node server/releases/publish.ts stage   --releases <dir> --channel stable --staging 60
 *   node server/releases/publish.ts keygen  --out <dir>
 *
 * Every feed written is signed: Ed25519 over the file's exact bytes, base64 in `<feed>.sig` beside it,
 * with the publisher's private key (`--key FILE`, or SCHOOL_STATION_RELEASE_PRIVATE_KEY holding the PEM
 * or SCHOOL_STATION_RELEASE_PRIVATE_KEY_FILE naming it). Stations verify it with the public key built
 * into the app (main/feed-trust.ts) before they download anything. `keygen` makes a key pair.
 *
 * `publish` reads the `latest*.yml` that electron-builder wrote into <dist-dir>, checks that every
 * installer it names is there with that exact sha512 and size, copies the installers into the channel
 * folder, and only then writes the channel's feed (atomically), so a station never reads a feed that
 * names a file not yet in place. An older version than the one published is refused unless --rollback.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import yaml from 'js-yaml';
import { compareVersions, type UpdateChannel } from '../../common/update-policy.ts';
import { CHANNELS, FEED_FILE, Feed, sha512OfFile } from './feed.ts';

export class PublishError extends Error {
  override name = 'PublishError';
}

export interface PublishOptions {
  releasesDir: string;
  channel: UpdateChannel;
  distDir: string;
  /** Share of stations (0–100) that take it; 100: every station. */
  stagingPercentage: number;
  /** Mark an older version as a deliberate rollback, so stations on a newer one take it. */
  rollback?: boolean;
  /** The publisher's Ed25519 private key, PEM (PKCS#8). */
  signingKey: string;
}

function signingKeyOf(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new PublishError(`the signing key is not a private key in PEM: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new PublishError(`the signing key is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
  return key;
}

/** Writes a feed and then its signature (a station that reads between the two refuses the pair and retries later). */
async function writeSignedFeed(path: string, feed: Feed, key: KeyObject): Promise<void> {
  const bytes = Buffer.from(yaml.dump(feed, { lineWidth: 8000 }), 'utf8');
  const signature = sign(null, bytes, key).toString('base64');
  await writeAtomically(path, bytes);
  await writeAtomically(`${path}.sig`, `${signature}\n`);
}

/** A new publisher key pair: the private key stays with whoever publishes, the public one goes into builds. */
export async function generateReleaseKeys(outDir: string): Promise<{ privateKey: string; publicKey: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await mkdir(outDir, { recursive: true });
  const priv = join(outDir, 'release-key.pem');
  const pub = join(outDir, 'release-key.pub.pem');
  await writeFile(priv, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    throw new PublishError(err.code === 'EEXIST' ? `${priv} exists already; not overwriting a key` : err.message);
  });
  await writeFile(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateKey: priv, publicKey: pub };
}

export interface PublishReport {
  channel: UpdateChannel;
  version: string;
  feeds: string[];
  files: string[];
}

async function readFeed(path: string): Promise<Feed | null> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (text === null) return null;
  const parsed = Feed.safeParse(yaml.load(text));
  if (!parsed.success)
    throw new PublishError(`${path} is not a valid release feed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

async function writeAtomically(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

function checkStaging(p: number): number {
  if (!Number.isFinite(p) || p < 0 || p > 100) throw new PublishError(`--staging must be a percentage from 0 to 100, got ${p}`);
  return p;
}

function withRollout(feed: Feed, stagingPercentage: number, rollback: boolean): Feed {
  const { stagingPercentage: _s, rollback: _r, ...rest } = feed;
  return {
    ...rest,
    ...(stagingPercentage < 100 ? { stagingPercentage } : {}),
    ...(rollback ? { rollback: true } : {}),
  } as Feed;
}

export async function publishBuild(o: PublishOptions): Promise<PublishReport> {
  if (!CHANNELS.includes(o.channel)) throw new PublishError(`unknown channel "${o.channel}" (${CHANNELS.join(', ')})`);
  const key = signingKeyOf(o.signingKey);
  const staging = checkStaging(o.stagingPercentage);
  const feedNames = (await readdir(o.distDir).catch(() => [] as string[])).filter((f) => FEED_FILE.test(f)).sort();
  if (feedNames.length === 0) throw new PublishError(`no latest*.yml in ${o.distDir}: run "npm run dist" first`);

  const channelDir = join(o.releasesDir, o.channel);
  await mkdir(channelDir, { recursive: true });
  const feeds: { name: string; feed: Feed }[] = [];
  const files = new Set<string>();
  let version: string | null = null;

  for (const name of feedNames) {
    const feed = await readFeed(join(o.distDir, name));
    if (!feed) continue;
    if (version !== null && feed.version !== version) throw new PublishError(`${name} is version ${feed.version}, the other feeds ${version}`);
    version = feed.version;
    for (const f of feed.files) {
      const actual = await sha512OfFile(join(o.distDir, f.url)).catch(() => {
        throw new PublishError(`${name} names ${f.url}, which is not in ${o.distDir}`);
      });
      if (actual.sha512 !== f.sha512 || (f.size !== undefined && actual.size !== f.size)) {
        throw new PublishError(`${f.url} does not match ${name} (sha512 or size differs): was it rebuilt after the feed was written?`);
      }
      files.add(f.url);
    }
    const current = await readFeed(join(channelDir, name));
    if (current && compareVersions(feed.version, current.version) < 0 && !o.rollback) {
      throw new PublishError(`channel ${o.channel} already has ${current.version} in ${name}; publishing the older ${feed.version} needs --rollback`);
    }
    feeds.push({ name, feed });
  }
  if (version === null) throw new PublishError(`no readable feed in ${o.distDir}`);

  // Installers (and their blockmaps) first, each through a temporary name; the feeds last.
  for (const f of files) {
    for (const name of [f, `${f}.blockmap`]) {
      const from = join(o.distDir, name);
      if (!(await stat(from).catch(() => null))?.isFile()) continue;
      const tmp = join(channelDir, `${name}.${process.pid}.tmp`);
      await copyFile(from, tmp);
      await rename(tmp, join(channelDir, name));
    }
  }
  for (const { name, feed } of feeds) {
    await writeSignedFeed(join(channelDir, name), withRollout(feed, staging, o.rollback === true), key);
  }
  return { channel: o.channel, version, feeds: feeds.map((f) => f.name), files: [...files] };
}

/** Changes the rollout share of what a channel already offers (e.g. 10 → 50 → 100). */
export async function setStaging(o: { releasesDir: string; channel: UpdateChannel; stagingPercentage: number; signingKey: string }): Promise<PublishReport> {
  if (!CHANNELS.includes(o.channel)) throw new PublishError(`unknown channel "${o.channel}" (${CHANNELS.join(', ')})`);
  const key = signingKeyOf(o.signingKey);
  const staging = checkStaging(o.stagingPercentage);
  const channelDir = join(o.releasesDir, o.channel);
  const names = (await readdir(channelDir).catch(() => [] as string[])).filter((f) => FEED_FILE.test(f));
  if (names.length === 0) throw new PublishError(`channel ${o.channel} in ${o.releasesDir} has nothing published`);
  let version = '';
  for (const name of names) {
    const feed = (await readFeed(join(channelDir, name)))!;
    version = feed.version;
    await writeSignedFeed(join(channelDir, name), withRollout(feed, staging, feed.rollback === true), key);
  }
  return { channel: o.channel, version, feeds: names, files: [] };
}

const USAGE = `usage:
  node server/releases/publish.ts publish --releases <dir> --channel stable|beta [--staging 0-100] [--rollback] <dist-dir>
  node server/releases/publish.ts stage   --releases <dir> --channel stable|beta --staging 0-100
  node server/releases/publish.ts keygen  --out <dir>
The feed is signed with --key <private-key.pem>, or SCHOOL_STATION_RELEASE_PRIVATE_KEY (the PEM) or
SCHOOL_STATION_RELEASE_PRIVATE_KEY_FILE (its path).`;

async function signingKeyFrom(file: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  const path = file ?? env.SCHOOL_STATION_RELEASE_PRIVATE_KEY_FILE;
  if (path) return await readFile(path, 'utf8');
  if (env.SCHOOL_STATION_RELEASE_PRIVATE_KEY) return env.SCHOOL_STATION_RELEASE_PRIVATE_KEY;
  throw new PublishError('no signing key: give --key <private-key.pem> (make one with `keygen --out <dir>`)');
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      releases: { type: 'string' },
      channel: { type: 'string', default: 'stable' },
      staging: { type: 'string', default: '100' },
      rollback: { type: 'boolean', default: false },
      key: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, dist] = positionals;
  try {
    if (command === 'keygen' && values.out) {
      const keys = await generateReleaseKeys(resolve(values.out));
      console.log(`keygen: private key ${keys.privateKey} (keep it secret, mode 0600); public key ${keys.publicKey}`);
      console.log('Build installers with SCHOOL_STATION_RELEASE_PUBLIC_KEY_FILE set to the public key.');
      return 0;
    }
    if (values.help || !command || !values.releases) {
      console.log(USAGE);
      return values.help ? 0 : 2;
    }
    const channel = values.channel as UpdateChannel;
    const stagingPercentage = Number(values.staging);
    const releasesDir = resolve(values.releases);
    const signingKey = command === 'publish' || command === 'stage' ? await signingKeyFrom(values.key, process.env) : '';
    const report =
      command === 'publish' && dist
        ? await publishBuild({ releasesDir, channel, distDir: resolve(dist), stagingPercentage, rollback: values.rollback, signingKey })
        : command === 'stage'
          ? await setStaging({ releasesDir, channel, stagingPercentage, signingKey })
          : null;
    if (!report) {
      console.error(USAGE);
      return 2;
    }
    console.log(
      `${command}: ${report.channel} → ${report.version}, staging ${stagingPercentage} %${values.rollback ? ', marked as rollback' : ''}` +
        `; feeds ${report.feeds.join(', ')}${report.files.length ? `; files ${report.files.map((f) => basename(f)).join(', ')}` : ''}`,
    );
    return 0;
  } catch (err) {
    if (err instanceof PublishError) {
      console.error(`publish: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
