/**
 * The only bridge between a page and the station: `window.station`, typed from the contract. The page
 * gets two functions, never ipcRenderer. Main hands this preload one MessagePort on the 'station:port'
 * channel; no other channel is listened to. The station process validates every message it receives.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput, ServerMessage, StationApi } from '../common/contract/index.ts';

let port: MessagePort | null = null;
let nextId = 1;
const queue: unknown[] = [];
const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: unknown) => void }>();
const listeners = new Map<string, Set<(payload: unknown) => void>>();
const NAME = /^[a-z]+(\.[A-Za-z]+)+$/;

ipcRenderer.on('station:port', (event) => {
  const next = event.ports[0];
  if (!next) return;
  port?.close();
  port = next;
  port.onmessage = (e: MessageEvent<ServerMessage>) => {
    const msg = e.data;
    if (msg.t === 'evt') {
      for (const l of listeners.get(msg.name) ?? []) l(msg.payload);
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    // Errors cross contextBridge as plain objects; the renderer's client wraps them again.
    if (msg.ok) p.ok(msg.output);
    else p.fail(Object.assign(new Error(msg.error.message), { bridgeError: msg.error }));
  };
  for (const m of queue.splice(0)) port.postMessage(m);
});

const api: StationApi = {
  invoke<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
    if (typeof name !== 'string' || !NAME.test(name)) return Promise.reject(new Error('not a station request'));
    const id = nextId++;
    const msg = { t: 'req', id, name, input: structuredClone(input) };
    return new Promise((ok, fail) => {
      pending.set(id, { ok: ok as (v: unknown) => void, fail });
      if (port) port.postMessage(msg);
      else queue.push(msg);
    });
  },
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    const set = listeners.get(name) ?? new Set();
    listeners.set(name, set);
    set.add(listener as (p: unknown) => void);
    return () => set.delete(listener as (p: unknown) => void);
  },
};

contextBridge.exposeInMainWorld('station', api);
