export { Cashier, CashierError, type CashierDeps, type CashierEvents, type CashierLog } from './cashier.ts';
export { hashPin, verifyPin } from './pin.ts';
