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

/** Nobody answered within the request's own timeout (the asking side's, never sent over the wire). */
export class RequestTimedOut extends BridgeRequestError {
  override name = 'RequestTimedOut';
}
/** The client was closed (the process is stopping) before the answer came, or before the request was made. */
export class LineClosed extends BridgeRequestError {
  override name = 'LineClosed';
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

export interface RequestOptions {
  /** Fail with RequestTimedOut when no answer came within this long; without it a request waits for the line. */
  timeoutMs?: number;
}

export interface BridgeClient {
  /** Sends a request through `send` and resolves with the station's output, or rejects with BridgeRequestError. */
  request(name: string, input: unknown, options?: RequestOptions): Promise<unknown>;
  on(name: string, listener: (payload: unknown) => void): () => void;
  /**
   * Feed every message the serving side sends. False for a reply no request waits for (late, after its
   * timeout, or never asked): it is dropped, and the caller may say so.
   */
  receive(message: ServerMessage): boolean;
  /** The line to the station broke: every request still waiting fails with this error. */
  failPending(error: BridgeError): void;
  /** The line is done for good: what waits, and every later request, fails with LineClosed. */
  close(error: BridgeError): void;
}

/**
 * The client half of a contract (common/contract/define.ts), shared by the renderer's WebSocket client,
 * the preload, main's own line to the station and the station's line to main
 * (common/contract/contract-client.ts wraps it with the schemas): request ids, waiting requests,
 * timeouts and event listeners. The transport only moves messages.
 */
export function createBridgeClient(send: (message: { t: 'req'; id: number; name: string; input: unknown }) => void): BridgeClient {
  let nextId = 1;
  let closed: BridgeError | null = null;
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: BridgeRequestError) => void; timer: ReturnType<typeof setTimeout> | null }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const settle = (id: number) => {
    const p = pending.get(id);
    if (!p) return null;
    pending.delete(id);
    if (p.timer !== null) clearTimeout(p.timer);
    return p;
  };
  return {
    request(name, input, options = {}) {
      if (closed !== null) return Promise.reject(new LineClosed(closed));
      const id = nextId++;
      const { timeoutMs } = options;
      return new Promise((ok, fail) => {
        const timer =
          timeoutMs === undefined
            ? null
            : setTimeout(() => {
                settle(id);
                fail(new RequestTimedOut({ code: 'unavailable', message: `no answer to "${name}" within ${timeoutMs} ms` }));
              }, timeoutMs);
        // A waiting request never keeps a stopping Node process alive (browsers have no unref).
        (timer as { unref?: () => void } | null)?.unref?.();
        pending.set(id, { ok, fail, timer });
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
        return true;
      }
      const p = settle(msg.id);
      if (!p) return false;
      if (msg.ok) p.ok(msg.output);
      else p.fail(new BridgeRequestError(msg.error));
      return true;
    },
    failPending(error) {
      for (const id of [...pending.keys()]) settle(id)?.fail(new BridgeRequestError(error));
    },
    close(error) {
      closed = error;
      for (const id of [...pending.keys()]) settle(id)?.fail(new LineClosed(error));
    },
  };
}
