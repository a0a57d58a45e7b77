import type { ServerMessage } from '../../common/contract/index.ts';
import type { Logger } from '../../common/logger.ts';
import { newCaller, type Router } from './router.ts';

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

/** Serves the bridge over the MessagePorts main gives this utility process, one per window. */
export function servePorts(parent: ParentPort, router: Router, log: Logger): void {
  parent.on('message', (e) => {
    const data = e.data as { type?: string; windowId?: number } | null;
    const port = e.ports[0];
    if (data?.type !== 'connect' || !port) return;
    const send = (msg: ServerMessage): void => port.postMessage(msg);
    const caller = newCaller('port');
    const unsubscribe = router.subscribe(send);
    port.on('message', (m) => {
      void router.dispatch(m.data, caller).then(send);
    });
    port.on('close', () => {
      unsubscribe();
      router.disconnected(caller);
      log.info({ windowId: data.windowId }, 'bridge: window port closed');
    });
    port.start();
    log.info({ windowId: data.windowId }, 'bridge: window port connected');
  });
}
