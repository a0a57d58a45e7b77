/**
 * The release feed end to end, without Electron: the publish CLI writes a channel, the releases plugin
 * serves it on loopback, and electron-updater's own code reads it: its GenericProvider and
 * parseUpdateInfo parse the feed, its download path (HttpExecutor + DigestTransform) verifies the sha512,
 * its DownloadedUpdateHelper re-checks a cached file at the next launch. main/updater.ts drives a real
 * electron-updater DebUpdater through all of it.
 *
 * Boundaries this machine cannot reach, faked and named so: the Electron `app` (TestAppAdapter), Electron's
 * `net` (NodeDownloadExecutor: electron-updater's ElectronHttpExecutor.download, over node:http), and the
 * final `quitAndInstall` (installing a .deb needs root and restarting needs Electron: recorded instead).
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpExecutor, CancellationToken, configureRequestOptions, configureRequestUrl, type DownloadOptions } from 'builder-util-runtime';
import Fastify, { type FastifyInstance } from 'fastify';
import yaml from 'js-yaml';
import { DebUpdater, NsisUpdater, type AppUpdater } from 'electron-updater';
import { GenericProvider } from 'electron-updater/out/providers/GenericProvider.js';
import { parseUpdateInfo } from 'electron-updater/out/providers/Provider.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdateSettings, rolloutBucket, type StationActivity } from '../../common/update-policy.ts';
import { createUpdateService, type UpdateService } from '../../main/updater.ts';
import { releasesPlugin } from '../../server/releases/plugin.ts';
import { PublishError, main as publishCli, publishBuild, setStaging, type PublishOptions } from '../../server/releases/publish.ts';
import type { FeedTrust } from '../../main/feed-trust.ts';

/** The publisher's key pair for this suite; stations get the public half, as a build would carry it. */
const publisherKeys = generateKeyPairSync('ed25519');
const signingKey = publisherKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const trust: FeedTrust = { publicKey: publisherKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(), minimumVersion: '0.1.0' };
const publishSigned = (o: Omit<PublishOptions, 'signingKey'>) => publishBuild({ ...o, signingKey });
const stageSigned = (o: Omit<Parameters<typeof setStaging>[0], 'signingKey'>) => setStaging({ ...o, signingKey });

/** electron-updater's ElectronHttpExecutor.download, with node:http instead of Electron's net. */
class NodeDownloadExecutor extends HttpExecutor<ClientRequest> {
  createRequest(options: RequestOptions, callback: (response: unknown) => void): ClientRequest {
    return httpRequest(options, callback);
  }
  async download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return await options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions = { headers: options.headers || undefined, redirect: 'manual' } as RequestOptions;
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        { destination, options, onCancel, callback: (error) => (error == null ? resolve(destination) : reject(error)), responseHandler: null },
        0,
      );
    });
  }
}

/** Electron's `app` as electron-updater sees it (the AppAdapter interface). */
class TestAppAdapter {
  readonly name = 'school-station';
  readonly isPackaged = true;
  quits = 0;
  readonly version: string;
  readonly appUpdateConfigPath: string;
  readonly userDataPath: string;
  readonly baseCachePath: string;
  constructor(version: string, dir: string) {
    this.version = version;
    this.userDataPath = join(dir, 'user-data');
    this.baseCachePath = join(dir, 'cache');
    this.appUpdateConfigPath = join(dir, 'app-update.yml');
    // What electron-builder writes into resources/app-update.yml (the URL is replaced at run time).
    writeFileSync(this.appUpdateConfigPath, 'provider: generic\nurl: https://updates.invalid/releases/stable\nupdaterCacheDirName: school-station-updater\n');
  }
  whenReady() {
    return Promise.resolve();
  }
  relaunch() {}
  quit() {
    this.quits++;
  }
  onQuit() {}
}

class RecordingDebUpdater extends DebUpdater {
  installs: { isSilent: boolean; isForceRunAfter: boolean }[] = [];
  override quitAndInstall(isSilent = false, isForceRunAfter = false): void {
    this.installs.push({ isSilent, isForceRunAfter });
  }
}

const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('base64');

/** A dist folder as electron-builder leaves it: installers plus latest-linux.yml / latest.yml. */
function makeDist(root: string, version: string): { dir: string; deb: Buffer } {
  const dir = mkdtempSync(join(root, `dist-${version}-`));
  const files: Record<string, Buffer> = {
    [`school-station_${version}_amd64.deb`]: randomBytes(300_000),
    [`school-station-${version}-x86_64.AppImage`]: randomBytes(200_000),
    [`school-station-setup-${version}.exe`]: randomBytes(250_000),
  };
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  const entry = (name: string) => ({ url: name, sha512: sha512(files[name]!), size: files[name]!.length });
  const releaseDate = '2025-03-01T10:00:00.000Z';
  const linux = [`school-station-${version}-x86_64.AppImage`, `school-station_${version}_amd64.deb`];
  writeFileSync(join(dir, 'latest-linux.yml'), yaml.dump({ version, files: linux.map(entry), path: linux[0], sha512: sha512(files[linux[0]!]!), releaseDate }));
  const exe = `school-station-setup-${version}.exe`;
  writeFileSync(join(dir, 'latest.yml'), yaml.dump({ version, files: [entry(exe)], path: exe, sha512: sha512(files[exe]!), releaseDate }));
  return { dir, deb: files[`school-station_${version}_amd64.deb`]! };
}

/** A station key whose rollout bucket is below (or at/above) a percentage. */
function stationKeyWhere(pred: (bucket: number) => boolean): string {
  for (let i = 0; ; i++) if (pred(rolloutBucket(`station-${i}`))) return `station-${i}`;
}

let root: string;
let releases: string;
let server: FastifyInstance;
let base: string;
const served: string[] = [];
let dist030: { dir: string; deb: Buffer };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'release-feed-'));
  releases = join(root, 'releases');
  server = Fastify({ logger: false });
  server.addHook('onRequest', async (req) => {
    served.push(req.url);
  });
  await server.register(releasesPlugin, { root: releases });
  // A mirror that sends the first bytes of an installer and then goes silent (for the stall test).
  server.get('/stalling/stable/:file', async (req, reply) => {
    const file = (req.params as { file: string }).file;
    if (file === 'latest-linux.yml' || file === 'latest-linux.yml.sig') return reply.type('text/plain').send(readFileSync(join(releases, 'stable', file)));
    reply.raw.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(dist030.deb.length) });
    reply.raw.write(dist030.deb.subarray(0, 1000));
    return reply; // never ends
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const addr = server.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  dist030 = makeDist(root, '0.3.0');
});

afterAll(async () => {
  server.server.closeAllConnections();
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

function genericProvider(channel: 'stable' | 'beta', platform: 'linux' | 'win32') {
  return new GenericProvider(
    { provider: 'generic', url: `${base}/releases/${channel}/` },
    { channel: null, isAddNoCacheQuery: false } as unknown as AppUpdater,
    {
      executor: new NodeDownloadExecutor() as never, // stands in for ElectronHttpExecutor
      platform,
      isUseMultipleRangeRequest: false,
    },
  );
}

interface Station {
  updater: RecordingDebUpdater;
  service: UpdateService;
  app: TestAppAdapter;
  log: string[];
  setNow(ms: number): void;
  activity: StationActivity;
}

function station(o: {
  dir: string;
  version: string;
  stationKey: string;
  channelBase?: string;
  stallAfterMs?: number;
  trust?: FeedTrust | null;
  fetch?: typeof fetch;
}): Station {
  const app = new TestAppAdapter(o.version, o.dir);
  const updater = new RecordingDebUpdater(null, app as never);
  (updater as unknown as { httpExecutor: HttpExecutor<ClientRequest> }).httpExecutor = new NodeDownloadExecutor();
  const log: string[] = [];
  let now = Date.parse('2025-03-04T11:00:00+03:00');
  const activity: StationActivity = { mode: 'guard', lastTapAt: null, shiftOpen: false };
  const service = createUpdateService({
    updater,
    isPackaged: true,
    env: {},
    currentVersion: o.version,
    signedBuild: false,
    trust: o.trust === undefined ? trust : o.trust,
    platform: 'linux',
    ...(o.fetch ? { fetch: o.fetch } : {}),
    stationKey: () => o.stationKey,
    // Not parsed: the updater must refuse a plain-HTTP feed on its own, whatever the settings let through.
    settings: () => ({ backendUrl: null, update: { ...UpdateSettings.parse({}), feedUrl: o.channelBase ?? `${base}/releases` } }),
    activity: () => activity,
    logger: { info: (m) => log.push(`info ${m}`), warn: (m) => log.push(`warn ${m}`), error: (m) => log.push(`error ${m}`) },
    now: () => now,
    tickMs: 3_600_000, // ticks are driven by the test through checkNow/forceInstall and the stall test's own clock
    timeZone: 'Europe/Moscow',
    ...(o.stallAfterMs ? { stallAfterMs: o.stallAfterMs } : {}),
  });
  return { updater, service, app, log, activity, setNow: (ms) => (now = ms) };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('publishing and serving a channel', () => {
  it('publishes a build with a staging percentage; electron-updater parses the feed the server serves', async () => {
    const report = await publishSigned({ releasesDir: releases, channel: 'stable', distDir: dist030.dir, stagingPercentage: 30 });
    expect(report).toMatchObject({ channel: 'stable', version: '0.3.0', feeds: ['latest-linux.yml', 'latest.yml'] });

    for (const platform of ['linux', 'win32'] as const) {
      const info = await genericProvider('stable', platform).getLatestVersion();
      expect(info.version).toBe('0.3.0');
      expect(info.stagingPercentage).toBe(30);
      expect(info.files.length).toBe(platform === 'linux' ? 2 : 1);
    }
    // The same text through the parser electron-updater applies to whatever it fetched.
    const text = await (await fetch(`${base}/releases/stable/latest-linux.yml`)).text();
    expect(parseUpdateInfo(text, 'latest-linux.yml', new URL(`${base}/releases/stable/latest-linux.yml`)).version).toBe('0.3.0');
  });

  it('the sha512 in the feed matches every file as served', async () => {
    const provider = genericProvider('stable', 'linux');
    const files = provider.resolveFiles(await provider.getLatestVersion());
    for (const f of files) {
      const body = Buffer.from(await (await fetch(f.url)).arrayBuffer());
      expect(sha512(body)).toBe(f.info.sha512);
      expect(body.length).toBe(f.info.size);
    }
  });

  it("electron-updater's download path rejects a tampered file", async () => {
    const provider = genericProvider('stable', 'linux');
    const [file] = provider.resolveFiles(await provider.getLatestVersion());
    const servedPath = join(releases, 'stable', file!.info.url);
    const original = readFileSync(servedPath);
    const tampered = Buffer.from(original);
    tampered[1000] = tampered[1000]! ^ 0xff;
    writeFileSync(servedPath, tampered);
    try {
      const dest = join(root, 'download.bin');
      await expect(
        new NodeDownloadExecutor().download(file!.url, dest, { sha512: file!.info.sha512, cancellationToken: new CancellationToken() } as DownloadOptions),
      ).rejects.toMatchObject({ code: 'ERR_CHECKSUM_MISMATCH' });
    } finally {
      writeFileSync(servedPath, original);
    }
  });

  it('serves only channel files: no other channel, no path tricks, 404 before the first publish', async () => {
    expect((await fetch(`${base}/releases/nightly/latest.yml`)).status).toBe(404);
    expect((await fetch(`${base}/releases/stable/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    expect((await fetch(`${base}/releases/stable/.hidden`)).status).toBe(404);
    expect((await fetch(`${base}/releases/beta/latest.yml`)).status).toBe(404);
    const head = await fetch(`${base}/releases/stable/latest.yml`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('cache-control')).toBe('no-cache');
  });

  it('refuses a dist whose installer does not match its feed, and an older version without --rollback', async () => {
    const bad = makeDist(root, '0.3.1');
    writeFileSync(join(bad.dir, 'school-station_0.3.1_amd64.deb'), randomBytes(10));
    await expect(publishSigned({ releasesDir: releases, channel: 'stable', distDir: bad.dir, stagingPercentage: 100 })).rejects.toThrow(
      /does not match latest-linux.yml/,
    );
    const older = makeDist(root, '0.2.9');
    await expect(publishSigned({ releasesDir: releases, channel: 'stable', distDir: older.dir, stagingPercentage: 100 })).rejects.toThrow(/needs --rollback/);
    await expect(publishSigned({ releasesDir: releases, channel: 'stable', distDir: join(root, 'nope'), stagingPercentage: 100 })).rejects.toBeInstanceOf(
      PublishError,
    );
    // Nothing of the refused builds reached the channel.
    expect(readdirSync(join(releases, 'stable')).some((f) => f.includes('0.3.1') || f.includes('0.2.9'))).toBe(false);
  });

  it('the CLI publishes into a channel and changes its rollout share', async () => {
    const out: string[] = [];
    const log = console.log;
    console.log = (m: string) => out.push(m);
    try {
      const keyFile = join(root, 'publisher-key.pem');
      writeFileSync(keyFile, signingKey, { mode: 0o600 });
      expect(await publishCli(['publish', '--releases', releases, '--channel', 'beta', '--staging', '10', '--key', keyFile, dist030.dir])).toBe(0);
      expect(await publishCli(['stage', '--releases', releases, '--channel', 'beta', '--staging', '100', '--key', keyFile])).toBe(0);
      // Without a key nothing is published: an unsigned feed would be refused by every station.
      const err = console.error;
      console.error = (m: string) => out.push(m);
      try {
        expect(await publishCli(['stage', '--releases', releases, '--channel', 'beta', '--staging', '50'])).toBe(1);
      } finally {
        console.error = err;
      }
    } finally {
      console.log = log;
    }
    expect(out[0]).toMatch(/publish: beta → 0\.3\.0, staging 10 %/);
    expect(out.at(-1)).toMatch(/no signing key/);
    const info = await genericProvider('beta', 'linux').getLatestVersion();
    expect(info.version).toBe('0.3.0');
    expect(info.stagingPercentage).toBeUndefined(); // 100 %: every station
    await stageSigned({ releasesDir: releases, channel: 'beta', stagingPercentage: 0 });
    expect((await genericProvider('beta', 'linux').getLatestVersion()).stagingPercentage).toBe(0);
  });
});

describe('main/updater.ts driving electron-updater against the server', () => {
  it('a station inside the rollout downloads, verifies, waits out the rush hour, then installs', async () => {
    const dir = mkdtempSync(join(root, 'st-'));
    const s = station({ dir, version: '0.2.0', stationKey: stationKeyWhere((b) => b < 30) });
    s.service.start();
    const states: string[] = [];
    s.service.onChange((st) => states.push(st.phase));
    s.setNow(Date.parse('2025-03-04T08:10:00+03:00')); // morning rush
    await s.service.checkNow();
    await until(() => s.service.getState().phase === 'ready');
    expect(s.service.getState()).toMatchObject({
      available: { version: '0.3.0', kind: 'upgrade' },
      waitingFor: 'rush_hours',
      installAt: new Date(Date.parse('2025-03-04T09:30:00+03:00')).toISOString(),
    });
    expect(states).toEqual(expect.arrayContaining(['checking', 'downloading', 'ready']));
    expect(s.updater.installs).toEqual([]);
    // The verified file sits in electron-updater's cache with the feed's sha512.
    const pending = join(s.app.baseCachePath, 'school-station-updater', 'pending');
    expect(sha512(readFileSync(join(pending, 'school-station_0.3.0_amd64.deb')))).toBe(sha512(dist030.deb));

    await s.service.checkNow(); // the same version offered again: still ready, not downloaded twice
    expect(s.service.getState().phase).toBe('ready');
    s.service.stop(); // power cut before the quiet window came

    const again = station({ dir, version: '0.2.0', stationKey: stationKeyWhere((b) => b < 30) });
    again.setNow(Date.parse('2025-03-04T10:00:00+03:00'));
    const before = served.length;
    again.service.start();
    await again.service.checkNow();
    await until(() => again.updater.installs.length === 1 || again.service.getState().phase === 'error');
    // Next launch: the cached file was re-checked against the feed and reused, not downloaded again.
    expect(served.slice(before).filter((u) => u.endsWith('.deb'))).toEqual([]);
    expect(again.updater.installs).toEqual([{ isSilent: true, isForceRunAfter: true }]);
    expect(again.service.getState().phase).toBe('installing');
    expect(again.log.join('\n')).toMatch(/THIS BUILD IS NOT CODE-SIGNED/);
    again.service.stop();
  });

  it('a tampered cached file is discarded at the next launch and downloaded again', async () => {
    const dir = mkdtempSync(join(root, 'st-'));
    const key = stationKeyWhere((b) => b < 30);
    const first = station({ dir, version: '0.2.0', stationKey: key });
    first.setNow(Date.parse('2025-03-04T08:00:00+03:00'));
    first.service.start();
    await first.service.checkNow();
    await until(() => first.service.getState().phase === 'ready');
    first.service.stop();
    const cached = join(first.app.baseCachePath, 'school-station-updater', 'pending', 'school-station_0.3.0_amd64.deb');
    writeFileSync(cached, randomBytes(300_000)); // power loss, disk error or tampering

    const second = station({ dir, version: '0.2.0', stationKey: key });
    second.setNow(Date.parse('2025-03-04T08:00:00+03:00'));
    const before = served.length;
    second.service.start();
    await second.service.checkNow();
    await until(() => second.service.getState().phase === 'ready');
    expect(served.slice(before).filter((u) => u.endsWith('.deb')).length).toBe(1);
    expect(sha512(readFileSync(cached))).toBe(sha512(dist030.deb));
    second.service.stop();
  });

  it('a tampered file on the server fails verification: discarded, reported, nothing installed', async () => {
    const servedPath = join(releases, 'stable', 'school-station_0.3.0_amd64.deb');
    const original = readFileSync(servedPath);
    writeFileSync(servedPath, Buffer.concat([original.subarray(0, 5000), randomBytes(original.length - 5000)]));
    try {
      const s = station({ dir: mkdtempSync(join(root, 'st-')), version: '0.2.0', stationKey: stationKeyWhere((b) => b < 30) });
      s.activity.mode = 'unset'; // would install at once if it could
      s.service.start();
      await s.service.checkNow();
      await until(() => s.service.getState().phase === 'error');
      expect(s.service.getState().error).toMatchObject({ code: 'checksum_mismatch' });
      expect(s.updater.installs).toEqual([]);
      const pending = join(s.app.baseCachePath, 'school-station-updater', 'pending');
      expect(existsSync(pending) ? readdirSync(pending).filter((f) => f.endsWith('.deb')) : []).toEqual([]);
      expect(s.log.join('\n')).toMatch(/failed \(checksum_mismatch\); the file was discarded/);
      s.service.stop();
    } finally {
      writeFileSync(servedPath, original);
    }
  });

  it('a station outside the staged rollout does not take the release', async () => {
    const s = station({ dir: mkdtempSync(join(root, 'st-')), version: '0.2.0', stationKey: stationKeyWhere((b) => b >= 30) });
    s.service.start();
    await s.service.checkNow();
    expect(s.service.getState()).toMatchObject({ phase: 'idle', available: null });
    expect(s.log.join('\n')).toMatch(/not taking it \(outside_rollout\)/);
    s.service.stop();
  });

  it('never downgrades, unless the channel marks the older build as a rollback', async () => {
    const key = stationKeyWhere(() => true);
    const newer = station({ dir: mkdtempSync(join(root, 'st-')), version: '0.4.0', stationKey: key });
    newer.activity.mode = 'unset';
    newer.service.start();
    await newer.service.checkNow();
    expect(newer.service.getState().phase).toBe('idle');
    expect(newer.log.join('\n')).toMatch(/not taking it \(older_without_rollback\)/);
    newer.service.stop();

    await stageSigned({ releasesDir: releases, channel: 'stable', stagingPercentage: 100 });
    const rolled = join(root, 'rollback-releases');
    await publishSigned({ releasesDir: rolled, channel: 'stable', distDir: makeDist(root, '0.4.0').dir, stagingPercentage: 100 });
    await publishSigned({ releasesDir: rolled, channel: 'stable', distDir: dist030.dir, stagingPercentage: 100, rollback: true });
    const local = Fastify({ logger: false });
    await local.register(releasesPlugin, { root: rolled });
    await local.listen({ host: '127.0.0.1', port: 0 });
    try {
      const addr = local.server.address();
      const s = station({
        dir: mkdtempSync(join(root, 'st-')),
        version: '0.4.0',
        stationKey: key,
        channelBase: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/releases`,
      });
      s.activity.mode = 'unset';
      s.service.start();
      await s.service.checkNow();
      await until(() => s.updater.installs.length === 1);
      expect(s.service.getState()).toMatchObject({ phase: 'installing', available: { version: '0.3.0', kind: 'rollback' } });
      s.service.stop();
    } finally {
      await local.close();
    }
  });

  it('a cashier with an open shift waits; IT can force the install', async () => {
    const s = station({ dir: mkdtempSync(join(root, 'st-')), version: '0.2.0', stationKey: stationKeyWhere(() => true) });
    s.activity.mode = 'cashier';
    s.activity.shiftOpen = true;
    expect(s.service.forceInstall()).toEqual({ accepted: false, reason: 'not_ready' });
    s.service.start();
    await s.service.checkNow();
    await until(() => s.service.getState().phase === 'ready');
    expect(s.service.getState()).toMatchObject({ waitingFor: 'open_shift', installAt: null });
    expect(s.updater.installs).toEqual([]);
    expect(s.service.forceInstall()).toEqual({ accepted: true, reason: null });
    expect(s.updater.installs.length).toBe(1);
    expect(s.log.join('\n')).toMatch(/IT forced the install of 0\.3\.0/);
    // The installer could not start (here: electron-updater reports an error instead of quitting).
    s.updater.emit('error', new Error('dpkg: requested operation requires superuser privilege'));
    expect(s.service.getState()).toMatchObject({ phase: 'error', error: { code: 'install_failed' } });
    s.service.stop();
  });

  it('a download that stalls is reported and cancelled; the station is not held up', async () => {
    const s = station({
      dir: mkdtempSync(join(root, 'st-')),
      version: '0.2.0',
      stationKey: stationKeyWhere(() => true),
      channelBase: `${base}/stalling`,
      stallAfterMs: 400,
    });
    // This station runs on the real clock with fast ticks.
    const service = createUpdateService({
      updater: s.updater,
      isPackaged: true,
      env: {},
      currentVersion: '0.2.0',
      signedBuild: true,
      trust,
      platform: 'linux',
      stationKey: () => 'station-stall',
      settings: () => ({ backendUrl: null, update: UpdateSettings.parse({ feedUrl: `${base}/stalling` }) }),
      activity: () => ({ mode: 'unset', lastTapAt: null, shiftOpen: false }),
      logger: { info: () => {}, warn: (m) => s.log.push(`warn ${m}`), error: (m) => s.log.push(`error ${m}`) },
      tickMs: 50,
      stallAfterMs: 400,
    });
    service.start();
    await service.checkNow();
    expect(service.getState().phase).toBe('downloading');
    await until(() => service.getState().phase === 'stalled', 5_000);
    expect(service.getState().error?.code).toBe('download_stalled');
    expect(s.log.join('\n')).toMatch(/download stalled .* the station keeps serving/);
    await until(() => s.log.some((l) => /cancelled after it stalled/.test(l)), 5_000);
    expect(s.updater.installs).toEqual([]);
    service.stop();
  });

  it('does nothing when not packaged or under a test runner', async () => {
    const s = station({ dir: mkdtempSync(join(root, 'st-')), version: '0.2.0', stationKey: 'x' });
    for (const [isPackaged, env, reason] of [
      [false, {}, 'not_packaged'],
      [true, { VITEST: 'true' }, 'test_runner'],
      [true, { SCHOOL_STATION_NO_UPDATE: '1' }, 'test_runner'],
    ] as const) {
      const before = served.length;
      const svc = createUpdateService({
        updater: s.updater,
        isPackaged,
        env,
        currentVersion: '0.2.0',
        signedBuild: true,
        trust,
        stationKey: () => 'x',
        settings: () => ({ backendUrl: null, update: UpdateSettings.parse({ feedUrl: `${base}/releases` }) }),
        activity: () => ({ mode: 'unset', lastTapAt: null, shiftOpen: false }),
        logger: { info: () => {}, warn: () => {}, error: () => {} },
      });
      svc.start();
      expect((await svc.checkNow()).phase).toBe('disabled');
      expect(svc.getState().disabledReason).toBe(reason);
      expect(served.length).toBe(before);
      svc.stop();
    }
  });

  it('with no backend and no feed URL configured it says so and does not check', async () => {
    const s = station({ dir: mkdtempSync(join(root, 'st-')), version: '0.2.0', stationKey: 'x' });
    const svc = createUpdateService({
      updater: s.updater,
      isPackaged: true,
      env: {},
      currentVersion: '0.2.0',
      signedBuild: true,
      trust,
      stationKey: () => 'x',
      settings: () => ({ backendUrl: null, update: UpdateSettings.parse({}) }),
      activity: () => ({ mode: 'unset', lastTapAt: null, shiftOpen: false }),
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
    svc.start();
    expect(svc.getState()).toMatchObject({ phase: 'disabled', disabledReason: 'no_feed' });
    svc.stop();
  });
});

describe('a feed the station cannot trust is refused by the updater before anything is downloaded', () => {
  /** A channel of its own on a server of its own, so the attack cannot disturb the other tests' channel. */
  async function channelServer(prepare: (channelDir: string) => Promise<void> | void): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
    const dir = mkdtempSync(join(root, 'attack-'));
    await publishSigned({ releasesDir: dir, channel: 'stable', distDir: dist030.dir, stagingPercentage: 100 });
    await prepare(join(dir, 'stable'));
    const seen: string[] = [];
    const app = Fastify({ logger: false });
    app.addHook('onRequest', async (req) => {
      seen.push(req.url);
    });
    await app.register(releasesPlugin, { root: dir });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    const close = async () => {
      app.server.closeAllConnections(); // keep-alive sockets of fetch would hold close() open
      await app.close();
    };
    return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/releases`, seen, close };
  }

  async function attempt(o: { channelBase: string; version?: string; trust?: FeedTrust | null; fetch?: typeof fetch }) {
    const s = station({ dir: mkdtempSync(join(root, 'st-')), version: o.version ?? '0.2.0', stationKey: stationKeyWhere(() => true), ...o });
    s.activity.mode = 'unset'; // would install at once if it took anything
    s.service.start();
    await s.service.checkNow();
    const result = { state: s.service.getState(), log: s.log.join('\n'), installs: s.updater.installs.length };
    s.service.stop();
    return result;
  }

  /** Requests for anything but the feed and its signature (electron-updater adds a no-cache query). */
  const downloads = (seen: string[]) => seen.filter((u) => !/\/latest-linux\.yml(\.sig)?(\?.*)?$/.test(u));

  it('an unsigned feed (no .sig)', async () => {
    const ch = await channelServer((d) => rmSync(join(d, 'latest-linux.yml.sig')));
    try {
      const r = await attempt({ channelBase: ch.url });
      expect(r.state).toMatchObject({ phase: 'error', available: null, error: { code: 'feed_untrusted' } });
      expect(r.log).toMatch(/feed refused \(no_signature\)/);
      expect(downloads(ch.seen)).toEqual([]);
      expect(r.installs).toBe(0);
    } finally {
      await ch.close();
    }
  });

  it("a feed changed after it was signed (another installer's sha512 put in)", async () => {
    const ch = await channelServer((d) => {
      const feed = readFileSync(join(d, 'latest-linux.yml'), 'utf8');
      const evil = sha512(randomBytes(300_000));
      writeFileSync(join(d, 'latest-linux.yml'), feed.replace(/sha512: .*/g, `sha512: ${evil}`));
    });
    try {
      const r = await attempt({ channelBase: ch.url });
      expect(r.state).toMatchObject({ phase: 'error', error: { code: 'feed_untrusted' } });
      expect(r.log).toMatch(/feed refused \(bad_signature\)/);
      expect(downloads(ch.seen)).toEqual([]);
    } finally {
      await ch.close();
    }
  });

  it('a feed signed with a key that is not the one built into the app', async () => {
    const ch = await channelServer(() => {});
    try {
      const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const r = await attempt({ channelBase: ch.url, trust: { publicKey: other, minimumVersion: '0.1.0' } });
      expect(r.state).toMatchObject({ phase: 'error', error: { code: 'feed_untrusted' } });
      expect(downloads(ch.seen)).toEqual([]);
    } finally {
      await ch.close();
    }
  });

  it('a signed rollback below the minimum version built into the app', async () => {
    const dir = mkdtempSync(join(root, 'attack-'));
    await publishSigned({ releasesDir: dir, channel: 'stable', distDir: makeDist(root, '0.4.0').dir, stagingPercentage: 100 });
    await publishSigned({ releasesDir: dir, channel: 'stable', distDir: dist030.dir, stagingPercentage: 100, rollback: true });
    const app = Fastify({ logger: false });
    const seen: string[] = [];
    app.addHook('onRequest', async (req) => {
      seen.push(req.url);
    });
    await app.register(releasesPlugin, { root: dir });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const addr = app.server.address();
      const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/releases`;
      const r = await attempt({ channelBase: url, version: '0.4.0', trust: { ...trust, minimumVersion: '0.3.5' } });
      expect(r.state).toMatchObject({ phase: 'error', available: null, error: { code: 'feed_untrusted' } });
      expect(r.log).toMatch(/feed refused \(below_minimum\): the feed offers 0\.3\.0, below the minimum version 0\.3\.5/);
      expect(downloads(seen)).toEqual([]);
      expect(r.installs).toBe(0);
    } finally {
      app.server.closeAllConnections();
      await app.close();
    }
  });

  it('an unmarked downgrade in a validly signed feed is still not taken', async () => {
    const ch = await channelServer(() => {});
    try {
      const r = await attempt({ channelBase: ch.url, version: '0.4.0' });
      expect(r.state).toMatchObject({ phase: 'idle', available: null });
      expect(r.log).toMatch(/not taking it \(older_without_rollback\)/);
      expect(downloads(ch.seen)).toEqual([]);
    } finally {
      await ch.close();
    }
  });

  it('a feed over plain HTTP to another computer: no request is made at all', async () => {
    let asked = 0;
    const r = await attempt({
      channelBase: 'http://updates.school.invalid/releases',
      fetch: (() => {
        asked++;
        return Promise.reject(new Error('must not be called'));
      }) as typeof fetch,
    });
    expect(r.state).toMatchObject({ phase: 'error', error: { code: 'feed_untrusted' } });
    expect(r.log).toMatch(/feed refused \(insecure_transport\)/);
    expect(asked).toBe(0);
  });

  it("a feed swapped between the signature check and electron-updater's own read", async () => {
    const ch = await channelServer(() => {});
    const signedOld = mkdtempSync(join(root, 'attack-'));
    await publishSigned({ releasesDir: signedOld, channel: 'stable', distDir: makeDist(root, '0.3.0').dir, stagingPercentage: 100 });
    try {
      // The verification sees one validly signed feed; the server then serves another (other files).
      const r = await attempt({
        channelBase: ch.url,
        fetch: (async (url: URL | string) => {
          const name = String(url).split('/').pop() ?? '';
          return new Response(readFileSync(join(signedOld, 'stable', name)));
        }) as typeof fetch,
      });
      expect(r.state).toMatchObject({ phase: 'error', error: { code: 'feed_untrusted' } });
      expect(r.log).toMatch(/feed refused \(changed_after_check\)/);
      expect(downloads(ch.seen)).toEqual([]);
    } finally {
      await ch.close();
    }
  });

  it('a packaged build without a publisher key takes no update and says why', async () => {
    const ch = await channelServer(() => {});
    try {
      const r = await attempt({ channelBase: ch.url, trust: null });
      expect(r.state).toMatchObject({ phase: 'disabled', disabledReason: 'no_release_key' });
      expect(ch.seen).toEqual([]);
    } finally {
      await ch.close();
    }
  });
});

describe('Windows installers must carry a pinned certificate', () => {
  it('the publisher-name check passes only with a certificate whose thumbprint is built in', async () => {
    const app = new TestAppAdapter('0.2.0', mkdtempSync(join(root, 'win-')));
    const updater = new NsisUpdater(null, app as never);
    // Authenticode itself runs only on Windows: a named stand-in that accepts every file by name,
    // as the real check does for any certificate issued to the publisher's name.
    const acceptedByName: string[] = [];
    updater.verifyUpdateCodeSignature = async (_names, path) => {
      acceptedByName.push(path);
      return path.includes('unsigned') ? 'not signed' : null;
    };
    const thumbprints: Record<string, string> = { 'ours.exe': 'AB:CD:EF:01', 'impostor.exe': '99 88 77 66' };
    const service = createUpdateService({
      updater,
      isPackaged: true,
      env: {},
      currentVersion: '0.2.0',
      signedBuild: true,
      trust,
      certificateThumbprints: ['abcdef01'],
      thumbprintOf: async (path) => thumbprints[path.split('/').pop() ?? ''] ?? null,
      stationKey: () => 'win',
      settings: () => ({ backendUrl: null, update: UpdateSettings.parse({ feedUrl: `${base}/releases` }) }),
      activity: () => ({ mode: 'unset', lastTapAt: null, shiftOpen: false }),
      logger: { info: () => {}, warn: () => {}, error: () => {} },
      tickMs: 3_600_000,
    });
    service.start();
    try {
      const verify = updater.verifyUpdateCodeSignature;
      expect(await verify(['School Station Ltd'], '/cache/ours.exe')).toBeNull();
      expect(await verify(['School Station Ltd'], '/cache/impostor.exe')).toMatch(/signed with certificate 99887766, which is not one this app trusts/);
      expect(await verify(['School Station Ltd'], '/cache/unsigned.exe')).toBe('not signed');
      expect(acceptedByName).toEqual(['/cache/ours.exe', '/cache/impostor.exe', '/cache/unsigned.exe']);
    } finally {
      service.stop();
    }
  });
});

describe('the reference server', () => {
  it('serves the release folders when started with releasesDir', async () => {
    const { buildApp } = await import('../../server/app.ts');
    const { Repo } = await import('../../server/repo.ts');
    const { openSqliteDatabase } = await import('../../server/storage/sqlite.ts');
    const db = await openSqliteDatabase(join(root, 'server.sqlite'));
    const { app } = buildApp({ repo: new Repo(db), logger: false, releasesDir: releases });
    try {
      const res = await app.inject({ method: 'GET', url: '/releases/stable/latest-linux.yml' });
      expect(res.statusCode).toBe(200);
      expect((yaml.load(res.body) as { version: string }).version).toBe('0.3.0');
    } finally {
      await app.close();
      await db.close();
    }
  });
});
