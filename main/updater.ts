import type { AppUpdater, ProgressInfo, UpdateCheckResult, UpdateInfo } from 'electron-updater';
import { CancellationToken } from 'electron-updater';
import {
  STALL_AFTER_MS,
  channelFeedUrl,
  classifyDownloadError,
  initialUpdateState,
  installVerdict,
  judgeRelease,
  nextCheckAt,
  reduceUpdate,
  rolloutBucket,
  type OfferedRelease,
  type StationActivity,
  type UpdateEvent,
  type UpdateSettings,
  type UpdateState,
} from '../common/update-policy.ts';
import { authenticodeThumbprint } from './authenticode.ts';
import { FeedRefused, assertSameRelease, feedFileFor, fetchSignedFeed, pinThumbprints, type FeedTrust, type VerifyCodeSignature } from './feed-trust.ts';

/**
 * electron-updater wired to the update policy (common/update-policy.ts). This module decides nothing
 * itself: it feeds the policy facts (time, the station's activity, what the feed offers) and carries
 * out its answers (download, wait, install). It does nothing unless the app is packaged and not under
 * a test runner, and it receives every collaborator as a parameter; it does not import electron.
 */

export interface UpdateLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface UpdaterDeps {
  /** electron-updater's `autoUpdater` in the app; a real updater built on a test adapter in tests. */
  updater: AppUpdater;
  /** `app.isPackaged`. */
  isPackaged: boolean;
  /** `process.env`: detects a test runner. */
  env: Readonly<Record<string, string | undefined>>;
  currentVersion: string;
  /** From the build info the dist script writes (see buildInfoFrom). */
  signedBuild: boolean;
  /**
   * The publisher's feed key and the minimum version built into the app (main/feed-trust.ts). A packaged
   * build without it takes no update at all.
   */
  trust: FeedTrust | null;
  /** Which feed file electron-updater reads (latest.yml on Windows, latest-linux.yml on Linux). */
  platform?: NodeJS.Platform;
  /** Fetches the feed and its signature; Node's fetch by default. */
  fetch?: typeof fetch;
  /** Windows: the SHA-1 thumbprints of the certificates an installer may be signed with (built in by dist). */
  certificateThumbprints?: readonly string[];
  /** Windows: reads an installer's signer thumbprint (PowerShell's Get-AuthenticodeSignature by default). */
  thumbprintOf?: (path: string) => Promise<string | null>;
  /** Station id from enrolment, or a per-install id before that: its rollout bucket never changes. */
  stationKey: () => string;
  /** `timeZone`: the school's zone from its backend, for the rush hours (falls back to `deps.timeZone`). */
  settings: () => { backendUrl: string | null; update: UpdateSettings; timeZone?: string | undefined };
  activity: () => StationActivity;
  logger: UpdateLogger;
  now?: () => number;
  /** How often the policy is re-evaluated (stall, quiet window, next check). */
  tickMs?: number;
  stallAfterMs?: number;
  /** The school's IANA zone; undefined: the computer's own. */
  timeZone?: string;
}

export interface UpdateService {
  getState(): UpdateState;
  /** Called with every new state; call getState() first so the first state is never missed. */
  onChange(listener: (state: UpdateState) => void): () => void;
  start(): void;
  stop(): void;
  checkNow(): Promise<UpdateState>;
  /** IT confirmed in setup: install the verified download now, rush hours or not. */
  forceInstall(): { accepted: boolean; reason: 'not_ready' | 'disabled' | null };
}

/** Env variables that mean "running under a test runner": no update checks, ever. */
export function underTestRunner(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.VITEST || env.NODE_ENV === 'test' || env.SCHOOL_STATION_NO_UPDATE || env.PLAYWRIGHT_TEST);
}

/** What the dist script wrote into the packaged package.json (`schoolStationBuild`). */
export interface BuildInfo {
  signed: boolean;
  builtAt: string | null;
  /** The publisher's Ed25519 public key (PEM) that release feeds must be signed with. */
  releaseKey: string | null;
  /** No update may install a version below this. */
  minimumVersion: string | null;
  /** Windows: the thumbprints of the certificates updates may be signed with. */
  certificateThumbprints: string[];
}

export function buildInfoFrom(packageJson: unknown): BuildInfo {
  const b = (
    packageJson as {
      schoolStationBuild?: { signed?: unknown; builtAt?: unknown; releaseKey?: unknown; minimumVersion?: unknown; certificateThumbprints?: unknown };
    } | null
  )?.schoolStationBuild;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);
  const thumbs = Array.isArray(b?.certificateThumbprints) ? b.certificateThumbprints.filter((t): t is string => typeof t === 'string') : [];
  return {
    signed: b?.signed === true,
    builtAt: str(b?.builtAt),
    releaseKey: str(b?.releaseKey),
    minimumVersion: str(b?.minimumVersion),
    certificateThumbprints: thumbs,
  };
}

function offeredFrom(info: UpdateInfo): OfferedRelease & { releaseDate: string | null } {
  const extra = info as UpdateInfo & { rollback?: unknown };
  return {
    version: info.version,
    stagingPercentage: typeof info.stagingPercentage === 'number' ? info.stagingPercentage : null,
    rollback: extra.rollback === true,
    releaseDate: info.releaseDate ?? null,
  };
}

export function createUpdateService(deps: UpdaterDeps): UpdateService {
  const now = deps.now ?? Date.now;
  const tickMs = deps.tickMs ?? 15_000;
  const stallAfterMs = deps.stallAfterMs ?? STALL_AFTER_MS;
  const log = deps.logger;
  const u = deps.updater;
  const listeners = new Set<(s: UpdateState) => void>();
  const startedAt = now();

  const staticDisabled = !deps.isPackaged ? 'not_packaged' : underTestRunner(deps.env) ? 'test_runner' : deps.trust === null ? 'no_release_key' : null;
  const feedFile = feedFileFor(deps.platform ?? process.platform);
  let state = initialUpdateState({
    currentVersion: deps.currentVersion,
    channel: deps.settings().update.channel,
    signedBuild: deps.signedBuild,
    disabledReason: staticDisabled,
  });
  let timer: ReturnType<typeof setInterval> | null = null;
  let feedUrl: string | null | undefined; // undefined: not applied yet
  let lastCheckAt: number | null = null;
  let lastCheckOk = true;
  let checking: Promise<UpdateState> | null = null;
  let download: CancellationToken | null = null;
  let forceRequested = false;

  function set(next: UpdateState): void {
    if (JSON.stringify(next) === JSON.stringify(state)) return;
    state = next;
    for (const l of listeners) {
      try {
        l(state);
      } catch (err) {
        log.error(`update: state listener failed: ${(err as Error).message}`);
      }
    }
  }
  const dispatch = (e: UpdateEvent) => set(reduceUpdate(state, e));

  function scheduleNext(): void {
    const at = nextCheckAt({ startedAt, lastCheckAt, lastCheckOk, intervalHours: deps.settings().update.checkIntervalHours });
    dispatch({ type: 'schedule', nextCheckAt: at });
  }

  /** Points the updater at `<feed>/<channel>/`; the disabled "no feed" state follows the settings. */
  function applyFeed(): boolean {
    const settings = deps.settings();
    if (settings.update.channel !== state.channel) dispatch({ type: 'channel', channel: settings.update.channel });
    const url = channelFeedUrl(settings);
    if (url === feedUrl) return url !== null;
    feedUrl = url;
    if (url === null) {
      log.info('update: no release server configured (no backend URL, no update feed URL); not checking');
      set({
        ...initialUpdateState({
          currentVersion: deps.currentVersion,
          channel: settings.update.channel,
          signedBuild: deps.signedBuild,
          disabledReason: 'no_feed',
        }),
      });
      return false;
    }
    log.info(`update: feed ${url}`);
    // Per-channel folders each hold latest.yml: never set `u.channel` (it would look for beta.yml and allow downgrades).
    u.setFeedURL({ provider: 'generic', url });
    if (state.phase === 'disabled') {
      set(initialUpdateState({ currentVersion: deps.currentVersion, channel: settings.update.channel, signedBuild: deps.signedBuild }));
    }
    lastCheckAt = null; // a new feed or channel: check soon
    scheduleNext();
    return true;
  }

  function configureUpdater(): void {
    const bucket = rolloutBucket(deps.stationKey());
    u.logger = log;
    u.autoDownload = false; // the policy decides, then we download
    u.autoInstallOnAppQuit = false; // install only in a quiet window, never at an arbitrary quit
    u.disableWebInstaller = true;
    // Windows (NsisUpdater): the publisher-name check, then the pinned certificate.
    const thumbprints = deps.certificateThumbprints ?? [];
    const win = u as AppUpdater & { verifyUpdateCodeSignature?: VerifyCodeSignature };
    if ('verifyUpdateCodeSignature' in win && win.verifyUpdateCodeSignature && thumbprints.length > 0) {
      win.verifyUpdateCodeSignature = pinThumbprints(win.verifyUpdateCodeSignature, thumbprints, deps.thumbprintOf ?? authenticodeThumbprint);
      log.info(`update: Windows installers must be signed with one of ${thumbprints.length} pinned certificate(s)`);
    }
    // The policy decides direction (a downgrade only when the feed marks a rollback) and the rollout,
    // through electron-updater's own hook; allowDowngrade lets a marked rollback through its version test.
    u.allowDowngrade = true;
    u.isUserWithinRollout = (info: UpdateInfo) => judgeRelease(deps.currentVersion, offeredFrom(info), bucket).take;
    u.on('download-progress', (p: ProgressInfo) =>
      dispatch({ type: 'progress', at: now(), transferred: p.transferred, total: p.total, bytesPerSecond: p.bytesPerSecond }),
    );
    log.info(`update: rollout bucket ${bucket.toFixed(2)} of 100`);
  }

  async function runCheck(): Promise<UpdateState> {
    if (state.phase === 'disabled' || state.phase === 'downloading' || state.phase === 'installing') return state;
    dispatch({ type: 'check-started', at: now() });
    let result: UpdateCheckResult | null;
    try {
      // The signed feed first: nothing the feed names is fetched unless its signature holds.
      if (!deps.trust || !feedUrl) throw new Error('no release key or feed');
      const signed = await fetchSignedFeed(deps.trust, feedUrl, feedFile, deps.fetch);
      result = await u.checkForUpdates();
      if (result === null) throw new Error('the updater is not active (not packaged)');
      assertSameRelease(signed, result.updateInfo as UpdateInfo & { rollback?: unknown });
    } catch (err) {
      lastCheckAt = now();
      lastCheckOk = false;
      const refused = err instanceof FeedRefused;
      if (refused) log.error(`update: feed refused (${err.reason}): ${err.message}`);
      else log.warn(`update: check failed: ${(err as Error).message}`);
      dispatch({ type: 'check-failed', at: lastCheckAt, message: (err as Error).message, code: refused ? 'feed_untrusted' : 'check_failed' });
      scheduleNext();
      return state;
    }
    lastCheckAt = now();
    lastCheckOk = true;
    const offered = offeredFrom(result.updateInfo);
    const verdict = judgeRelease(deps.currentVersion, offered, rolloutBucket(deps.stationKey()));
    log.info(
      `update: feed offers ${offered.version}${offered.rollback ? ' (rollback)' : ''}, staging ${offered.stagingPercentage ?? 100} %: ` +
        (verdict.take ? `taking it (${verdict.kind})` : `not taking it (${verdict.reason})`),
    );
    const wasReadyFor = state.phase === 'ready' ? state.available?.version : undefined;
    dispatch({ type: 'check-finished', at: lastCheckAt, offered, verdict });
    scheduleNext();
    if (verdict.take && result.isUpdateAvailable && wasReadyFor !== offered.version) startDownload(offered.version);
    return state;
  }

  function startDownload(version: string): void {
    const token = new CancellationToken();
    download = token;
    log.info(`update: downloading ${version}`);
    u.downloadUpdate(token).then(
      () => {
        if (download !== token) return;
        download = null;
        log.info(`update: ${version} downloaded and verified (sha512${process.platform === 'win32' ? ' and publisher signature' : ''})`);
        dispatch({ type: 'downloaded', at: now(), version });
        tick();
      },
      (err: Error & { code?: string }) => {
        if (download !== token) return;
        download = null;
        if (token.cancelled) {
          log.warn(`update: download of ${version} cancelled after it stalled; retrying at the next check`);
          return;
        }
        const code = classifyDownloadError(err.code, err.message);
        log.error(`update: download of ${version} failed (${code}); the file was discarded: ${err.message}`);
        lastCheckOk = false;
        dispatch({ type: 'download-failed', at: now(), code, message: err.message });
        scheduleNext();
      },
    );
  }

  function tick(): void {
    if (staticDisabled) return;
    if (!applyFeed()) return;
    const at = now();
    const settings = deps.settings();
    const force = forceRequested;
    const verdict = installVerdict(
      at,
      deps.activity(),
      { rushHours: settings.update.rushHours, quietAfterTapMinutes: settings.update.quietAfterTapMinutes, timeZone: settings.timeZone ?? deps.timeZone },
      force,
    );
    const before = state.phase;
    dispatch({ type: 'tick', at, install: verdict, stallAfterMs });
    if (before === 'downloading' && state.phase === 'stalled') {
      log.warn(`update: download stalled (${state.error?.message}); the station keeps serving; cancelling and retrying later`);
      download?.cancel();
      lastCheckAt = at;
      lastCheckOk = false;
      scheduleNext();
    }
    if (state.phase === 'ready' && verdict.allowed) {
      forceRequested = false;
      install(verdict.forced);
      return;
    }
    const due = state.nextCheckAt !== null && at >= Date.parse(state.nextCheckAt);
    if (due && !checking) {
      checking = runCheck().finally(() => {
        checking = null;
      });
    }
  }

  function install(forced: boolean): void {
    log.info(`update: installing ${state.available?.version} now${forced ? ' (forced by IT)' : ' (quiet window)'}; the app restarts`);
    dispatch({ type: 'install-started', at: now() });
    try {
      // Silent, and start the station again afterwards.
      u.quitAndInstall(true, true);
      // quitAndInstall quits the app; if the app is still here after a minute, the install did not happen.
      const watchdog = setTimeout(() => {
        if (state.phase === 'installing') {
          log.error('update: the app did not quit to install within 60 s');
          dispatch({ type: 'install-failed', at: now(), message: 'the app did not quit to install' });
        }
      }, 60_000);
      watchdog.unref?.();
    } catch (err) {
      log.error(`update: install failed: ${(err as Error).message}`);
      dispatch({ type: 'install-failed', at: now(), message: (err as Error).message });
    }
  }

  return {
    getState: () => state,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      if (!deps.signedBuild) {
        log.warn('update: THIS BUILD IS NOT CODE-SIGNED. Windows will warn on install and cannot verify the publisher of updates.');
      }
      if (staticDisabled) {
        log.info(`update: disabled (${staticDisabled})`);
        return;
      }
      if (timer) return;
      configureUpdater();
      u.on('error', (err: Error) => {
        log.warn(`update: electron-updater: ${err.message}`);
        // An install that could not start (no dpkg, installer missing, elevation refused) must not leave the
        // state saying "installing" forever.
        if (state.phase === 'installing') dispatch({ type: 'install-failed', at: now(), message: err.message });
      });
      tick();
      timer = setInterval(tick, tickMs);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      download?.cancel();
    },
    async checkNow() {
      if (staticDisabled || !applyFeed()) return state;
      if (checking) return checking;
      checking = runCheck().finally(() => {
        checking = null;
      });
      return checking;
    },
    forceInstall() {
      if (state.phase === 'disabled') return { accepted: false, reason: 'disabled' };
      if (state.phase !== 'ready') return { accepted: false, reason: 'not_ready' };
      log.warn(`update: IT forced the install of ${state.available?.version}`);
      forceRequested = true;
      tick();
      return { accepted: true, reason: null };
    },
  };
}
