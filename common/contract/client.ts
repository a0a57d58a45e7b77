import type { BridgeError, ServerMessage } from './envelope.ts';

/** A refused bridge request, as every client raises it. (No zod here: the sandboxed preload bundles this file.) */
export class BridgeRequestError extends Error {
  override name = 'BridgeRequestError';
  readonly error: BridgeError;
  constructor(error: BridgeError) {
    super(error.message);
    this.error = error;
  }
}

/** What a refused request looks like once it has crossed Electron's contextBridge (classes do not cross). */
export interface CrossedBridgeError {
  bridgeError: BridgeError;
}

export function toBridgeRequestError(err: unknown): BridgeRequestError {
  if (err instanceof BridgeRequestError) return err;
  const crossed = (err as Partial<CrossedBridgeError> | null)?.bridgeError;
  if (crossed && typeof crossed.code === 'string') return new BridgeRequestError(crossed);
  return new BridgeRequestError({ code: 'internal', message: err instanceof Error ? err.message : String(err) });
}

export interface BridgeClient {
  /** Sends a request through `send` and resolves with the station's output, or rejects with BridgeRequestError. */
  request(name: string, input: unknown): Promise<unknown>;
  on(name: string, listener: (payload: unknown) => void): () => void;
  /** Feed every message the station sends. */
  receive(message: ServerMessage): void;
  /** The line to the station broke: every request still waiting fails with this error. */
  failPending(error: BridgeError): void;
}

/**
 * The client half of the bridge, shared by the renderer's WebSocket client, the preload and main's own
 * line to the station: request ids, waiting requests and event listeners. The transport only moves messages.
 */
export function createBridgeClient(send: (message: { t: 'req'; id: number; name: string; input: unknown }) => void): BridgeClient {
  let nextId = 1;
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: BridgeRequestError) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  return {
    request(name, input) {
      const id = nextId++;
      return new Promise((ok, fail) => {
        pending.set(id, { ok, fail });
        send({ t: 'req', id, name, input });
      });
    },
    on(name, listener) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    receive(msg) {
      if (msg.t === 'evt') {
        for (const l of listeners.get(msg.name) ?? []) l(msg.payload);
        return;
      }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.ok(msg.output);
      else p.fail(new BridgeRequestError(msg.error));
    },
    failPending(error) {
      for (const [id, p] of pending) {
        pending.delete(id);
        p.fail(new BridgeRequestError(error));
      }
    },
  };
}
