/**
 * IT's session for tests that change a station's setup on the way to something else: setup, enrollment
 * and the held-events decision need one (station/it-access.ts). A fresh station's setup PIN is set here;
 * later calls sign in with it. The session is closed after `fn`, because taps while IT is in setup are
 * test taps, not passes or sales.
 */
import { IT_GUARDED } from '../../station/it-access.ts';
import type { RequestName } from '../../common/contract/index.ts';
import type { Caller, Router } from '../../common/contract/router.ts';
import { newCaller } from '../../common/contract/router.ts';

export const TEST_SETUP_PIN = '802417';

/** One request on one connection: its output, or it throws with the station's error. */
export type Ask = (name: string, input: unknown) => Promise<unknown>;

/** The demo school's supervisor PIN (server/demo.ts): where the roster already has IT people, they open setup. */
export const DEMO_SUPERVISOR_PIN = '3333';

export async function asIt<T>(ask: Ask, fn: () => Promise<T>): Promise<T> {
  const status = (await ask('it.status', {})) as { setupPinSet: boolean; setupPinOpen: boolean; people: { staffId: string }[] };
  if (status.setupPinSet) await ask('it.signIn', { staffId: null, pin: TEST_SETUP_PIN });
  else if (status.setupPinOpen || status.people.length === 0) await ask('it.setSetupPin', { pin: TEST_SETUP_PIN });
  else await ask('it.signIn', { staffId: status.people[0]!.staffId, pin: DEMO_SUPERVISOR_PIN });
  try {
    return await fn();
  } finally {
    await ask('it.signOut', {});
  }
}

export const isItGuarded = (name: string): boolean => (IT_GUARDED as readonly string[]).includes(name);

let reqId = 1_000_000;
/**
 * A router dispatch for tests: a request IT must make runs inside an IT session of its own caller; any
 * other request is made as the station's local caller. Returns the reply as the page would get it.
 */
export async function dispatchAsIt(router: Router, name: string, input: unknown): Promise<unknown> {
  const send = (caller: Caller | undefined, n: string, i: unknown) => router.dispatch({ t: 'req', id: reqId++, name: n as RequestName, input: i }, caller);
  if (!isItGuarded(name)) return send(undefined, name, input);
  const it = newCaller('test-it');
  const ask: Ask = async (n, i) => {
    const r = await send(it, n, i);
    if (r.t !== 'res' || !r.ok) throw new Error(`${n}: ${JSON.stringify(r.t === 'res' && !r.ok ? r.error : r)}`);
    return r.output;
  };
  return asIt(ask, () => send(it, name, input));
}
