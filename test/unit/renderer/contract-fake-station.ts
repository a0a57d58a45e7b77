/**
 * A stand-in for the preload's `window.station`, so the renderer's zustand stores run under Node without
 * a page or a station process (the e2e suite drives the real station through Chromium). It is a fake at
 * the bridge, and a strict one: every request's input, every reply and every pushed event is parsed
 * with the bridge contract, so it can only say what the real station could say.
 */
import {
  BridgeError,
  events,
  requests,
  type EventName,
  type EventPayload,
  type RequestInput,
  type RequestName,
  type RequestOutput,
  type StationApi,
} from '../../../common/contract/index.ts';

type Handlers = { [N in RequestName]?: (input: RequestInput<N>) => RequestOutput<N> | Promise<RequestOutput<N>> };

export interface ContractFakeStation {
  /** Every request the store sent, in order, as the station would have received it. */
  calls: { name: RequestName; input: unknown }[];
  /** Answers a request from now on (replacing any earlier answer for it). */
  answer<N extends RequestName>(name: N, handler: (input: RequestInput<N>) => RequestOutput<N> | Promise<RequestOutput<N>>): void;
  /** Pushes an event to the page, as the station does. */
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
}

/**
 * Installs the fake as `window.station` (with the bits of `document` and `requestAnimationFrame` the
 * stores touch) before a store module is imported. Import the store after calling this, with
 * `vi.resetModules()` first, so each test starts with a fresh store.
 */
export function installContractFakeStation(handlers: Handlers = {}): ContractFakeStation {
  const answers: Handlers = { ...handlers };
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: ContractFakeStation['calls'] = [];
  const api: StationApi = {
    invoke: async (name, input) => {
      const parsed = requests[name].input.parse(input);
      calls.push({ name, input: parsed });
      const handler = answers[name] as ((i: unknown) => unknown) | undefined;
      if (!handler) throw new Error(`contract fake: no answer for ${name}`);
      return requests[name].output.parse(await handler(parsed)) as never;
    },
    on: (name, listener) => {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
  Object.assign(globalThis, {
    window: { station: api },
    document: { documentElement: { dataset: {} } },
    requestAnimationFrame: (cb: (t: number) => void) => setTimeout(() => cb(performance.now()), 0),
  });
  return {
    calls,
    answer: (name, handler) => {
      (answers as Record<string, unknown>)[name] = handler;
    },
    emit: (name, payload) => {
      const parsed = events[name].parse(payload);
      for (const l of listeners.get(name) ?? []) l(parsed);
    },
  };
}

/** A refusal as it crosses the preload (the station's BridgeError, checked against the contract). */
export function refusal(error: BridgeError): Error {
  return Object.assign(new Error(error.message), { bridgeError: BridgeError.parse(error) });
}
