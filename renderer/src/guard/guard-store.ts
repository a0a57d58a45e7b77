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
  /**
   * Every pass on screen, by id, each kept once: the big card, the strip and the feed refer to it by id,
   * so a later correction (the relay did not open) is one change that every place shows.
   */
  passes: Record<string, GuardPassView>;
  /** The pass on the big card: a new tap replaces it at once. */
  current: string | null;
  /** A card was at a reader but its number could not be read: the big card says so instead (when). */
  misread: string | null;
  /** The few taps before it, newest first, for a guard who looked away. */
  strip: string[];
  feed: string[];
  alarmsOnly: boolean;
  counters: GuardCounters | null;
  emergency: EmergencyState;
  setAlarmsOnly(on: boolean): Promise<void>;
  load(): Promise<void>;
  show(pass: GuardPassView): void;
  /** A reader could not read a card: replaces the last verdict with "tap again". */
  showMisread(at: string): void;
  /** The station's later word on a pass's gate (it did or did not open). */
  gate(passId: string, gate: GuardPassView['gate']): void;
  /** People removed from the roster (they left the school): nothing on screen may still name them. */
  forget(holderIds: readonly string[]): Promise<void>;
}

/** Passes shown on the big card whose strip and feed rows are not drawn yet (see `show`), by id. */
const lists: { queue: string[]; head: string | null; counters: GuardCounters | null; scheduled: boolean } = {
  queue: [],
  head: null,
  counters: null,
  scheduled: false,
};

/** The passes still referred to from the screen or the pending lists; the rest are let go. */
function referenced(passes: Record<string, GuardPassView>, ids: Iterable<string | null>): Record<string, GuardPassView> {
  const kept: Record<string, GuardPassView> = {};
  for (const id of ids) if (id && passes[id]) kept[id] = passes[id];
  return kept;
}

const byId = (items: readonly GuardPassView[]): Record<string, GuardPassView> => Object.fromEntries(items.map((p) => [p.id, p]));

export const useGuard = create<GuardState>()((set, get) => {
  const keepOnly = (next: Pick<GuardState, 'current' | 'strip' | 'feed'>, passes: Record<string, GuardPassView>) =>
    referenced(passes, [next.current, ...next.strip, ...next.feed, lists.head, ...lists.queue]);
  const setFeed = (items: readonly GuardPassView[]) => {
    const { current, strip, passes } = get();
    const feed = items.map((p) => p.id);
    set({ feed, passes: keepOnly({ current, strip, feed }, { ...passes, ...byId(items) }) });
  };
  return {
    passes: {},
    current: null,
    misread: null,
    strip: [],
    feed: [],
    alarmsOnly: false,
    counters: null,
    emergency: { active: false, startedAt: null, gateHeld: false, relay: false },
    setAlarmsOnly: async (alarmsOnly) => {
      set({ alarmsOnly });
      const { items } = await station.invoke('guard.feed', { alarmsOnly, limit: FEED });
      setFeed(items);
    },
    load: async () => {
      const [feed, counters, emergency] = await Promise.all([
        station.invoke('guard.feed', { alarmsOnly: get().alarmsOnly, limit: FEED }),
        station.invoke('guard.counters', {}),
        station.invoke('guard.emergency', { action: 'status' }),
      ]);
      set({ counters, emergency });
      setFeed(feed.items);
    },
    showMisread: (at) => set({ misread: at }),
    show: (pass) => {
      set({ current: pass.id, misread: null, passes: { ...get().passes, [pass.id]: pass } });
      lists.queue.push(pass.id);
      if (lists.scheduled) return;
      lists.scheduled = true;
      // The strip, the feed and the counters follow a little later: the frame that shows the big card lays
      // out and paints only the card, and its raster is not left waiting behind a render of the lists (on a
      // two-core station PC the lists' 3–8 ms render right after the card's frame delayed the card's pixels).
      requestAnimationFrame(() =>
        setTimeout(() => {
          lists.scheduled = false;
          const { current, strip, feed, alarmsOnly, passes } = get();
          let nextStrip = strip;
          let nextFeed = feed;
          for (const id of lists.queue.splice(0)) {
            if (lists.head) nextStrip = [lists.head, ...nextStrip].slice(0, STRIP);
            lists.head = id;
            if (!alarmsOnly || passes[id]?.alarm) nextFeed = [id, ...nextFeed].slice(0, FEED);
          }
          const next = { current, strip: nextStrip, feed: nextFeed };
          set({ ...next, passes: keepOnly(next, passes), ...(lists.counters ? { counters: lists.counters } : {}) });
          lists.counters = null;
        }, LISTS_AFTER_MS),
      );
    },
    gate: (passId, gate) => {
      const { passes } = get();
      const p = passes[passId];
      if (!p) return;
      const notices = gate === 'not_opened' && !p.notices.includes('gate_not_opened') ? [...p.notices, 'gate_not_opened' as const] : p.notices;
      set({ passes: { ...passes, [passId]: { ...p, gate, notices } } });
    },
    forget: async (holderIds) => {
      const gone = new Set(holderIds);
      const { current, strip, feed, passes } = get();
      const keep = (id: string | null) => id !== null && passes[id] !== undefined && !gone.has(passes[id].holder?.id ?? '');
      lists.queue = lists.queue.filter(keep);
      if (!keep(lists.head)) lists.head = null;
      const next = { current: keep(current) ? current : null, strip: strip.filter(keep), feed: feed.filter(keep) };
      set({ ...next, passes: keepOnly(next, passes) });
      // The station has forgotten their passes: its feed and counters fill the screen again without them.
      await get().load();
    },
  };
});

/** The pass with this id as the screen shows it (with any correction since). */
export const usePass = (id: string): GuardPassView | undefined => useGuard((s) => s.passes[id]);

let connected = false;
export function connectGuardStore(): void {
  if (connected) return;
  connected = true;
  station.on('guard.pass', ({ pass, counters, portrait }) => {
    // The portrait came with the event: start decoding it before React renders the card that shows it.
    if (pass.holder?.photoHash && portrait) rememberPortrait(pass.holder.photoHash, portrait);
    lists.counters = counters;
    useGuard.getState().show(pass);
    if (pass.kind === 'tap' || pass.kind === 'flood') playGuardTone(pass.alarm ? 'alarm' : pass.verdict === 'allow' ? 'allow' : 'deny');
  });
  station.on('guard.gate', ({ passId, gate }) => useGuard.getState().gate(passId, gate));
  station.on('guard.forgotten', ({ holderIds }) => void useGuard.getState().forget(holderIds));
  station.on('reader.misread', ({ at }) => {
    useGuard.getState().showMisread(at);
    playGuardTone('misread');
  });
  station.on('guard.emergency', (emergency) => useGuard.setState({ emergency }));
  // Another post's pass: the counters (and an open roll call, which follows them) change.
  station.on('guard.counters', (counters) => useGuard.setState({ counters }));
  station.onConnection((up) => {
    if (up) void useGuard.getState().load();
  });
  void useGuard.getState().load();
}
