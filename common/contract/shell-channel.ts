import type { Logger } from '../logger.ts';
import { contractClient, type ContractClient } from './contract-client.ts';
import type { Router } from './router.ts';
import { MAIN_TO_STATION_KINDS, SHELL_MESSAGE, shellContract, shellKind, STATION_TO_MAIN_KINDS, type ShellContract } from './shell.ts';

/**
 * Both ends of the shell contract over the utility process's pipe (common/contract/shell.ts): main's
 * Router connected to the child, the station's one client on its parent port. Each message of the
 * contract travels as `{ type: 'shell', message }`; the port hand-offs (`connect`, `customer`) are
 * served beside it by core/bridge/port-transport.ts; anything else is logged here and dropped. Neither
 * end imports electron or Node: main, the station process and a plain-Node test over a MessageChannel
 * all run them as they are.
 */

/** The station's end: Electron's utilityProcess parentPort (a message event carries `data`). */
export interface ShellParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** Main's end: Electron's UtilityProcess (a message arrives as itself). */
export interface ShellChild {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  postMessage(message: unknown): void;
}

export type ShellClient = ContractClient<ShellContract>;

function unknownKind(raw: unknown, known: readonly string[], log: Logger): boolean {
  const kind = shellKind(raw);
  if (kind !== null && known.includes(kind)) return false;
  const named = kind === null ? '(none)' : JSON.stringify(kind.slice(0, 40));
  log.warn({ kind: named }, `shell: a message of unknown kind ${named}; dropped`);
  return true;
}

/**
 * Main serves one station process with `router` for as long as it runs; `close` when it has exited
 * (its handlers stay registered for the next one).
 */
export function serveShell(child: ShellChild, router: Router<ShellContract>, log: Logger): { close(): void } {
  const line = router.connect('station', (message) => child.postMessage({ type: SHELL_MESSAGE, message }));
  child.on('message', (raw) => {
    if (unknownKind(raw, STATION_TO_MAIN_KINDS, log)) return;
    line.receive((raw as { message?: unknown }).message);
  });
  return { close: () => line.close() };
}

/** The station's one line to main: one client, so request ids never collide on the shared port. */
export function shellClient(parent: ShellParentPort, log: Logger): ShellClient {
  const client = contractClient(shellContract, (message) => parent.postMessage({ type: SHELL_MESSAGE, message }), log, 'shell');
  parent.on('message', (e) => {
    if (unknownKind(e.data, MAIN_TO_STATION_KINDS, log)) return;
    if (shellKind(e.data) === SHELL_MESSAGE) client.receive((e.data as { message?: unknown }).message);
  });
  return client;
}
