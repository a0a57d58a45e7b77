import { create } from 'zustand';
import type { CardPresented, StationStatus } from '../../../common/contract/index.ts';
import type { Settings } from '../../../common/settings.ts';
import { station } from '../station-client.ts';

interface AppState {
  connected: boolean;
  status: StationStatus | null;
  settings: Settings | null;
  /** The last card presented at this station, as the store resolved it. */
  lastCard: CardPresented | null;
  setupOpen: boolean;
  openSetup(open: boolean): void;
  /** The "needs attention" list (sync anomalies and refused events) is shown. */
  attentionOpen: boolean;
  openAttention(open: boolean): void;
  updateSettings(patch: Partial<Settings>): Promise<void>;
  refresh(): Promise<void>;
}

export const useApp = create<AppState>()((set) => ({
  connected: false,
  status: null,
  settings: null,
  lastCard: null,
  setupOpen: false,
  openSetup: (open) => set({ setupOpen: open, attentionOpen: false }),
  attentionOpen: false,
  openAttention: (open) => set({ attentionOpen: open }),
  updateSettings: async (patch) => {
    const settings = await station.invoke('settings.update', patch);
    set({ settings });
  },
  refresh: async () => {
    const status = await station.invoke('station.getStatus', {});
    set({ status });
    if (!status.fault) set({ settings: await station.invoke('settings.get', {}) });
  },
}));

/** Subscribes the app store to the station's pushed events, then reads the current state (so nothing is missed). */
export function connectAppStore(): void {
  station.on('station.status', (status) => useApp.setState({ status }));
  // Settings changed in another window (setup there, the guard screen here; a browser tab and the app).
  // This window's own change is already in the store (the answer came first): no second render for it.
  station.on('settings.changed', (settings) => {
    if (JSON.stringify(settings) !== JSON.stringify(useApp.getState().settings)) useApp.setState({ settings });
  });
  station.on('card.presented', (lastCard) => useApp.setState({ lastCard }));
  station.onConnection((connected) => {
    useApp.setState({ connected });
    if (connected) void useApp.getState().refresh();
  });
  void useApp
    .getState()
    .refresh()
    .then(() => useApp.setState({ connected: true }));
}
