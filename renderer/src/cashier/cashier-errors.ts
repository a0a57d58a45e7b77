import { useTranslation } from 'react-i18next';
import { BridgeErrorCode } from '../../../common/contract/envelope.ts';
import { CashierErrorReason, StationRefusal, isReasonOf } from '../../../common/contract/refusals.ts';

/**
 * A refused till request in words (the code from `errorReason`): the cashier's reasons, then the
 * station's, then the bridge's error code; the raw code only for one the contract does not list.
 */
export function useCashierErrorText(): (reason: string) => string {
  const { t } = useTranslation('cashier');
  const common = useTranslation('common').t;
  return (reason) => {
    if (isReasonOf(CashierErrorReason, reason)) return t(`errors.${reason}`);
    if (isReasonOf(StationRefusal, reason)) return common(`refusal.${reason}`);
    if (isReasonOf(BridgeErrorCode, reason)) return common(`errors.${reason}`, { field: '' });
    return reason;
  };
}
