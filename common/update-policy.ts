import { z } from 'zod';
import { ServerUrl } from './transport.ts';
import { UtcInstant } from './domain.ts';

/**
 * The update policy: when a station checks for a new build, which release it takes, and when it may
 * restart to install it. Pure: every function takes the time and the station's situation as arguments,
 * so the Electron shell (main/updater.ts) only feeds it facts and carries out its answers.
 */

export const UpdateChannel = z.enum(['stable', 'beta']);
export type UpdateChannel = z.infer<typeof UpdateChannel>;

/** A local wall-clock time, "HH:MM", 24-hour. */
export const HmTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM (24-hour)');

/** A daily window during which the guard's screen must not restart; `to` before `from` wraps midnight. */
export const RushWindow = z
  .object({ from: HmTime, to: HmTime })
  .strict()
  .refine((w) => w.from !== w.to, 'a rush window must not be empty');
export type RushWindow = z.infer<typeof RushWindow>;

export const DEFAULT_RUSH_HOURS: readonly RushWindow[] = [
  { from: '07:00', to: '09:30' },
  { from: '13:00', to: '15:00' },
];
export const DEFAULT_CHECK_INTERVAL_HOURS = 4;
export const DEFAULT_QUIET_AFTER_TAP_MINUTES = 5;
/** First check this long after start, so a station that just booted serves its first taps undisturbed. */
export const FIRST_CHECK_DELAY_MS = 60_000;
/** A failed check is retried sooner than the regular interval (but never more often than this). */
export const RETRY_AFTER_FAILURE_MS = 15 * 60_000;
/** A download that moves no byte for this long is reported as stalled. */
export const STALL_AFTER_MS = 2 * 60_000;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// ---------------------------------------------------------------- checks

export interface CheckSchedule {
  /** When the updater started (station launch). */
  startedAt: number;
  /** When the last check finished, null before the first one. */
  lastCheckAt: number | null;
  lastCheckOk: boolean;
  intervalHours: number;
}

/** When the next check is due: shortly after start, then every `intervalHours`, sooner after a failure. */
export function nextCheckAt(s: CheckSchedule): number {
  if (s.lastCheckAt === null) return s.startedAt + FIRST_CHECK_DELAY_MS;
  const interval = Math.max(1, s.intervalHours) * HOUR;
  return s.lastCheckAt + (s.lastCheckOk ? interval : Math.min(interval, RETRY_AFTER_FAILURE_MS));
}

// ---------------------------------------------------------------- versions

interface ParsedVersion {
  core: [number, number, number];
  pre: (string | number)[];
}

const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/;

export function parseVersion(v: string): ParsedVersion | null {
  const m = SEMVER.exec(v.trim());
  if (!m) return null;
  return {
    core: [Number(m[1]), Number(m[2]), Number(m[3])],
    pre: m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [],
  };
}

/** Semantic-version precedence (semver.org §11): -1, 0 or 1. Throws on a string that is not a version. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) throw new Error(`not a semantic version: ${!pa ? a : b}`);
  for (let i = 0; i < 3; i++) {
    if (pa.core[i]! !== pb.core[i]!) return pa.core[i]! < pb.core[i]! ? -1 : 1;
  }
  if (pa.pre.length === 0 || pb.pre.length === 0) {
    if (pa.pre.length === pb.pre.length) return 0;
    return pa.pre.length === 0 ? 1 : -1; // a release outranks its pre-releases
  }
  for (let i = 0; i < Math.max(pa.pre.length, pb.pre.length); i++) {
    const x = pa.pre[i];
    const y = pb.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    if (typeof x === 'number') return -1; // numeric identifiers rank below alphanumeric ones
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

// ---------------------------------------------------------------- staged rollout

/**
 * The station's place in every staged rollout, in [0, 100): a stable hash (FNV-1a, 32 bit) of its key
 * (the station id from enrolment, or the install id before that). The same station keeps its place,
 * so raising `stagingPercentage` from 10 to 50 keeps the first 10 % and adds more.
 */
export function rolloutBucket(stationKey: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stationKey.length; i++) {
    h ^= stationKey.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 10_000) / 100;
}

export function inRollout(bucket: number, stagingPercentage: number | null | undefined): boolean {
  if (stagingPercentage === null || stagingPercentage === undefined || Number.isNaN(stagingPercentage)) return true;
  return bucket < Math.min(100, Math.max(0, stagingPercentage));
}

// ---------------------------------------------------------------- which release

/** What the feed offers, as electron-updater parsed it from latest.yml (our own `rollback` field included). */
export interface OfferedRelease {
  version: string;
  stagingPercentage?: number | null;
  /** Set by the publisher when an older build is pushed on purpose to undo a bad one. */
  rollback?: boolean | null;
}

export type ReleaseVerdict =
  { take: true; kind: 'upgrade' | 'rollback' } | { take: false; reason: 'same_version' | 'older_without_rollback' | 'outside_rollout' | 'invalid_version' };

/** Never a downgrade unless the feed marks the release as a rollback; a staged release only inside the rollout. */
export function judgeRelease(currentVersion: string, offered: OfferedRelease, bucket: number): ReleaseVerdict {
  if (!parseVersion(offered.version) || !parseVersion(currentVersion)) return { take: false, reason: 'invalid_version' };
  const order = compareVersions(offered.version, currentVersion);
  if (order === 0) return { take: false, reason: 'same_version' };
  if (order < 0 && offered.rollback !== true) return { take: false, reason: 'older_without_rollback' };
  if (!inRollout(bucket, offered.stagingPercentage)) return { take: false, reason: 'outside_rollout' };
  return { take: true, kind: order > 0 ? 'upgrade' : 'rollback' };
}

// ---------------------------------------------------------------- when to install

export type StationModeForUpdate = 'unset' | 'guard' | 'cashier';

export interface StationActivity {
  mode: StationModeForUpdate;
  /** The last card tap at this station (epoch ms), null if none since start. */
  lastTapAt: number | null;
  /** A cashier shift is open. */
  shiftOpen: boolean;
}

export interface InstallRules {
  rushHours: readonly RushWindow[];
  quietAfterTapMinutes: number;
  /** IANA zone of the school; undefined: the station computer's own zone. */
  timeZone?: string | undefined;
}

export type WaitingFor = 'rush_hours' | 'recent_tap' | 'open_shift';

export type InstallVerdict =
  | { allowed: true; forced: boolean }
  | { allowed: false; waitingFor: WaitingFor; /** earliest moment it may install, if it can be known */ installAt: number | null };

function hm(t: string): number {
  return Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
}

const dayTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** Milliseconds since local midnight in the given zone. */
export function localTimeOfDayMs(at: number, timeZone?: string): number {
  const key = timeZone ?? '';
  let f = dayTimeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    dayTimeFormats.set(key, f);
  }
  const parts = f.formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000 + (((at % 1000) + 1000) % 1000);
}

/** The rush window `at` falls in (start inclusive, end exclusive) and how long until it ends; null outside. */
export function rushWindowAt(at: number, rules: Pick<InstallRules, 'rushHours' | 'timeZone'>): { window: RushWindow; endsInMs: number } | null {
  const day = 24 * HOUR;
  const t = localTimeOfDayMs(at, rules.timeZone);
  for (const w of rules.rushHours) {
    const from = hm(w.from) * MINUTE;
    const to = hm(w.to) * MINUTE;
    const inside = from < to ? t >= from && t < to : t >= from || t < to;
    if (inside) return { window: w, endsInMs: (to - t + day) % day || day };
  }
  return null;
}

/**
 * May the station restart to install now? Guard: not in a rush window and no tap for a few minutes.
 * Cashier: no open shift. A station not yet set up: any time. IT's forced install: always.
 */
export function installVerdict(now: number, activity: StationActivity, rules: InstallRules, force = false): InstallVerdict {
  if (force) return { allowed: true, forced: true };
  if (activity.mode === 'cashier') {
    return activity.shiftOpen ? { allowed: false, waitingFor: 'open_shift', installAt: null } : { allowed: true, forced: false };
  }
  if (activity.mode !== 'guard') return { allowed: true, forced: false };
  const quietMs = Math.max(0, rules.quietAfterTapMinutes) * MINUTE;
  const rush = rushWindowAt(now, rules);
  const tapQuietAt = activity.lastTapAt === null ? now : activity.lastTapAt + quietMs;
  if (!rush && tapQuietAt <= now) return { allowed: true, forced: false };
  return { allowed: false, waitingFor: rush ? 'rush_hours' : 'recent_tap', installAt: earliestGuardInstall(now, tapQuietAt, rules) };
}

/** The first moment at or after `notBefore` outside every rush window (assuming no further taps). */
function earliestGuardInstall(now: number, notBefore: number, rules: InstallRules): number {
  let t = Math.max(now, notBefore);
  // Windows may touch each other (09:30–10:00 after 07:00–09:30): hop until outside all of them.
  for (let i = 0; i <= rules.rushHours.length; i++) {
    const rush = rushWindowAt(t, rules);
    if (!rush) return t;
    t += rush.endsInMs;
  }
  return t;
}

// ---------------------------------------------------------------- state

export const UpdatePhase = z.enum(['disabled', 'idle', 'checking', 'downloading', 'stalled', 'ready', 'installing', 'error']);
export type UpdatePhase = z.infer<typeof UpdatePhase>;

export const UpdateErrorCode = z.enum([
  'check_failed',
  'download_failed',
  'checksum_mismatch',
  'signature_invalid',
  'download_stalled',
  'install_failed',
  'feed_untrusted',
]);
export type UpdateErrorCode = z.infer<typeof UpdateErrorCode>;

/** What the status bar, the setup screen and the About view show; codes only, the renderer translates. */
export const UpdateState = z.object({
  phase: UpdatePhase,
  /** browser_host: the browser host has no updater; waiting_for_shell: the Electron shell has not told the station yet. */
  disabledReason: z.enum(['not_packaged', 'test_runner', 'no_feed', 'no_release_key', 'browser_host', 'waiting_for_shell']).nullable(),
  currentVersion: z.string(),
  channel: UpdateChannel,
  /** False: this build was not code-signed; the About view says so. */
  signedBuild: z.boolean(),
  available: z.object({ version: z.string(), kind: z.enum(['upgrade', 'rollback']), releaseDate: z.string().nullable() }).nullable(),
  progress: z
    .object({
      percent: z.number().min(0).max(100),
      transferred: z.number().nonnegative(),
      total: z.number().nonnegative(),
      bytesPerSecond: z.number().nonnegative(),
    })
    .nullable(),
  lastProgressAt: UtcInstant.nullable(),
  /** Downloaded and verified, waiting for a quiet moment: why, and when it expects to install. */
  waitingFor: z.enum(['rush_hours', 'recent_tap', 'open_shift']).nullable(),
  installAt: UtcInstant.nullable(),
  lastCheckAt: UtcInstant.nullable(),
  nextCheckAt: UtcInstant.nullable(),
  error: z.object({ code: UpdateErrorCode, message: z.string(), at: UtcInstant }).nullable(),
});
export type UpdateState = z.infer<typeof UpdateState>;

export function initialUpdateState(init: {
  currentVersion: string;
  channel: UpdateChannel;
  signedBuild: boolean;
  disabledReason?: UpdateState['disabledReason'];
}): UpdateState {
  return {
    phase: init.disabledReason ? 'disabled' : 'idle',
    disabledReason: init.disabledReason ?? null,
    currentVersion: init.currentVersion,
    channel: init.channel,
    signedBuild: init.signedBuild,
    available: null,
    progress: null,
    lastProgressAt: null,
    waitingFor: null,
    installAt: null,
    lastCheckAt: null,
    nextCheckAt: null,
    error: null,
  };
}

export type UpdateEvent =
  | { type: 'check-started'; at: number }
  | { type: 'check-finished'; at: number; offered: OfferedRelease & { releaseDate?: string | null }; verdict: ReleaseVerdict }
  | { type: 'check-failed'; at: number; message: string; code?: Extract<UpdateErrorCode, 'check_failed' | 'feed_untrusted'> }
  | { type: 'progress'; at: number; transferred: number; total: number; bytesPerSecond: number }
  | { type: 'downloaded'; at: number; version: string }
  | { type: 'download-failed'; at: number; code: Extract<UpdateErrorCode, 'download_failed' | 'checksum_mismatch' | 'signature_invalid'>; message: string }
  | { type: 'tick'; at: number; install: InstallVerdict; stallAfterMs?: number }
  | { type: 'install-started'; at: number }
  | { type: 'install-failed'; at: number; message: string }
  | { type: 'schedule'; nextCheckAt: number | null }
  | { type: 'channel'; channel: UpdateChannel };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Every transition of the update state in one pure function. A disabled updater stays disabled.
 * A new check never throws away a verified download of the same version.
 */
export function reduceUpdate(s: UpdateState, e: UpdateEvent): UpdateState {
  if (s.phase === 'disabled') return e.type === 'channel' ? { ...s, channel: e.channel } : s;
  switch (e.type) {
    case 'channel':
      return { ...s, channel: e.channel };
    case 'schedule':
      return { ...s, nextCheckAt: e.nextCheckAt === null ? null : iso(e.nextCheckAt) };
    case 'check-started':
      if (s.phase === 'downloading' || s.phase === 'installing') return s;
      return s.phase === 'ready' ? s : { ...s, phase: 'checking' };
    case 'check-finished': {
      const base = { ...s, lastCheckAt: iso(e.at), error: null };
      if (!e.verdict.take) {
        // Still ready with a verified file: a later "nothing newer" does not discard it.
        if (s.phase === 'ready') return { ...base, phase: 'ready' };
        return { ...base, phase: 'idle', available: null, progress: null, waitingFor: null, installAt: null };
      }
      if (s.phase === 'ready' && s.available?.version === e.offered.version) return { ...base, phase: 'ready' };
      return {
        ...base,
        phase: 'downloading',
        available: { version: e.offered.version, kind: e.verdict.kind, releaseDate: e.offered.releaseDate ?? null },
        progress: null,
        lastProgressAt: iso(e.at),
        waitingFor: null,
        installAt: null,
      };
    }
    case 'check-failed': {
      const error = { code: e.code ?? 'check_failed', message: e.message, at: iso(e.at) };
      if (s.phase === 'ready') return { ...s, lastCheckAt: iso(e.at), error };
      return { ...s, phase: 'error', lastCheckAt: iso(e.at), error };
    }
    case 'progress': {
      if (s.phase !== 'downloading' && s.phase !== 'stalled') return s;
      const percent = e.total > 0 ? Math.min(100, (e.transferred / e.total) * 100) : 0;
      return {
        ...s,
        phase: 'downloading',
        error: s.phase === 'stalled' ? null : s.error,
        progress: { percent, transferred: e.transferred, total: e.total, bytesPerSecond: e.bytesPerSecond },
        lastProgressAt: iso(e.at),
      };
    }
    case 'downloaded':
      return { ...s, phase: 'ready', error: null, progress: s.progress && { ...s.progress, percent: 100 }, lastProgressAt: iso(e.at) };
    case 'download-failed':
      return {
        ...s,
        phase: 'error',
        progress: null,
        waitingFor: null,
        installAt: null,
        error: { code: e.code, message: e.message, at: iso(e.at) },
      };
    case 'tick': {
      if (s.phase === 'downloading') {
        const last = s.lastProgressAt ? Date.parse(s.lastProgressAt) : e.at;
        if (e.at - last >= (e.stallAfterMs ?? STALL_AFTER_MS)) {
          return {
            ...s,
            phase: 'stalled',
            error: { code: 'download_stalled', message: `no data for ${Math.round((e.at - last) / 1000)} s`, at: iso(e.at) },
          };
        }
        return s;
      }
      if (s.phase !== 'ready') return s;
      if (e.install.allowed) return { ...s, waitingFor: null, installAt: iso(e.at) };
      return { ...s, waitingFor: e.install.waitingFor, installAt: e.install.installAt === null ? null : iso(e.install.installAt) };
    }
    case 'install-started':
      return s.phase === 'ready' ? { ...s, phase: 'installing', waitingFor: null, installAt: iso(e.at) } : s;
    case 'install-failed':
      return { ...s, phase: 'error', error: { code: 'install_failed', message: e.message, at: iso(e.at) } };
  }
}

/** Maps an electron-updater error to our code; the message stays for IT's log. */
export function classifyDownloadError(code: string | undefined, message: string): 'download_failed' | 'checksum_mismatch' | 'signature_invalid' {
  if (code === 'ERR_CHECKSUM_MISMATCH' || /checksum mismatch/i.test(message)) return 'checksum_mismatch';
  if (code === 'ERR_UPDATER_INVALID_SIGNATURE' || /not signed by the application owner/i.test(message)) return 'signature_invalid';
  return 'download_failed';
}

// ---------------------------------------------------------------- settings

/** The station's update settings (`settings.update`); every field has a default so old documents still parse. */
export const UpdateSettings = z
  .object({
    channel: UpdateChannel.default('stable'),
    checkIntervalHours: z.number().min(1).max(168).default(DEFAULT_CHECK_INTERVAL_HOURS),
    rushHours: z
      .array(RushWindow)
      .max(8)
      .default(() => DEFAULT_RUSH_HOURS.map((w) => ({ ...w }))),
    quietAfterTapMinutes: z.number().int().min(0).max(60).default(DEFAULT_QUIET_AFTER_TAP_MINUTES),
    /** The release server's base URL (channel folders below it); null: `<backendUrl>/releases`. */
    feedUrl: ServerUrl.nullable().default(null),
  })
  .strict();
export type UpdateSettings = z.infer<typeof UpdateSettings>;

/** The generic-provider URL for a channel: `<base>/<channel>/`, where latest.yml and the installers sit. */
export function channelFeedUrl(settings: { backendUrl: string | null; update: UpdateSettings }): string | null {
  const base = settings.update.feedUrl ?? (settings.backendUrl ? `${settings.backendUrl.replace(/\/+$/, '')}/releases` : null);
  return base === null ? null : `${base.replace(/\/+$/, '')}/${settings.update.channel}/`;
}
