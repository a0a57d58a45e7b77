import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import electronUpdater, { type AppUpdater } from 'electron-updater';
import type { ShiftInfo } from '../common/contract/cashier.ts';
import { serveShellCall, type ShellChild } from '../common/contract/shell-link.ts';
import type { ShellUpdateState } from '../common/contract/shell.ts';
import type { StationStatus } from '../common/contract/station.ts';
import { ServerUrl } from '../common/transport.ts';
import { Settings } from '../common/settings.ts';
import type { StationActivity } from '../common/update-policy.ts';
import type { StationLink } from './station-link.ts';
import { trustFrom } from './feed-trust.ts';
import { buildInfoFrom, createUpdateService, type BuildInfo, type UpdateLogger, type UpdateService } from './updater.ts';

/**
 * Glue between the station process and main/updater.ts: the facts the update policy needs (settings,
 * mode, last tap, open shift) come from the station over main's own StationLink; every update state
 * goes to the station process, which relays it to the windows (station/update-relay.ts); "check now" and
 * "install now" come back from the station as `update.call` calls (common/contract/shell.ts).
 */

/** The parts of Electron's UtilityProcess used here. */
export type StationChild = ShellChild;

export interface UpdateWiringOptions {
  isPackaged: boolean;
  version: string;
  /** `app.getAppPath()`: its package.json carries the build stamp (signed or not). */
  appPath: string;
  /** `app.getPath('userData')`: keeps the per-install id. */
  userData: string;
  env: Readonly<Record<string, string | undefined>>;
  logger: UpdateLogger;
  /** Default: electron-updater's `autoUpdater` for this platform. */
  updater?: AppUpdater;
}

export interface UpdateWiring {
  readonly service: UpdateService;
  readonly signedBuild: boolean;
  /** Call for every station process main starts (it restarts one that exits). */
  attachStation(child: StationChild, link: Pick<StationLink, 'invoke' | 'on'>): void;
}

/** A random id made once per installation, so the rollout bucket never changes between launches. */
export function installId(userData: string): string {
  const file = join(userData, 'install-id');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return id;
  } catch {
    // first launch
  }
  const id = randomUUID();
  mkdirSync(userData, { recursive: true });
  writeFileSync(file, `${id}\n`);
  return id;
}

function readBuildInfo(appPath: string): BuildInfo {
  try {
    return buildInfoFrom(JSON.parse(readFileSync(join(appPath, 'package.json'), 'utf8')));
  } catch {
    return { signed: false, builtAt: null, releaseKey: null, minimumVersion: null, certificateThumbprints: [] };
  }
}

export function wireUpdates(options: UpdateWiringOptions): UpdateWiring {
  const log = options.logger;
  const build = readBuildInfo(options.appPath);
  const installKey = installId(options.userData);
  let enrolledStationId: string | null = null;
  let settings: Settings = Settings.parse({});
  // The school's settings from its backend, as the station's status pushes carry them.
  let school: Pick<StationStatus['school'], 'timeZone' | 'releaseFeed'> | null = null;
  let refusedFeed: string | null = null;
  const schoolFeed = (): string | null => {
    const feed = school?.releaseFeed ?? null;
    if (feed === null) return null;
    if (ServerUrl.safeParse(feed).success) return feed;
    if (refusedFeed === feed) return null;
    refusedFeed = feed;
    log.warn(`update: the school's release feed is not an allowed address (https://, or http:// only to this computer); using the station's own`);
    return null;
  };
  const activity: StationActivity = { mode: 'unset', lastTapAt: null, shiftOpen: false };
  let child: StationChild | null = null;

  const service = createUpdateService({
    // electron-updater is CommonJS and builds `autoUpdater` lazily for the platform (not a named ESM export).
    updater: options.updater ?? electronUpdater.autoUpdater,
    isPackaged: options.isPackaged,
    env: options.env,
    currentVersion: options.version,
    signedBuild: build.signed,
    trust: trustFrom(build),
    certificateThumbprints: build.certificateThumbprints,
    // The enrolment id once the station is enrolled; before that the per-install id.
    stationKey: () => enrolledStationId ?? installKey,
    // The school's release feed, when its backend sets one, wins over the station's own setting.
    settings: () => {
      const feed = schoolFeed();
      return { backendUrl: settings.backendUrl, update: feed ? { ...settings.update, feedUrl: feed } : settings.update, timeZone: school?.timeZone };
    },
    activity: () => ({ ...activity, mode: settings.mode }),
    logger: log,
  });
  service.onChange((state) => child?.postMessage({ type: 'update.state', state } satisfies ShellUpdateState));

  return {
    service,
    signedBuild: build.signed,
    attachStation(next, link) {
      child = next;
      // The state first (the station shows "waiting for the shell" until it arrives), then the facts.
      next.postMessage({ type: 'update.state', state: service.getState() } satisfies ShellUpdateState);
      serveShellCall(
        next,
        'update.call',
        // A check that fails is answered with its message; the station names it for the renderer.
        ({ name }) => (name === 'update.checkNow' ? service.checkNow() : service.forceInstall()),
        (m) => log.warn(m),
      );
      const refreshSettings = (): void => {
        link.invoke('settings.get', {}).then(
          (s) => (settings = s),
          () => {}, // a store fault: keep the last settings; the station shows the fault
        );
        link.invoke('sync.status', {}).then(
          (s) => (enrolledStationId = s.stationId ?? enrolledStationId),
          () => {},
        );
      };
      refreshSettings();
      link.invoke('cashier.state', {}).then(
        (s) => (activity.shiftOpen = s.shift !== null),
        () => {},
      );
      // Settings changes and enrolment are followed by a status push; re-read them then.
      link.on('station.status', (status) => {
        const s = (status as Partial<StationStatus> | null)?.school;
        if (s) school = { timeZone: s.timeZone, releaseFeed: s.releaseFeed };
        refreshSettings();
      });
      link.on('card.presented', () => (activity.lastTapAt = Date.now()));
      link.on('cashier.shift', (shift) => (activity.shiftOpen = (shift as ShiftInfo | null) !== null));
    },
  };
}
