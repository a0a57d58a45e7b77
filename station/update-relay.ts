import { ShellCallFailed, ShellCallTimeout, ShellClosed, shellRequester, type ShellParentPort } from '../common/contract/shell-link.ts';
import { ShellUpdateState, type UPDATE_CALL_NAMES } from '../common/contract/shell.ts';
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
 * The messages on the parentPort are `update.state` (main → station) and the `update.call` call with
 * its `update.reply` (common/contract/shell.ts); the call goes through common/contract/shell-link.ts.
 */

/** The parts of Electron's parentPort the relay uses. */
export type UpdateRelayParent = ShellParentPort;

export type ForwardedUpdateCall = (typeof UPDATE_CALL_NAMES)[number];

export interface UpdateRelayOptions {
  router: Router;
  /** Electron's parentPort; null under the browser host. */
  parent: UpdateRelayParent | null;
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
  const { router, parent, log } = options;
  const timeoutMs = options.timeoutMs ?? UPDATE_RELAY_TIMEOUT_MS;
  let last: UpdateState | null = null;
  const shell = parent ? shellRequester(parent, (m) => log.warn(m)) : null;
  let closed = false;

  const current = (): UpdateState => last ?? options.fallback();

  parent?.on('message', (e) => {
    if (closed || (e.data as { type?: unknown } | null)?.type !== 'update.state') return;
    const parsed = ShellUpdateState.safeParse(e.data);
    if (!parsed.success) {
      log.error({ issue: parsed.error.issues[0]?.message }, 'update: the shell posted a state that breaks the contract; ignored');
      return;
    }
    if (last && JSON.stringify(last) === JSON.stringify(parsed.data.state)) return;
    last = parsed.data.state;
    router.publish('update.state', last);
  });

  const forward = async (name: ForwardedUpdateCall): Promise<unknown> => {
    if (!shell) throw new Error('no shell to forward to');
    try {
      return await shell.call('update.call', { name }, { timeoutMs, what: name });
    } catch (err) {
      // The requester logged the silence; the renderer names it.
      if (err instanceof ShellCallTimeout || err instanceof ShellClosed) throw new DomainError('unavailable', 'update_no_answer', err.message);
      if (err instanceof ShellCallFailed) throw new DomainError('unavailable', 'update_shell_failed', err.message || 'the shell could not do it');
      // A reply that breaks the contract (the requester logged it) is refused as the router refuses a bad output.
      throw new DomainError('invalid_output', 'update_shell_failed', (err as Error).message);
    }
  };

  router.handle('update.getState', () => current());
  router.handle('update.checkNow', async (_input, caller) => {
    // No shell (browser host): nothing to check; the state says why. A shell always answers (maybe "disabled").
    // The router checks main's answer against the contract before it leaves.
    const state = parent ? ((await forward('update.checkNow')) as UpdateState) : current();
    options.audit?.('update.checkNow', caller, state.phase);
    return state;
  });
  router.handle('update.forceInstall', async (_input, caller) => {
    if (parent) log.warn('update: IT confirmed an immediate install in setup');
    const r = parent
      ? ((await forward('update.forceInstall')) as { accepted: boolean; reason: 'not_ready' | 'disabled' | null })
      : { accepted: false, reason: 'disabled' as const };
    options.audit?.('update.forceInstall', caller, r.accepted ? 'accepted' : (r.reason ?? 'refused'));
    return r;
  });

  return {
    state: current,
    close() {
      closed = true;
      shell?.close('the station is stopping');
    },
  };
}
