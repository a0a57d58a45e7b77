import { create } from 'zustand';
import type { UpdateState } from '../../../common/update-policy.ts';
import { station } from '../station-client.ts';

interface UpdateStore {
  /** Null until the station first answers. */
  state: UpdateState | null;
}

export const useUpdate = create<UpdateStore>()(() => ({ state: null }));

let connected = false;

/** Subscribes to `update.state`, then reads the current state, so the first state is never missed. Idempotent. */
export function connectUpdateStore(): void {
  if (connected) return;
  connected = true;
  const read = () =>
    station.invoke('update.getState', {}).then(
      (state) => useUpdate.setState({ state }),
      () => {}, // the station is restarting: the next connection reads again
    );
  station.on('update.state', (state) => useUpdate.setState({ state }));
  station.onConnection((up) => {
    if (up) void read();
  });
  void read();
}

/** The update state, connecting the store on first use. */
export function useUpdateState(): UpdateState | null {
  connectUpdateStore();
  return useUpdate((s) => s.state);
}
