import { CustomerView } from '../../../common/contract/customer.ts';

declare global {
  interface Window {
    /** Set by the customer display's own preload (Electron); absent in the browser host. */
    customerDisplay?: { onView(listener: (view: unknown) => void): () => void };
  }
}

/**
 * The customer display's line to the station: it only listens. In Electron its own preload hands over
 * the projection; in the browser host a WebSocket to `/customer/bridge` behind the display's own
 * cookie, reconnecting by itself. Whatever arrives is parsed as `CustomerView`; anything else is dropped.
 * `listener(null)`: the line is down, the screen shows nothing it might have stale.
 */
export function listenCustomerView(listener: (view: CustomerView | null) => void): () => void {
  const accept = (raw: unknown): void => {
    const view = CustomerView.safeParse(raw);
    if (view.success) listener(view.data);
  };
  if (window.customerDisplay) return window.customerDisplay.onView(accept);

  let stopped = false;
  let retryMs = 250;
  let socket: WebSocket | null = null;
  const open = (): void => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/customer/bridge`);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
    };
    ws.onmessage = (e) => {
      let msg: { t?: unknown; name?: unknown; payload?: unknown } | null;
      try {
        msg = JSON.parse(String(e.data)) as { t?: unknown; name?: unknown; payload?: unknown } | null;
      } catch {
        return;
      }
      if (msg?.t === 'evt' && msg.name === 'customer.view') accept(msg.payload);
    };
    ws.onclose = () => {
      socket = null;
      if (stopped) return;
      listener(null);
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  open();
  return () => {
    stopped = true;
    socket?.close();
  };
}
