import { createBridgeClient, toBridgeRequestError } from '../../common/contract/client.ts';
import {
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
  let retryMs = 250;
  const queue: string[] = [];
  const connection = new Set<(c: boolean) => void>();
  const core = createBridgeClient((msg) => {
    const text = JSON.stringify(msg);
    if (socket?.readyState === WebSocket.OPEN) socket.send(text);
    else queue.push(text);
  });

  const open = (): void => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      for (const m of queue.splice(0)) ws.send(m);
      for (const l of connection) l(true);
    };
    ws.onmessage = (e) => core.receive(JSON.parse(String(e.data)) as ServerMessage);
    ws.onclose = () => {
      socket = null;
      for (const l of connection) l(false);
      core.failPending({ code: 'unavailable', message: 'connection to the station lost' });
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  open();

  return {
    invoke: <N extends RequestName>(name: N, input: RequestInput<N>) => core.request(name, input) as Promise<RequestOutput<N>>,
    on: <E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void) => core.on(name, listener as (p: unknown) => void),
    photoUrl: (hash) => `/photos/${hash}`,
    onConnection(listener) {
      connection.add(listener);
      return () => connection.delete(listener);
    },
  };
}

/** Electron: `window.station` from the preload; a refusal arrives as a plain object and becomes a BridgeRequestError again. */
function electronClient(api: StationApi): StationClient {
  return {
    invoke: (name, input) =>
      api.invoke(name, input).catch((err: unknown) => {
        throw toBridgeRequestError(err);
      }),
    on: (name, listener) => api.on(name, listener),
    photoUrl: (hash) => `app://station/photos/${hash}`,
    onConnection: () => () => {},
  };
}

export const station: StationClient = window.station
  ? electronClient(window.station)
  : webSocketClient(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/bridge`);

export function bridgeError(err: unknown): BridgeError {
  return toBridgeRequestError(err).error;
}
