import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import electronUpdater, { type AppUpdater } from 'electron-updater';
import type { ShiftInfo } from '../common/contract/cashier.ts';
import type { Router } from '../common/contract/router.ts';
import type { ShellContract } from '../common/contract/shell.ts';
import type { StationStatus } from '../common/contract/station.ts';
import { ServerUrl } from '../common/transport.ts';
import { Settings } from '../common/settings.ts';
import type { StationActivity } from '../common/update-policy.ts';
import type { StationLink } from './station-link.ts';
import { trustFrom } from './feed-trust.ts';
import { buildInfoFrom, createUpdateService, type BuildInfo, type UpdaterDeps, type UpdateLogger, type UpdateService } from './updater.ts';

/** What the update policy reads of the settings. */
export type UpdatePolicySettings = ReturnType<UpdaterDeps['settings']>;

/**
 * Glue between the station process and main/updater.ts: the facts the update policy needs (settings,
 * mode, last tap, open shift) come from the station over main's own StationLink; every update state
 * is published on main's Router of the shell contract, and the station process relays it to the
 * windows (station/update-relay.ts); the state, "check now" and "install now" are requests of that
 * contract (common/contract/shell.ts) answered here.
 */

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
  /** Main's Router of the side channel: the update requests are answered and the state published on it. */
  shell: Router<ShellContract>;
}

export interface UpdateWiring {
  readonly service: UpdateService;
  readonly signedBuild: boolean;
  /** The settings the update policy sees now (the station's, with the school's release feed when it has one). */
  policySettings(): UpdatePolicySettings;
  /** Call for every station process main starts (it restarts one that exits). */
  attachStation(link: Pick<StationLink, 'invoke' | 'on'>): void;
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
  // The school's release feed, when its backend sets one, wins over the station's own setting.
  const policySettings = (): UpdatePolicySettings => {
    const feed = schoolFeed();
    return { backendUrl: settings.backendUrl, update: feed ? { ...settings.update, feedUrl: feed } : settings.update, timeZone: school?.timeZone };
  };

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
    settings: policySettings,
    activity: () => ({ ...activity, mode: settings.mode }),
    logger: log,
  });
  const shell = options.shell;
  service.onChange((state) => shell.publish('update.state', state));
  shell.handle('update.getState', () => service.getState());
  // A check that fails is answered with its message; the station names it for the renderer.
  shell.handle('update.checkNow', () => service.checkNow());
  shell.handle('update.forceInstall', () => service.forceInstall());

  return {
    service,
    signedBuild: build.signed,
    policySettings,
    attachStation(link) {
      // Read once at start, then followed: the station publishes every change to every window and to this line.
      link.invoke('settings.get', {}).then(
        (s) => (settings = s),
        () => {}, // a store fault: keep the last settings; the station shows the fault
      );
      link.on('settings.changed', (payload) => {
        const next = Settings.safeParse(payload);
        if (next.success) settings = next.data;
        else log.warn('update: a settings.changed from the station breaks the contract; the last settings stay');
      });
      const readEnrolment = (): void => {
        link.invoke('sync.status', {}).then(
          (s) => (enrolledStationId = s.stationId ?? enrolledStationId),
          () => {},
        );
      };
      readEnrolment();
      link.invoke('cashier.state', {}).then(
        (s) => (activity.shiftOpen = s.shift !== null),
        () => {},
      );
      // Enrolment is followed by a status push; re-read it then. The school's settings ride on every status.
      link.on('station.status', (status) => {
        const s = (status as Partial<StationStatus> | null)?.school;
        if (s) school = { timeZone: s.timeZone, releaseFeed: s.releaseFeed };
        readEnrolment();
      });
      link.on('card.presented', () => (activity.lastTapAt = Date.now()));
      link.on('cashier.shift', (shift) => (activity.shiftOpen = (shift as ShiftInfo | null) !== null));
    },
  };
}
