import {
  BridgeRequestError,
  type BridgeError,
  type EventName,
  type EventPayload,
  type RequestInput,
  type RequestName,
  type RequestOutput,
  type ServerMessage,
  type StationApi,
} from '../../common/contract/index.ts';

export interface StationClient extends StationApi {
  /** Where the photo with this content hash is served. */
  photoUrl(hash: string): string;
  onConnection(listener: (connected: boolean) => void): () => void;
}

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the browser host. */
    station?: StationApi;
  }
}

/**
 * The browser host's client: the contract's messages over a WebSocket to 127.0.0.1, reconnecting by
 * itself (the station process may restart). Requests sent while disconnected wait for the socket.
 */
function webSocketClient(url: string): StationClient {
  let socket: WebSocket | null = null;
  let nextId = 1;
  let retryMs = 250;
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  const queue: string[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const connection = new Set<(c: boolean) => void>();

  const open = (): void => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      for (const m of queue.splice(0)) ws.send(m);
      for (const l of connection) l(true);
    };
    ws.onmessage = (e) => {
      const msg = JSON.parse(String(e.data)) as ServerMessage;
      if (msg.t === 'evt') {
        for (const l of listeners.get(msg.name) ?? []) l(msg.payload);
        return;
      }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.ok(msg.output);
      else p.fail(new BridgeRequestError(msg.error));
    };
    ws.onclose = () => {
      socket = null;
      for (const l of connection) l(false);
      for (const [id, p] of pending) {
        p.fail(new BridgeRequestError({ code: 'unavailable', message: 'connection to the station lost' }));
        pending.delete(id);
      }
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  open();

  return {
    invoke<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
      const id = nextId++;
      const text = JSON.stringify({ t: 'req', id, name, input });
      return new Promise((ok, fail) => {
        pending.set(id, { ok: ok as (v: unknown) => void, fail });
        if (socket?.readyState === WebSocket.OPEN) socket.send(text);
        else queue.push(text);
      });
    },
    on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
    photoUrl: (hash) => `/photos/${hash}`,
    onConnection(listener) {
      connection.add(listener);
      return () => connection.delete(listener);
    },
  };
}

function electronClient(api: StationApi): StationClient {
  return {
    invoke: (name, input) => api.invoke(name, input),
    on: (name, listener) => api.on(name, listener),
    photoUrl: (hash) => `app://station/photos/${hash}`,
    onConnection: () => () => {},
  };
}

export const station: StationClient = window.station
  ? electronClient(window.station)
  : webSocketClient(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/bridge`);

export function bridgeError(err: unknown): BridgeError {
  if (err instanceof BridgeRequestError) return err.error;
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}
