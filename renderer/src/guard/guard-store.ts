import { create } from 'zustand';
import type { EmergencyState, GuardCounters, GuardPassView } from '../../../common/contract/index.ts';
import { playGuardTone } from './guard-sound.ts';
import { rememberPortrait } from '../portraits.ts';
import { station } from '../station-client.ts';

/** How long after the big card's frame the strip, feed and counters catch up (well below what a guard notices). */
const LISTS_AFTER_MS = 60;
const STRIP = 6;
const FEED = 60;

interface GuardState {
  /** The pass on the big card: a new tap replaces it at once. */
  current: GuardPassView | null;
  /** The few taps before it, newest first, for a guard who looked away. */
  strip: GuardPassView[];
  feed: GuardPassView[];
  alarmsOnly: boolean;
  counters: GuardCounters | null;
  emergency: EmergencyState;
  setAlarmsOnly(on: boolean): Promise<void>;
  load(): Promise<void>;
  show(pass: GuardPassView): void;
}

/** Passes shown on the big card whose strip and feed rows are not drawn yet (see `show`). */
const lists: { queue: GuardPassView[]; head: GuardPassView | null; counters: GuardCounters | null; scheduled: boolean } = {
  queue: [],
  head: null,
  counters: null,
  scheduled: false,
};

export const useGuard = create<GuardState>()((set, get) => ({
  current: null,
  strip: [],
  feed: [],
  alarmsOnly: false,
  counters: null,
  emergency: { active: false, startedAt: null, gateHeld: false },
  setAlarmsOnly: async (alarmsOnly) => {
    set({ alarmsOnly });
    const { items } = await station.invoke('guard.feed', { alarmsOnly, limit: FEED });
    set({ feed: items });
  },
  load: async () => {
    const [feed, counters, emergency] = await Promise.all([
      station.invoke('guard.feed', { alarmsOnly: get().alarmsOnly, limit: FEED }),
      station.invoke('guard.counters', {}),
      station.invoke('guard.emergency', { action: 'status' }),
    ]);
    set({ feed: feed.items, counters, emergency });
  },
  show: (pass) => {
    set({ current: pass });
    lists.queue.push(pass);
    if (lists.scheduled) return;
    lists.scheduled = true;
    // The strip, the feed and the counters follow a little later: the frame that shows the big card lays
    // out and paints only the card, and its raster is not left waiting behind a render of the lists (on a
    // two-core station PC the lists' 3–8 ms render right after the card's frame delayed the card's pixels).
    requestAnimationFrame(() =>
      setTimeout(() => {
        lists.scheduled = false;
        const { strip, feed, alarmsOnly } = get();
        let nextStrip = strip;
        let nextFeed = feed;
        for (const p of lists.queue.splice(0)) {
          if (lists.head) nextStrip = [lists.head, ...nextStrip].slice(0, STRIP);
          lists.head = p;
          if (!alarmsOnly || p.alarm) nextFeed = [p, ...nextFeed].slice(0, FEED);
        }
        set({ strip: nextStrip, feed: nextFeed, ...(lists.counters ? { counters: lists.counters } : {}) });
        lists.counters = null;
      }, LISTS_AFTER_MS),
    );
  },
}));

/** Paint marks for the benchmark: pass id → time the big card was painted (performance.timeOrigin + now). */
declare global {
  interface Window {
    __guardPaints?: { id: string; at: number; commit: number; loaded: number }[];
    /** Pass id → when the station process got its card event (for the same benchmark). */
    __guardReceived?: Map<string, number>;
    /** Pass id → when its event arrived in the page (splits the own share into station + bridge, and page). */
    __guardArrived?: Map<string, number>;
  }
}

let connected = false;
export function connectGuardStore(): void {
  if (connected) return;
  connected = true;
  station.on('guard.pass', ({ pass, counters, receivedAtMs, portrait }) => {
    (window.__guardReceived ??= new Map()).set(pass.id, receivedAtMs);
    (window.__guardArrived ??= new Map()).set(pass.id, performance.timeOrigin + performance.now());
    // The portrait came with the event: start decoding it before React renders the card that shows it.
    if (pass.holder?.photoHash && portrait) rememberPortrait(pass.holder.photoHash, portrait);
    lists.counters = counters;
    useGuard.getState().show(pass);
    if (pass.kind === 'tap' || pass.kind === 'flood') playGuardTone(pass.alarm ? 'alarm' : pass.verdict === 'allow' ? 'allow' : 'deny');
  });
  station.on('guard.gate', ({ passId, gate }) => {
    const patch = (p: GuardPassView): GuardPassView =>
      p.id === passId ? { ...p, gate, notices: gate === 'not_opened' && !p.notices.includes('gate_not_opened') ? [...p.notices, 'gate_not_opened'] : p.notices } : p;
    const s = useGuard.getState();
    if (lists.head) lists.head = patch(lists.head);
    lists.queue = lists.queue.map(patch);
    useGuard.setState({ current: s.current ? patch(s.current) : null, strip: s.strip.map(patch), feed: s.feed.map(patch) });
  });
  station.on('guard.emergency', (emergency) => useGuard.setState({ emergency }));
  station.onConnection((up) => {
    if (up) void useGuard.getState().load();
  });
  void useGuard.getState().load();
}
