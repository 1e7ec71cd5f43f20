/** A credit_only case moves money, not goods: it may credit what was paid for its lines, less what credit notes already gave back. */
import { creditedAmounts } from '../db/claims.js';
import type { PolicyViolation } from '../domain/policy.js';
import type { OrderLineRow } from './case-request.js';
import type { PaidLine } from './line-check.js';
import type { CaseTx } from './transaction.js';

/** The amount to credit (the asked one, else all that is left), with a violation when it is too much. */
export async function creditOnlyAmount(
  tx: CaseTx,
  orderId: string,
  paidLines: readonly PaidLine[],
  byId: ReadonlyMap<string, OrderLineRow>,
  asked: number | undefined,
): Promise<{ amount: number; violations: PolicyViolation[] }> {
  const credited = await creditedAmounts(tx as never, orderId);
  const creditable = paidLines.reduce((sum, l) => {
    const ol = byId.get(l.orderLineId)!;
    return sum + Math.min(l.unitPrice * l.quantity, ol.unitPrice * ol.quantity - (credited.get(l.orderLineId) ?? 0));
  }, 0);
  const amount = asked ?? creditable;
  const violations =
    amount > creditable || creditable <= 0
      ? [
          {
            field: 'creditAmount',
            detail: `at most ${Math.max(0, creditable)} can be credited for these lines (paid minus already credited)`,
          },
        ]
      : [];
  return { amount, violations };
}
