import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, Settings } from '../../common/settings.ts';
import {
  DEFAULT_RUSH_HOURS,
  FIRST_CHECK_DELAY_MS,
  RETRY_AFTER_FAILURE_MS,
  STALL_AFTER_MS,
  UpdateSettings,
  UpdateState,
  channelFeedUrl,
  classifyDownloadError,
  compareVersions,
  inRollout,
  initialUpdateState,
  installVerdict,
  judgeRelease,
  nextCheckAt,
  reduceUpdate,
  rolloutBucket,
  rushWindowAt,
  type InstallRules,
  type StationActivity,
} from '../../common/update-policy.ts';

// electron-updater's own version comparison (no bundled types; only compare is used).
const semver = createRequire(import.meta.url)('semver') as { compare(a: string, b: string): -1 | 0 | 1 };

const TZ = 'Europe/Moscow'; // UTC+3 all year
/** An instant at a Moscow wall-clock time on a school day. */
const msk = (hhmm: string, day = '2025-03-04', seconds = 0) => Date.parse(`${day}T${hhmm}:${String(seconds).padStart(2, '0')}+03:00`);
const MIN = 60_000;
const rules: InstallRules = { rushHours: DEFAULT_RUSH_HOURS, quietAfterTapMinutes: 5, timeZone: TZ };
const guard = (lastTapAt: number | null = null): StationActivity => ({ mode: 'guard', lastTapAt, shiftOpen: false });

describe('install window: guard mode', () => {
  it('refuses during the morning rush, with the rush end as the install time', () => {
    const v = installVerdict(msk('08:15'), guard(), rules);
    expect(v).toEqual({ allowed: false, waitingFor: 'rush_hours', installAt: msk('09:30') });
  });

  it('treats a rush window as start-inclusive and end-exclusive (clock edges)', () => {
    expect(installVerdict(msk('06:59', undefined, 59), guard(), rules).allowed).toBe(true);
    expect(installVerdict(msk('07:00'), guard(), rules)).toMatchObject({ allowed: false, waitingFor: 'rush_hours' });
    expect(installVerdict(msk('09:29', undefined, 59), guard(), rules)).toMatchObject({ allowed: false, installAt: msk('09:30') });
    expect(installVerdict(msk('09:30'), guard(), rules).allowed).toBe(true);
    expect(installVerdict(msk('12:59', undefined, 59), guard(), rules).allowed).toBe(true);
    expect(installVerdict(msk('13:00'), guard(), rules)).toMatchObject({ allowed: false, installAt: msk('15:00') });
    expect(installVerdict(msk('15:00'), guard(), rules).allowed).toBe(true);
  });

  it('waits for a few quiet minutes after the last tap, outside rush hours', () => {
    const now = msk('11:00');
    const v = installVerdict(now, guard(now - 2 * MIN), rules);
    expect(v).toEqual({ allowed: false, waitingFor: 'recent_tap', installAt: now + 3 * MIN });
    expect(installVerdict(now, guard(now - 5 * MIN), rules).allowed).toBe(true);
    expect(installVerdict(now, guard(now - 5 * MIN + 1), rules).allowed).toBe(false);
  });

  it('a quiet period that would end inside a rush window moves the install to the end of that window', () => {
    const now = msk('06:58');
    const v = installVerdict(now, guard(now - MIN), rules); // quiet at 07:02, inside 07:00–09:30
    expect(v).toEqual({ allowed: false, waitingFor: 'recent_tap', installAt: msk('09:30') });
  });

  it('hops over windows that touch each other', () => {
    const touching: InstallRules = {
      ...rules,
      rushHours: [
        { from: '07:00', to: '09:30' },
        { from: '09:30', to: '10:00' },
      ],
    };
    expect(installVerdict(msk('08:00'), guard(), touching)).toMatchObject({ installAt: msk('10:00') });
  });

  it('supports a window across midnight', () => {
    const night: InstallRules = { ...rules, rushHours: [{ from: '22:00', to: '02:00' }] };
    expect(installVerdict(msk('23:30'), guard(), night)).toMatchObject({ allowed: false, installAt: msk('02:00', '2025-03-05') });
    expect(installVerdict(msk('01:00'), guard(), night)).toMatchObject({ allowed: false, installAt: msk('02:00') });
    expect(installVerdict(msk('02:00'), guard(), night).allowed).toBe(true);
    expect(installVerdict(msk('21:59'), guard(), night).allowed).toBe(true);
  });

  it('reads rush hours in the school time zone, across a DST change', () => {
    const berlin: InstallRules = { ...rules, timeZone: 'Europe/Berlin' };
    // 2025-03-31 is after the spring change: 08:00 in Berlin is 06:00 UTC.
    expect(installVerdict(Date.parse('2025-03-31T06:00:00Z'), guard(), berlin).allowed).toBe(false);
    // 2025-03-28 is before it: 06:00 UTC is 07:00 in Berlin, inside the window; 05:59 UTC is 06:59, outside.
    expect(installVerdict(Date.parse('2025-03-28T06:00:00Z'), guard(), berlin).allowed).toBe(false);
    expect(installVerdict(Date.parse('2025-03-28T05:59:00Z'), guard(), berlin).allowed).toBe(true);
  });

  it('with no rush hours configured only the quiet period counts', () => {
    const none: InstallRules = { ...rules, rushHours: [] };
    expect(installVerdict(msk('08:00'), guard(), none).allowed).toBe(true);
  });

  it('rushWindowAt says which window and how long until it ends', () => {
    expect(rushWindowAt(msk('14:30'), rules)).toEqual({ window: { from: '13:00', to: '15:00' }, endsInMs: 30 * MIN });
    expect(rushWindowAt(msk('10:00'), rules)).toBeNull();
  });
});

describe('install window: cashier, unset, forced', () => {
  it('a cashier station installs only with no open shift, at any hour', () => {
    expect(installVerdict(msk('12:00'), { mode: 'cashier', lastTapAt: null, shiftOpen: true }, rules)).toEqual({
      allowed: false,
      waitingFor: 'open_shift',
      installAt: null,
    });
    expect(installVerdict(msk('08:00'), { mode: 'cashier', lastTapAt: msk('07:59'), shiftOpen: false }, rules).allowed).toBe(true);
  });

  it('a station not set up yet installs at once', () => {
    expect(installVerdict(msk('08:00'), { mode: 'unset', lastTapAt: null, shiftOpen: false }, rules).allowed).toBe(true);
  });

  it('IT forcing the install overrides rush hours, taps and open shifts', () => {
    expect(installVerdict(msk('08:00'), guard(msk('07:59')), rules, true)).toEqual({ allowed: true, forced: true });
    expect(installVerdict(msk('12:00'), { mode: 'cashier', lastTapAt: null, shiftOpen: true }, rules, true).allowed).toBe(true);
  });
});

describe('checks', () => {
  const startedAt = msk('06:00');
  it('checks shortly after start, then every interval, sooner after a failure', () => {
    expect(nextCheckAt({ startedAt, lastCheckAt: null, lastCheckOk: true, intervalHours: 4 })).toBe(startedAt + FIRST_CHECK_DELAY_MS);
    expect(nextCheckAt({ startedAt, lastCheckAt: msk('07:00'), lastCheckOk: true, intervalHours: 4 })).toBe(msk('11:00'));
    expect(nextCheckAt({ startedAt, lastCheckAt: msk('07:00'), lastCheckOk: false, intervalHours: 4 })).toBe(msk('07:00') + RETRY_AFTER_FAILURE_MS);
    expect(nextCheckAt({ startedAt, lastCheckAt: msk('07:00'), lastCheckOk: true, intervalHours: 0 })).toBe(msk('08:00'));
  });
});

describe('versions and releases', () => {
  const versions = [
    '0.1.0',
    '0.1.1',
    '0.2.0-alpha',
    '0.2.0-alpha.1',
    '0.2.0-alpha.beta',
    '0.2.0-beta',
    '0.2.0-beta.2',
    '0.2.0-beta.11',
    '0.2.0-rc.1',
    '0.2.0',
    '1.0.0',
    '10.0.0',
    '1.10.0',
  ];
  it('orders versions exactly as the semver package (which electron-updater uses) does', () => {
    for (const a of versions) for (const b of versions) expect([a, b, compareVersions(a, b)]).toEqual([a, b, semver.compare(a, b)]);
    expect(compareVersions('1.0.0+build.5', '1.0.0')).toBe(0);
    expect(() => compareVersions('1.0', '1.0.0')).toThrow(/not a semantic version/);
  });

  it('takes a newer release, never an older one unless the feed marks a rollback', () => {
    expect(judgeRelease('0.2.0', { version: '0.3.0' }, 50)).toEqual({ take: true, kind: 'upgrade' });
    expect(judgeRelease('0.2.0', { version: '0.2.0' }, 50)).toEqual({ take: false, reason: 'same_version' });
    expect(judgeRelease('0.2.0', { version: '0.1.9' }, 50)).toEqual({ take: false, reason: 'older_without_rollback' });
    expect(judgeRelease('0.2.0', { version: '0.1.9', rollback: false }, 50)).toEqual({ take: false, reason: 'older_without_rollback' });
    expect(judgeRelease('0.2.0', { version: '0.1.9', rollback: true }, 50)).toEqual({ take: true, kind: 'rollback' });
    expect(judgeRelease('0.2.0', { version: 'latest' }, 50)).toEqual({ take: false, reason: 'invalid_version' });
    // A beta station switched back to stable waits for stable to pass it rather than downgrade.
    expect(judgeRelease('0.3.0-beta.2', { version: '0.2.5' }, 50)).toEqual({ take: false, reason: 'older_without_rollback' });
  });

  it('a staged release reaches only stations whose bucket is below the percentage', () => {
    expect(judgeRelease('0.2.0', { version: '0.3.0', stagingPercentage: 10 }, 9.99)).toEqual({ take: true, kind: 'upgrade' });
    expect(judgeRelease('0.2.0', { version: '0.3.0', stagingPercentage: 10 }, 10)).toEqual({ take: false, reason: 'outside_rollout' });
    expect(inRollout(99.99, 100)).toBe(true);
    expect(inRollout(0, 0)).toBe(false);
    expect(inRollout(42, null)).toBe(true);
    expect(inRollout(42, Number.NaN)).toBe(true);
  });

  it('the rollout bucket is stable per station and spreads stations evenly', () => {
    expect(rolloutBucket('station-42')).toBe(rolloutBucket('station-42'));
    const buckets = Array.from({ length: 5000 }, (_, i) => rolloutBucket(`0190f0c2-7c1e-7abc-9def-${String(i).padStart(12, '0')}`));
    expect(buckets.every((b) => b >= 0 && b < 100)).toBe(true);
    for (const pct of [10, 25, 50]) {
      const share = buckets.filter((b) => inRollout(b, pct)).length / buckets.length;
      expect(Math.abs(share - pct / 100)).toBeLessThan(0.03);
    }
    // Raising the percentage keeps every station that already had the release.
    const at10 = buckets.map((b) => inRollout(b, 10));
    const at50 = buckets.map((b) => inRollout(b, 50));
    expect(at10.every((x, i) => !x || at50[i])).toBe(true);
  });
});

describe('update state transitions', () => {
  const base = initialUpdateState({ currentVersion: '0.2.0', channel: 'stable', signedBuild: true });
  const offered = { version: '0.3.0', stagingPercentage: 100, releaseDate: '2025-03-01T00:00:00.000Z' };
  const take = { take: true, kind: 'upgrade' } as const;
  const t0 = msk('10:00');
  const downloading = reduceUpdate(reduceUpdate(base, { type: 'check-started', at: t0 }), { type: 'check-finished', at: t0, offered, verdict: take });
  const ready = reduceUpdate(downloading, { type: 'downloaded', at: t0 + MIN, version: '0.3.0' });

  it('every state the reducer produces is a valid bridge payload', () => {
    for (const s of [base, downloading, ready]) expect(UpdateState.parse(s)).toEqual(s);
  });

  it('idle → checking → idle when nothing newer is offered', () => {
    const checking = reduceUpdate(base, { type: 'check-started', at: t0 });
    expect(checking.phase).toBe('checking');
    const idle = reduceUpdate(checking, { type: 'check-finished', at: t0, offered: { version: '0.2.0' }, verdict: { take: false, reason: 'same_version' } });
    expect(idle).toMatchObject({ phase: 'idle', available: null, lastCheckAt: new Date(t0).toISOString() });
  });

  it('checking → downloading → progress → ready', () => {
    expect(downloading).toMatchObject({ phase: 'downloading', available: { version: '0.3.0', kind: 'upgrade' } });
    const p = reduceUpdate(downloading, { type: 'progress', at: t0 + 1000, transferred: 25, total: 100, bytesPerSecond: 25 });
    expect(p.progress).toEqual({ percent: 25, transferred: 25, total: 100, bytesPerSecond: 25 });
    expect(ready).toMatchObject({ phase: 'ready', error: null });
  });

  it('a check that fails reports why and leaves a ready download alone', () => {
    const failed = reduceUpdate(reduceUpdate(base, { type: 'check-started', at: t0 }), { type: 'check-failed', at: t0, message: 'ECONNREFUSED' });
    expect(failed).toMatchObject({ phase: 'error', error: { code: 'check_failed', message: 'ECONNREFUSED' } });
    const stillReady = reduceUpdate(ready, { type: 'check-failed', at: t0, message: 'offline' });
    expect(stillReady.phase).toBe('ready');
    expect(stillReady.error?.code).toBe('check_failed');
  });

  it('a later check offering nothing newer, or the same version, keeps the verified download', () => {
    const again = reduceUpdate(reduceUpdate(ready, { type: 'check-started', at: t0 + 4 * 60 * MIN }), {
      type: 'check-finished',
      at: t0 + 4 * 60 * MIN,
      offered,
      verdict: { take: false, reason: 'outside_rollout' },
    });
    expect(again.phase).toBe('ready');
    const same = reduceUpdate(ready, { type: 'check-finished', at: t0, offered, verdict: take });
    expect(same.phase).toBe('ready');
    const newer = reduceUpdate(ready, { type: 'check-finished', at: t0, offered: { version: '0.3.1' }, verdict: take });
    expect(newer).toMatchObject({ phase: 'downloading', available: { version: '0.3.1' } });
  });

  it('a download with no data for the stall time is reported; fresh progress clears it', () => {
    const quiet = reduceUpdate(downloading, { type: 'tick', at: t0 + STALL_AFTER_MS - 1, install: { allowed: true, forced: false } });
    expect(quiet.phase).toBe('downloading');
    const stalled = reduceUpdate(downloading, { type: 'tick', at: t0 + STALL_AFTER_MS, install: { allowed: true, forced: false } });
    expect(stalled).toMatchObject({ phase: 'stalled', error: { code: 'download_stalled', message: 'no data for 120 s' } });
    const moving = reduceUpdate(stalled, { type: 'progress', at: t0 + STALL_AFTER_MS + 1, transferred: 5, total: 10, bytesPerSecond: 1 });
    expect(moving).toMatchObject({ phase: 'downloading', error: null });
  });

  it('a failed verification discards the download and says why', () => {
    const bad = reduceUpdate(downloading, { type: 'download-failed', at: t0, code: 'checksum_mismatch', message: 'sha512 checksum mismatch' });
    expect(bad).toMatchObject({ phase: 'error', progress: null, error: { code: 'checksum_mismatch' } });
    expect(classifyDownloadError('ERR_CHECKSUM_MISMATCH', 'x')).toBe('checksum_mismatch');
    expect(classifyDownloadError('ERR_UPDATER_INVALID_SIGNATURE', 'x')).toBe('signature_invalid');
    expect(classifyDownloadError(undefined, 'New version 0.3.0 is not signed by the application owner: …')).toBe('signature_invalid');
    expect(classifyDownloadError('ECONNRESET', 'socket hang up')).toBe('download_failed');
  });

  it('ready shows "will install at …" while waiting, then installs', () => {
    const waiting = reduceUpdate(ready, { type: 'tick', at: msk('08:00'), install: installVerdict(msk('08:00'), guard(), rules) });
    expect(waiting).toMatchObject({ phase: 'ready', waitingFor: 'rush_hours', installAt: new Date(msk('09:30')).toISOString() });
    const shift = reduceUpdate(ready, { type: 'tick', at: t0, install: { allowed: false, waitingFor: 'open_shift', installAt: null } });
    expect(shift).toMatchObject({ waitingFor: 'open_shift', installAt: null });
    const installing = reduceUpdate(waiting, { type: 'install-started', at: msk('09:30') });
    expect(installing).toMatchObject({ phase: 'installing', waitingFor: null });
    expect(reduceUpdate(installing, { type: 'install-failed', at: msk('09:31'), message: 'EPERM' })).toMatchObject({
      phase: 'error',
      error: { code: 'install_failed' },
    });
    // install-started only from ready
    expect(reduceUpdate(downloading, { type: 'install-started', at: t0 }).phase).toBe('downloading');
  });

  it('a disabled updater stays disabled whatever happens', () => {
    const off = initialUpdateState({ currentVersion: '0.2.0', channel: 'stable', signedBuild: false, disabledReason: 'not_packaged' });
    expect(reduceUpdate(off, { type: 'check-started', at: t0 })).toBe(off);
    expect(reduceUpdate(off, { type: 'channel', channel: 'beta' })).toMatchObject({ phase: 'disabled', channel: 'beta' });
  });
});

describe('update settings', () => {
  it('old settings documents without an update section still parse, with the documented defaults', () => {
    const old = Settings.parse({ mode: 'guard', locale: 'en' });
    expect(old.update).toEqual({
      channel: 'stable',
      checkIntervalHours: 4,
      rushHours: [
        { from: '07:00', to: '09:30' },
        { from: '13:00', to: '15:00' },
      ],
      quietAfterTapMinutes: 5,
      feedUrl: null,
    });
    expect(DEFAULT_SETTINGS.update.channel).toBe('stable');
  });

  it('rejects a malformed rush window or channel with the field named', () => {
    expect(UpdateSettings.safeParse({ rushHours: [{ from: '7:00', to: '09:30' }] }).success).toBe(false);
    expect(UpdateSettings.safeParse({ rushHours: [{ from: '09:30', to: '09:30' }] }).success).toBe(false);
    const r = UpdateSettings.safeParse({ channel: 'nightly' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['channel']);
  });

  it('the feed URL is the channel folder under the release server, or under the backend', () => {
    const update = UpdateSettings.parse({});
    expect(channelFeedUrl({ backendUrl: null, update })).toBeNull();
    expect(channelFeedUrl({ backendUrl: 'https://school.example/api/', update })).toBe('https://school.example/api/releases/stable/');
    expect(channelFeedUrl({ backendUrl: null, update: { ...update, channel: 'beta', feedUrl: 'http://10.0.0.5:8080/rel' } })).toBe(
      'http://10.0.0.5:8080/rel/beta/',
    );
  });
});
