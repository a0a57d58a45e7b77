import type { ServerMessage } from '../../common/contract/index.ts';
import type { Logger } from '../../common/logger.ts';
import { serveCustomerChannel } from './customer-channel.ts';
import type { Router } from './router.ts';

/** The parts of Electron's MessagePortMain the station uses (core/ does not import electron). */
export interface StationPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
}

/** Electron's utilityProcess parentPort: main hands over one MessagePort per window it trusts. */
export interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown; ports: StationPort[] }) => void): unknown;
  postMessage(message: unknown): void;
}

/**
 * Serves the bridge over the MessagePorts main gives this utility process, one per window: `connect`
 * is a station window's port (the whole contract), `customer` the customer display's (only its
 * projection; see customer-channel.ts).
 */
export function servePorts(parent: ParentPort, router: Router, log: Logger): void {
  parent.on('message', (e) => {
    const data = e.data as { type?: string; windowId?: number } | null;
    const port = e.ports[0];
    if ((data?.type !== 'connect' && data?.type !== 'customer') || !port) return;
    let onMessage: (raw: unknown) => void;
    let onClose: () => void;
    if (data.type === 'customer') {
      const channel = serveCustomerChannel(router, (msg) => port.postMessage(msg), log);
      onMessage = (raw) => channel.receive(raw);
      onClose = () => channel.close();
    } else {
      const send = (msg: ServerMessage): void => port.postMessage(msg);
      const unsubscribe = router.subscribe(send);
      onMessage = (raw) => {
        router
          .dispatch(raw)
          .then(send)
          .catch((err: unknown) => log.error({ err }, 'bridge: dispatch failed'));
      };
      onClose = () => void unsubscribe();
    }
    port.on('message', (m) => onMessage(m.data));
    port.on('close', () => {
      onClose();
      log.info({ windowId: data.windowId, role: data.type }, 'bridge: window port closed');
    });
    port.start();
    log.info({ windowId: data.windowId, role: data.type }, 'bridge: window port connected');
  });
}
