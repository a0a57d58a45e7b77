import { create } from 'zustand';
import type { GuardOnDuty } from '../../../common/contract/index.ts';
import { station } from '../station-client.ts';

/**
 * Who is on duty at the guard post, as the station says (it decides; the page only shows it and asks for
 * a PIN when nobody is). Kept apart from the pass store: a duty change never re-renders the tap card.
 */
export const useGuardDuty = create<{ onDuty: GuardOnDuty | null; known: boolean }>()(() => ({ onDuty: null, known: false }));

const load = () =>
  void station
    .invoke('guard.duty', { action: 'status' })
    .then(({ onDuty }) => useGuardDuty.setState({ onDuty, known: true }))
    .catch(() => undefined);

let connected = false;
export function connectGuardDuty(): void {
  if (connected) return;
  connected = true;
  station.on('guard.duty', ({ onDuty }) => useGuardDuty.setState({ onDuty, known: true }));
  station.onConnection((up) => {
    if (up) load();
  });
  load();
}
