/**
 * Slows down enrollment-code guessing per client address: a few wrong codes are free (a person
 * mistypes), then every further attempt from that address waits a delay that doubles with each
 * wrong code, up to a cap. An attempt inside the delay is answered 429 with Retry-After before the
 * code is even looked at, so a guesser gets a handful of tries an hour instead of thousands a second.
 */
export interface EnrollGuardOptions {
  /** Wrong codes allowed before the delay starts. */
  free?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Addresses remembered at most (oldest forgotten first), so the table cannot grow without end. */
  maxAddresses?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  notBefore: number;
}

export class EnrollGuard {
  readonly #free: number;
  readonly #base: number;
  readonly #max: number;
  readonly #maxAddresses: number;
  readonly #now: () => number;
  readonly #byAddress = new Map<string, Entry>();

  constructor(options: EnrollGuardOptions = {}) {
    this.#free = options.free ?? 5;
    this.#base = options.baseDelayMs ?? 1000;
    this.#max = options.maxDelayMs ?? 15 * 60_000;
    this.#maxAddresses = options.maxAddresses ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Milliseconds this address must still wait, or 0. */
  waitMs(address: string): number {
    const e = this.#byAddress.get(address);
    return e ? Math.max(0, e.notBefore - this.#now()) : 0;
  }

  /** Records a wrong code; returns the delay the next attempt from the address must wait. */
  failed(address: string): number {
    const e = this.#byAddress.get(address) ?? { failures: 0, notBefore: 0 };
    e.failures += 1;
    const over = e.failures - this.#free;
    const delay = over > 0 ? Math.min(this.#max, this.#base * 2 ** Math.min(over - 1, 30)) : 0;
    e.notBefore = this.#now() + delay;
    this.#byAddress.delete(address);
    this.#byAddress.set(address, e);
    if (this.#byAddress.size > this.#maxAddresses) this.#byAddress.delete(this.#byAddress.keys().next().value!);
    return delay;
  }

  succeeded(address: string): void {
    this.#byAddress.delete(address);
  }
}
