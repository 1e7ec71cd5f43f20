/**
 * Money back, exactly once: the refund activities (planRefunds, executeRefund, retryRefund,
 * settleRefundManually). Workflows call them by these names and recorded histories replay them, so
 * the set stays as it is; the work is in activities/refunds/.
 */
import type { ActivityDeps } from './deps.js';
import { refundExecution } from './refunds/execute.js';
import { refundFinance } from './refunds/finance.js';
import { refundPlanning } from './refunds/plan.js';
import { refundRecords } from './refunds/records.js';

export type { PlanRefundsInput } from './refunds/plan.js';
export type { RefundState } from './refunds/records.js';

export function refundActivities(deps: Pick<ActivityDeps, 'db' | 'payments'>) {
  const records = refundRecords(deps);
  return {
    ...refundPlanning(deps),
    ...refundExecution(deps, records),
    ...refundFinance(deps, records),
  };
}
