export { Cashier, type CashierDeps, type CashierEvents, type CashierLog } from './cashier.ts';
export { wireCashier, type CashierWiring } from './wiring.ts';
