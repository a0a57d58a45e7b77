/**
 * The only bridge between a page and the station: `window.station`, typed from the contract. The page
 * gets two functions, never ipcRenderer. Main hands this preload one MessagePort on the 'station:port'
 * channel; no other channel is listened to. The station process validates every message it receives.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridgeClient, toBridgeRequestError, type CrossedBridgeError } from '../common/contract/client.ts';
import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput, ServerMessage, StationApi } from '../common/contract/index.ts';

let port: MessagePort | null = null;
const queue: unknown[] = [];
const NAME = /^[a-z]+(\.[A-Za-z]+)+$/;
const core = createBridgeClient((msg) => {
  if (port) port.postMessage(msg);
  else queue.push(msg);
});

ipcRenderer.on('station:port', (event) => {
  const next = event.ports[0];
  if (!next) return;
  // A new port means the station process restarted: requests sent on the old one will never be answered.
  if (port) core.failPending({ code: 'unavailable', message: 'the station process restarted' });
  port?.close();
  port = next;
  port.onmessage = (e: MessageEvent<ServerMessage>) => core.receive(e.data);
  for (const m of queue.splice(0)) port.postMessage(m);
});

const api: StationApi = {
  invoke<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
    if (typeof name !== 'string' || !NAME.test(name)) return Promise.reject(new Error('not a station request'));
    return core.request(name, structuredClone(input)).catch((err: unknown) => {
      // Class instances do not cross contextBridge: refuse with a plain object the renderer turns back.
      throw { bridgeError: toBridgeRequestError(err).error } satisfies CrossedBridgeError;
    }) as Promise<RequestOutput<N>>;
  },
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    return core.on(name, listener as (payload: unknown) => void);
  },
};

contextBridge.exposeInMainWorld('station', api);
