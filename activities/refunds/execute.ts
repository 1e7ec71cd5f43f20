/**
 * `executeRefund`: asks the provider with the refund's idempotency key; when an earlier attempt may
 * have reached the provider it looks the refund up first instead of asking again. `gift_card` and
 * `manual` (finance pays by hand) are ours.
 */
import { and, eq } from 'drizzle-orm';
import { refunds } from '../../db/schema.js';
import { OutcomeUnknown, ProviderNotConfigured } from '../../payments/provider.js';
import type { ActivityDeps } from '../deps.js';
import { toState, type RefundRecords, type RefundState } from './records.js';
import { storeCreditLedger } from './store-credit.js';

export function refundExecution({ db, payments }: Pick<ActivityDeps, 'db' | 'payments'>, records: RefundRecords) {
  const { load, apply } = records;
  const creditLedger = storeCreditLedger({ db }, records);

  return {
    /** Asks the provider once per attempt; a refund that may have reached it is looked up, not asked again. */
    async executeRefund({ refundId }: { refundId: string }): Promise<RefundState> {
      const row = await load(refundId);
      if (row.status !== 'pending') return toState(row);
      if (row.provider === 'gift_card') return creditLedger(row);
      if (row.provider === 'manual') {
        if (!row.failureReason) {
          await db
            .update(refunds)
            .set({ failureReason: 'paid out by hand: waiting for finance to confirm', updatedAt: new Date() })
            .where(eq(refunds.id, row.id));
        }
        return toState(await load(row.id));
      }
      const provider = payments[row.provider];
      const notConfigured = async (why: string) => {
        await db
          .update(refunds)
          .set({ failureReason: why, updatedAt: new Date() })
          .where(and(eq(refunds.id, row.id), eq(refunds.status, 'pending')));
        return toState(await load(row.id));
      };
      if (!provider || !row.paymentReference)
        return notConfigured(`${row.provider} is not configured here (see the README's provider settings)`);
      const lookup = {
        idempotencyKey: row.idempotencyKey,
        paymentReference: row.paymentReference,
        providerReference: row.providerReference,
        refundId: row.id,
        amount: row.amount,
        currency: row.currency,
      };
      try {
        if (row.requestedAt) {
          const found = await provider.findRefund(lookup);
          if (found) return apply(row, found);
        }
        await db.update(refunds).set({ requestedAt: new Date(), updatedAt: new Date() }).where(eq(refunds.id, row.id));
        try {
          const outcome = await provider.refund({
            idempotencyKey: row.idempotencyKey,
            paymentReference: row.paymentReference,
            amount: row.amount,
            currency: row.currency,
            refundId: row.id,
            caseId: row.caseId,
            description: `return ${row.caseId}`,
          });
          return apply(row, outcome);
        } catch (err) {
          if (!(err instanceof OutcomeUnknown)) throw err;
          // The answer was lost: what the provider knows decides, and if it knows nothing the activity retries.
          const found = await provider.findRefund(lookup);
          if (found) return apply(row, found);
          throw err;
        }
      } catch (err) {
        if (err instanceof ProviderNotConfigured) return notConfigured(`${row.provider}: ${err.message}`);
        throw err;
      }
    },
  };
}
