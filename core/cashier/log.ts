/** Where the till logs: the station's logger (a child with area 'cashier'). */
export interface CashierLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
