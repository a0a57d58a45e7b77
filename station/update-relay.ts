import { UpdateState } from '../common/update-policy.ts';
import { DomainError, type Caller, type Router } from '../core/bridge/router.ts';
import type { Logger } from '../common/logger.ts';

/**
 * The station's side of auto-update. The updater lives in the Electron shell (main/updater.ts); the
 * renderers talk only to the station. So the station keeps the last state main posted, answers
 * `update.getState` with it, pushes `update.state` on every change, and forwards `update.checkNow` /
 * `update.forceInstall` to main over the utility process's parentPort, passing main's answer back.
 * Under the browser host there is no shell: the state is `disabled` (browser_host) and nothing is forwarded.
 *
 * Messages on the parentPort (main ↔ station):
 *   main → station  { type: 'update.state', state }
 *   station → main  { type: 'update.call', id, name: 'update.checkNow' | 'update.forceInstall' }
 *   main → station  { type: 'update.reply', id, ok: true, output } | { type: 'update.reply', id, ok: false, message }
 */

/** The parts of Electron's parentPort the relay uses. */
export interface UpdateRelayParent {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export type ForwardedUpdateCall = 'update.checkNow' | 'update.forceInstall';

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
  let nextId = 1;
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  let closed = false;

  const current = (): UpdateState => last ?? options.fallback();

  parent?.on('message', (e) => {
    if (closed) return;
    const data = e.data as { type?: unknown; id?: unknown; ok?: unknown; output?: unknown; message?: unknown; state?: unknown } | null;
    if (data?.type === 'update.state') {
      const parsed = UpdateState.safeParse(data.state);
      if (!parsed.success) {
        log.error({ issue: parsed.error.issues[0]?.message }, 'update: the shell posted a state that breaks the contract; ignored');
        return;
      }
      if (last && JSON.stringify(last) === JSON.stringify(parsed.data)) return;
      last = parsed.data;
      router.publish('update.state', last);
      return;
    }
    if (data?.type === 'update.reply' && typeof data.id === 'number') {
      const p = pending.get(data.id);
      if (!p) return;
      pending.delete(data.id);
      clearTimeout(p.timer);
      if (data.ok === true) p.ok(data.output);
      else p.fail(new DomainError('unavailable', 'update_shell_failed', typeof data.message === 'string' ? data.message : 'the shell could not do it'));
    }
  });

  const forward = (name: ForwardedUpdateCall): Promise<unknown> => {
    if (!parent) throw new Error('no shell to forward to');
    const id = nextId++;
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        log.warn({ request: name, timeoutMs }, 'update: the shell did not answer');
        fail(new DomainError('unavailable', 'update_no_answer', `the shell did not answer ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref?.();
      pending.set(id, { ok, fail, timer });
      parent.postMessage({ type: 'update.call', id, name });
    });
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
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.fail(new DomainError('unavailable', 'update_no_answer', 'the station is stopping'));
      }
      pending.clear();
    },
  };
}
