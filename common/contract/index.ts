import type { z } from 'zod';
import { cashierEvents, cashierRequests } from './cashier.ts';
import { guardEvents, guardRequests } from './guard.ts';
import { hardwareEvents, hardwareRequests } from './hardware.ts';
import { itEvents, itRequests } from './it.ts';
import { stationEvents, stationRequests } from './station.ts';
import { syncEvents, syncRequests } from './sync.ts';
import { updateEvents, updateRequests } from './update.ts';

/**
 * The whole bridge in one place: every request the renderer may send and every event the station
 * pushes. The preload API type, the station's handler registration, the WebSocket bridge and the
 * renderer's client are all typed from these two maps; nothing is declared twice.
 * Feature areas keep their own file (station.ts, guard.ts, cashier.ts, …) and are spread in here.
 */
export const requests = {
  ...stationRequests,
  ...guardRequests,
  ...cashierRequests,
  ...updateRequests,
  ...syncRequests,
  ...hardwareRequests,
  ...itRequests,
} as const;

export const events = {
  ...stationEvents,
  ...guardEvents,
  ...cashierEvents,
  ...updateEvents,
  ...syncEvents,
  ...hardwareEvents,
  ...itEvents,
} as const;

/** The bridge as one contract, served by the station's Router (common/contract/router.ts). */
export const bridgeContract = { requests, events } as const;
export type BridgeContract = typeof bridgeContract;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export type RequestInput<N extends RequestName> = z.input<Requests[N]['input']>;
export type RequestOutput<N extends RequestName> = z.output<Requests[N]['output']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

/** What the renderer sees as `window.station` (desktop) or the WebSocket client (browser host). */
export interface StationApi {
  invoke<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export function isRequestName(name: string): name is RequestName {
  return Object.hasOwn(requests, name);
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}

export * from './envelope.ts';
export * from './station.ts';
export * from './guard.ts';
export * from './update.ts';
export * from './sync.ts';
export * from './hardware.ts';
export * from './it.ts';
