import { MessageChannelMain, type MessagePortMain, type UtilityProcess } from 'electron';
import { createBridgeClient, type BridgeClient } from '../common/contract/client.ts';
import type { ShellConnect } from '../common/contract/shell.ts';
import type { RequestInput, RequestName, RequestOutput, ServerMessage } from '../common/contract/index.ts';

/**
 * Main's own line to the station process (for the updater's quiet-window facts and kiosk settings):
 * the same contract and messages as a window's port.
 */
export class StationLink {
  #port: MessagePortMain;
  #core: BridgeClient;

  constructor(child: UtilityProcess) {
    const { port1, port2 } = new MessageChannelMain();
    child.postMessage({ type: 'connect', windowId: 0 } satisfies ShellConnect, [port1]);
    this.#port = port2;
    this.#core = createBridgeClient((msg) => port2.postMessage(msg));
    port2.on('message', (e) => this.#core.receive(e.data as ServerMessage));
    port2.start();
  }

  invoke<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
    return this.#core.request(name, input) as Promise<RequestOutput<N>>;
  }

  on(name: string, listener: (payload: unknown) => void): () => void {
    return this.#core.on(name, listener);
  }

  close(): void {
    this.#core.failPending({ code: 'unavailable', message: 'the station process is gone' });
    this.#port.close();
  }
}
