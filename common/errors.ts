import type { BridgeError } from './contract/index.ts';
import type { RefusalReason } from './contract/refusals.ts';

/**
 * A refusal a person should understand, thrown by any service or handler: the router turns it into the
 * reply's `code` and `reason`, and the renderer translates the reason (common/contract/refusals.ts lists
 * every one). The transport only maps it; the domain owns it.
 */
export class DomainError extends Error {
  override name = 'DomainError';
  readonly code: BridgeError['code'];
  readonly reason: RefusalReason;
  constructor(code: BridgeError['code'], reason: RefusalReason, message: string = reason) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}
