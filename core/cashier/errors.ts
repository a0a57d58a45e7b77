import type { CashierErrorReason } from '../../common/contract/cashier.ts';

/** A refusal of a cashier request, as a reason code the renderer translates. */
export class CashierError extends Error {
  override name = 'CashierError';
  readonly reason: CashierErrorReason;
  constructor(reason: CashierErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface CashierLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
