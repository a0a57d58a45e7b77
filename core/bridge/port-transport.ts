import type { ServerMessage } from '../../common/contract/index.ts';
import { ShellConnect, ShellCustomer } from '../../common/contract/shell.ts';
import type { Logger } from '../../common/logger.ts';
import { serveCustomerChannel } from './customer-channel.ts';
import type { Router } from '../../common/contract/router.ts';

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
 * Serves the bridge over the MessagePorts main gives this utility process, one per window (the
 * messages of common/contract/shell.ts): `connect`
 * is a station window's port (the whole contract), `customer` the customer display's (only its
 * projection; see customer-channel.ts).
 */
export function servePorts(parent: ParentPort, router: Router, log: Logger): void {
  parent.on('message', (e) => {
    const type = (e.data as { type?: unknown } | null)?.type;
    if (type !== 'connect' && type !== 'customer') return;
    const parsed = (type === 'customer' ? ShellCustomer : ShellConnect).safeParse(e.data);
    const port = e.ports[0];
    if (!parsed.success || !port) {
      log.warn({ role: type, issue: parsed.error?.issues[0]?.path.join('.') ?? 'no port' }, 'bridge: a window port message breaks the contract; dropped');
      return;
    }
    const data = parsed.data;
    const send = (msg: ServerMessage): void => port.postMessage(msg);
    const channel = data.type === 'customer' ? serveCustomerChannel(router, send, log) : router.connect('port', send);
    port.on('message', (m) => channel.receive(m.data));
    port.on('close', () => {
      channel.close();
      log.info({ windowId: data.windowId, role: data.type }, 'bridge: window port closed');
    });
    port.start();
    log.info({ windowId: data.windowId, role: data.type }, 'bridge: window port connected');
  });
}
