import { MessageChannelMain, type MessagePortMain, type UtilityProcess } from 'electron';
import type { RequestInput, RequestName, RequestOutput, ServerMessage } from '../common/contract/index.ts';

/**
 * Main's own line to the station process (for the updater's quiet-window facts and kiosk settings):
 * the same contract and messages as a window's port.
 */
export class StationLink {
  #port: MessagePortMain;
  #next = 1;
  #pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  #listeners = new Map<string, Set<(payload: unknown) => void>>();

  constructor(child: UtilityProcess) {
    const { port1, port2 } = new MessageChannelMain();
    child.postMessage({ type: 'connect', windowId: 0 }, [port1]);
    this.#port = port2;
    port2.on('message', (e) => {
      const msg = e.data as ServerMessage;
      if (msg.t === 'evt') {
        for (const l of this.#listeners.get(msg.name) ?? []) l(msg.payload);
        return;
      }
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.ok) p.ok(msg.output);
      else p.fail(new Error(msg.error.message));
    });
    port2.start();
  }

  invoke<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
    const id = this.#next++;
    return new Promise((ok, fail) => {
      this.#pending.set(id, { ok: ok as (v: unknown) => void, fail });
      this.#port.postMessage({ t: 'req', id, name, input });
    });
  }

  on(name: string, listener: (payload: unknown) => void): () => void {
    const set = this.#listeners.get(name) ?? new Set();
    this.#listeners.set(name, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  close(): void {
    this.#port.close();
  }
}
