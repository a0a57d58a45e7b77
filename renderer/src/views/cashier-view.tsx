import { CashierScreen } from './cashier-screen.tsx';

/** Canteen cashier mode (issue 6): see cashier-screen.tsx. Never a balance shown to the queue. */
export function CashierView() {
  return <CashierScreen />;
}
