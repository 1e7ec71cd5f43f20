/** What finance does to a refund by hand: retry a refused one, or settle it as paid. */
import { and, eq, inArray } from 'drizzle-orm';
import { refunds } from '../../db/schema.js';
import type { ActivityDeps } from '../deps.js';
import { keyFor, toState, type RefundRecords, type RefundState } from './records.js';

export function refundFinance({ db }: Pick<ActivityDeps, 'db'>, { load }: RefundRecords) {
  return {
    /** Finance retries a refused refund: a new attempt with a new idempotency key (the old key would replay the refusal). */
    async retryRefund({ refundId, by }: { refundId: string; by: string }): Promise<RefundState> {
      const row = await load(refundId);
      if (row.status !== 'failed') return toState(row);
      const attempt = row.attempt + 1;
      await db
        .update(refunds)
        .set({
          status: 'pending',
          attempt,
          idempotencyKey: keyFor(row.caseId, row.purpose, row.slot, attempt),
          failureReason: null,
          requestedAt: null,
          settledAt: null,
          note: `retried by ${by}`,
          updatedAt: new Date(),
        })
        .where(and(eq(refunds.id, refundId), eq(refunds.status, 'failed'), eq(refunds.attempt, row.attempt)));
      return toState(await load(refundId));
    },

    /** Finance paid it out by hand (or confirmed a manual payout): settled, with who and why. */
    async settleRefundManually({
      refundId,
      by,
      note,
    }: {
      refundId: string;
      by: string;
      note: string;
    }): Promise<RefundState> {
      const row = await load(refundId);
      if (row.status === 'succeeded') return toState(row);
      await db
        .update(refunds)
        .set({
          status: 'succeeded',
          settledBy: by,
          note,
          failureReason: null,
          providerReference: row.providerReference ?? `manual:${by}`,
          settledAt: new Date(),
          updatedAt: new Date(),
        })
        .where(and(eq(refunds.id, refundId), inArray(refunds.status, ['pending', 'failed'])));
      return toState(await load(refundId));
    },
  };
}
