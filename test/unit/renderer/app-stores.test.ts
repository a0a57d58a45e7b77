import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StationStatus } from '../../../common/contract/index.ts';
import { Settings } from '../../../common/settings.ts';
import { DEFAULT_SCHOOL_SETTINGS } from '../../../common/sync-api.ts';
import { initialUpdateState } from '../../../common/update-policy.ts';
import { installContractFakeStation, type ContractFakeStation } from './contract-fake-station.ts';

const settle = () => new Promise((r) => setTimeout(r, 0));
const status = (over: Partial<StationStatus> = {}): StationStatus => ({
  readers: [],
  sync: {
    state: 'not_configured',
    backendUrl: null,
    stationId: null,
    needsEnrollment: false,
    lastSyncAt: null,
    lastErrorCode: null,
    lastError: null,
    eventsWaiting: 3,
    needsAttention: 0,
    clockOffsetMs: 0,
    clockWarning: false,
    progress: null,
  },
  fault: null,
  version: '1.2.3',
  demo: false,
  heldEvents: [],
  school: DEFAULT_SCHOOL_SETTINGS,
  ...over,
});

let fake: ContractFakeStation;
let settings: Settings;
beforeEach(() => {
  vi.resetModules();
  settings = Settings.parse({});
  fake = installContractFakeStation({
    'station.getStatus': () => status(),
    'settings.get': () => settings,
    'settings.update': (patch) => (settings = Settings.parse({ ...settings, ...patch })),
    'guard.duty': () => ({ onDuty: null }),
  });
});

describe('app store', () => {
  it('reads the status and the settings on start, then follows the status the station pushes', async () => {
    const { useApp, connectAppStore } = await import('../../../renderer/src/shell/app-store.ts');
    connectAppStore();
    await settle();
    await settle();
    expect(useApp.getState()).toMatchObject({ connected: true, settings: { mode: 'unset' }, status: { sync: { eventsWaiting: 3 } } });
    fake.emit('station.status', status({ sync: { ...status().sync, eventsWaiting: 0 } }));
    expect(useApp.getState().status?.sync.eventsWaiting).toBe(0);
  });

  it('settings changed in another window are shown here without a re-read', async () => {
    const { useApp, connectAppStore } = await import('../../../renderer/src/shell/app-store.ts');
    connectAppStore();
    await settle();
    await settle();
    expect(useApp.getState().settings).toMatchObject({ mode: 'unset', locale: 'ru' });
    const reads = fake.calls.filter((c) => c.name === 'settings.get').length;
    // Setup in the other window chose the till and English: this one follows from the event alone.
    fake.emit('settings.changed', Settings.parse({ ...settings, mode: 'cashier', locale: 'en', stationName: 'Столовая' }));
    expect(useApp.getState().settings).toMatchObject({ mode: 'cashier', locale: 'en', stationName: 'Столовая' });
    expect(fake.calls.filter((c) => c.name === 'settings.get')).toHaveLength(reads);
  });

  it('choosing a mode is kept in the settings the station answers with', async () => {
    const { useApp } = await import('../../../renderer/src/shell/app-store.ts');
    await useApp.getState().updateSettings({ mode: 'guard' });
    expect(useApp.getState().settings?.mode).toBe('guard');
    expect(fake.calls.at(-1)).toEqual({ name: 'settings.update', input: { mode: 'guard' } });
  });

  it('with a damaged database it shows the fault and does not ask for settings', async () => {
    fake.answer('station.getStatus', () => status({ fault: { code: 'db_corrupt', detail: 'file is not a database', keptAt: '/data/station.db.corrupt' } }));
    const { useApp } = await import('../../../renderer/src/shell/app-store.ts');
    await useApp.getState().refresh();
    expect(useApp.getState().status?.fault?.code).toBe('db_corrupt');
    expect(useApp.getState().settings).toBeNull();
    expect(fake.calls.map((c) => c.name)).not.toContain('settings.get');
  });
});

describe('guard duty store', () => {
  it('shows who is on duty as the station says, and nobody after they sign out', async () => {
    const { useGuardDuty, connectGuardDuty } = await import('../../../renderer/src/guard/duty-store.ts');
    connectGuardDuty();
    await settle();
    expect(useGuardDuty.getState()).toEqual({ onDuty: null, known: true });
    const guard = {
      dutyId: 'd-1',
      staffId: 'g-1',
      fullName: 'Сидоров В.',
      position: 'Охранник',
      since: '2026-12-01T07:00:00.000Z',
      until: '2026-12-01T15:00:00.000Z',
    };
    fake.emit('guard.duty', { onDuty: guard });
    expect(useGuardDuty.getState().onDuty?.fullName).toBe('Сидоров В.');
    fake.emit('guard.duty', { onDuty: null });
    expect(useGuardDuty.getState().onDuty).toBeNull();
  });
});

describe('update store', () => {
  it('reads the state once connected, then follows what the station pushes (a download the status bar shows)', async () => {
    const idle = initialUpdateState({ currentVersion: '1.2.3', channel: 'stable', signedBuild: true });
    fake.answer('update.getState', () => idle);
    const { useUpdate, connectUpdateStore } = await import('../../../renderer/src/update/update-store.ts');
    expect(useUpdate.getState().state).toBeNull();
    connectUpdateStore();
    connectUpdateStore();
    await settle();
    expect(useUpdate.getState().state?.phase).toBe('idle');
    expect(fake.calls.filter((c) => c.name === 'update.getState')).toHaveLength(1);
    const progress = { percent: 40, transferred: 40, total: 100, bytesPerSecond: 10 };
    fake.emit('update.state', { ...idle, phase: 'downloading', available: { version: '1.3.0', kind: 'upgrade', releaseDate: null }, progress });
    expect(useUpdate.getState().state).toMatchObject({ phase: 'downloading', progress: { percent: 40 } });
  });
});
