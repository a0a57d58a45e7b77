/**
 * The customer display's preload: `window.customerDisplay`, one function to hear the projection the
 * station sends it (common/contract/customer.ts). There is nothing to send: this window cannot make a
 * request. Main hands it its own MessagePort on 'customer:port', which the station serves as the
 * customer channel, not the bridge.
 */
import { contextBridge, ipcRenderer } from 'electron';

type Listener = (view: unknown) => void;
const listeners = new Set<Listener>();
let last: unknown = null;
let port: MessagePort | null = null;

ipcRenderer.on('customer:port', (event) => {
  const next = event.ports[0];
  if (!next) return;
  port?.close();
  port = next;
  port.onmessage = (e: MessageEvent<{ t?: unknown; name?: unknown; payload?: unknown }>) => {
    if (e.data?.t !== 'evt' || e.data.name !== 'customer.view') return;
    last = e.data.payload;
    for (const l of listeners) l(last);
  };
});

contextBridge.exposeInMainWorld('customerDisplay', {
  onView(listener: Listener): () => void {
    if (typeof listener !== 'function') throw new Error('onView needs a function');
    listeners.add(listener);
    if (last !== null) listener(last);
    return () => void listeners.delete(listener);
  },
});
