/** A refund row as the workflow sees it, its idempotency key per attempt, and recording an outcome. */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { RefundStatus } from '../../domain/refunds.js';
import { refunds } from '../../db/schema.js';
import { idempotencyKey, type RefundOutcome } from '../../payments/provider.js';
import type { ActivityDeps } from '../deps.js';

export interface RefundState {
  id: string;
  provider: string;
  amount: number;
  currency: string;
  status: RefundStatus;
  attempt: number;
  providerReference: string | null;
  failureReason: string | null;
}

export type RefundRow = typeof refunds.$inferSelect;

export const toState = (r: RefundRow): RefundState => ({
  id: r.id,
  provider: r.provider,
  amount: r.amount,
  currency: r.currency,
  status: r.status,
  attempt: r.attempt,
  providerReference: r.providerReference,
  failureReason: r.failureReason,
});

export const newRefundId = () => `RF-${randomBytes(8).toString('hex').toUpperCase()}`;
/** A retry is a new attempt with a new key: the old key would replay the refusal. */
export const keyFor = (caseId: string, purpose: string, slot: string, attempt: number) =>
  idempotencyKey(caseId, attempt === 1 ? purpose : `${purpose}#${attempt}`, slot);

export function refundRecords({ db }: Pick<ActivityDeps, 'db'>) {
  async function load(refundId: string): Promise<RefundRow> {
    const [row] = await db.select().from(refunds).where(eq(refunds.id, refundId));
    if (!row) throw new Error(`refund ${refundId} not found`);
    return row;
  }

  /** Records an outcome on a refund still pending (a webhook may have settled it meanwhile: that stands). */
  async function apply(row: RefundRow, outcome: RefundOutcome): Promise<RefundState> {
    const final = outcome.status !== 'pending';
    await db
      .update(refunds)
      .set({
        status: outcome.status,
        providerReference: outcome.providerReference ?? row.providerReference,
        failureReason: outcome.status === 'succeeded' ? null : (outcome.reason ?? null),
        settledAt: final ? new Date() : null,
        updatedAt: new Date(),
      })
      .where(and(eq(refunds.id, row.id), eq(refunds.status, 'pending'), eq(refunds.attempt, row.attempt)));
    return toState(await load(row.id));
  }

  return { load, apply };
}

export type RefundRecords = ReturnType<typeof refundRecords>;
