import { BridgeRequestError, LineClosed, RequestTimedOut } from '../common/contract/client.ts';
import type { ShellClient } from '../common/contract/shell-channel.ts';
import type { UpdateState } from '../common/update-policy.ts';
import type { Caller, Router } from '../common/contract/router.ts';
import { DomainError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';

/**
 * The station's side of auto-update. The updater lives in the Electron shell (main/updater.ts); the
 * renderers talk only to the station. So the station keeps the last state main posted, answers
 * `update.getState` with it, pushes `update.state` on every change, and forwards `update.checkNow` /
 * `update.forceInstall` to main over the utility process's parentPort, passing main's answer back.
 * Under the browser host there is no shell: the state is `disabled` (browser_host) and nothing is forwarded.
 *
 * Main is asked through the station's one client of the shell contract (common/contract/shell.ts):
 * `update.getState` once at start (an `update.state` event may have come before the relay listened),
 * then the `update.state` events, and the two actions by their bridge names.
 */

export type ForwardedUpdateCall = 'update.checkNow' | 'update.forceInstall';

export interface UpdateRelayOptions {
  router: Router;
  /** The station's line to main (common/contract/shell-channel.ts); null under the browser host. */
  shell: ShellClient | null;
  /** The state to show until main posts one (and always under the browser host); read at each request. */
  fallback: () => UpdateState;
  log: Logger;
  /** How long to wait for main's answer (a check over a slow network can take a while). */
  timeoutMs?: number;
  /**
   * Called after IT's update action ran (the router lets only an IT session reach it): the station
   * records who did it (station/it-access.ts).
   */
  audit?: (name: ForwardedUpdateCall, caller: Caller, result: string) => void;
}

export interface UpdateRelay {
  state(): UpdateState;
  close(): void;
}

export const UPDATE_RELAY_TIMEOUT_MS = 90_000;

export function attachUpdateRelay(options: UpdateRelayOptions): UpdateRelay {
  const { router, shell, log } = options;
  const timeoutMs = options.timeoutMs ?? UPDATE_RELAY_TIMEOUT_MS;
  let last: UpdateState | null = null;
  let closed = false;
  /** An event came before the first read answered: that read is older. */
  let heard = false;

  const current = (): UpdateState => last ?? options.fallback();
  const take = (state: UpdateState): void => {
    if (closed || (last && JSON.stringify(last) === JSON.stringify(state))) return;
    last = state;
    router.publish('update.state', last);
  };

  // A state that breaks the contract is dropped by the client with a line for IT; the last good one stays.
  shell?.on('update.state', (state) => {
    heard = true;
    take(state);
  });
  shell?.request('update.getState', {}, { timeoutMs }).then(
    (state) => {
      if (!heard) take(state);
    },
    (err: unknown) => {
      if (!(err instanceof LineClosed)) log.warn({ err }, "update: the shell's state could not be read; waiting for its next one");
    },
  );

  /** Main's failure, silence or a reply that breaks the contract, in words the renderer can name. */
  const refusal = (err: unknown): DomainError => {
    const message = err instanceof Error ? err.message : String(err);
    // The client logged the silence; the renderer names it.
    if (err instanceof RequestTimedOut || err instanceof LineClosed) return new DomainError('unavailable', 'update_no_answer', message);
    // A reply that breaks the contract (the client logged it) is refused as the router refuses a bad output.
    if (err instanceof BridgeRequestError && err.error.code === 'invalid_output') return new DomainError('invalid_output', 'update_shell_failed', message);
    return new DomainError('unavailable', 'update_shell_failed', message || 'the shell could not do it');
  };

  router.handle('update.getState', () => current());
  router.handle('update.checkNow', async (_input, caller) => {
    // No shell (browser host): nothing to check; the state says why. A shell always answers (maybe "disabled").
    const state = shell ? await shell.request('update.checkNow', {}, { timeoutMs }).catch((err: unknown) => Promise.reject(refusal(err))) : current();
    options.audit?.('update.checkNow', caller, state.phase);
    return state;
  });
  router.handle('update.forceInstall', async (_input, caller) => {
    if (shell) log.warn('update: IT confirmed an immediate install in setup');
    const r = shell
      ? await shell.request('update.forceInstall', { confirm: true }, { timeoutMs }).catch((err: unknown) => Promise.reject(refusal(err)))
      : { accepted: false, reason: 'disabled' as const };
    options.audit?.('update.forceInstall', caller, r.accepted ? 'accepted' : (r.reason ?? 'refused'));
    return r;
  });

  return {
    state: current,
    close() {
      // The station is stopping: later states are not relayed (what waits for main fails when the line closes).
      closed = true;
    },
  };
}
