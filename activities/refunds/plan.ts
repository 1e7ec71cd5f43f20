/**
 * `planRefunds`: fixes once per case and purpose what a credit pays out and to which of the order's
 * payments, under a lock on them, so no payment ever gives back more than it took.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Condition } from '../../domain/case-status.js';
import { refundTerms } from '../../domain/policy.js';
import { allocateRefund, payoutFor, storeCreditFor } from '../../domain/refunds.js';
import { claimedQuantities } from '../../db/claims.js';
import { orderLines, orderPayments, orders, payouts, refunds, returnCases } from '../../db/schema.js';
import type { ActivityDeps } from '../deps.js';
import { keyFor, newRefundId, toState, type RefundState } from './records.js';

export interface PlanRefundsInput {
  caseId: string;
  purpose: string;
  /** What the credit note credited. */
  credited: number;
  /** Inspected conditions of the returned lines (null: not inspected); a defective one waives the fee. */
  conditions: (Condition | null)[];
  /** Goods came back (return credit): the return shipping fee applies and the delivery cost may come back. */
  goodsReturned: boolean;
}

export function refundPlanning({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    async planRefunds(input: PlanRefundsInput): Promise<RefundState[]> {
      const { caseId, purpose } = input;
      const existing = await db
        .select()
        .from(refunds)
        .where(and(eq(refunds.caseId, caseId), eq(refunds.purpose, purpose)));
      const [planned] = await db
        .select()
        .from(payouts)
        .where(and(eq(payouts.caseId, caseId), eq(payouts.purpose, purpose)));
      if (planned) return existing.map(toState);

      return db.transaction(async (tx) => {
        const [c] = await tx.select().from(returnCases).where(eq(returnCases.id, caseId));
        if (!c) throw new Error(`case ${caseId} not found`);
        // The order's payments are locked: concurrent cases of one order allocate one after the other.
        const tenders = await tx
          .select()
          .from(orderPayments)
          .where(eq(orderPayments.orderId, c.orderId))
          .orderBy(orderPayments.position)
          .for('update');
        const [order] = await tx.select().from(orders).where(eq(orders.id, c.orderId));
        const terms = refundTerms(c.policy);
        let deliveryCost = 0;
        if (input.goodsReturned && order?.deliveryCost) {
          const lines = await tx.select().from(orderLines).where(eq(orderLines.orderId, c.orderId));
          const claimed = await claimedQuantities(tx as never, c.orderId);
          const [refundedDelivery] = await tx
            .select({ n: sql<number>`coalesce(sum(${payouts.delivery}), 0)`.mapWith(Number) })
            .from(payouts)
            .innerJoin(returnCases, eq(returnCases.id, payouts.caseId))
            .where(eq(returnCases.orderId, c.orderId));
          const wholeOrderBack = lines.every((l) => (claimed.get(l.id) ?? 0) >= l.quantity);
          if (wholeOrderBack && (refundedDelivery?.n ?? 0) === 0) deliveryCost = order.deliveryCost;
        }
        const payout = payoutFor({
          credited: input.credited,
          returnShippingFee: input.goodsReturned ? terms.returnShippingFee : 0,
          conditions: input.conditions,
          deliveryCost,
        });
        const base = {
          caseId,
          purpose,
          orderId: c.orderId,
          customerId: c.customerId,
          currency: c.currency,
          status: 'pending' as const,
        };
        const rows: (typeof refunds.$inferInsert)[] = [];
        let bonus = 0;
        let shortfall = 0;
        if (payout.amount > 0 && c.refundMethod === 'store_credit') {
          const credit = storeCreditFor(payout.amount, terms.storeCreditBonusPercent);
          bonus = credit.bonus;
          const slot = 'store_credit';
          rows.push({
            ...base,
            id: newRefundId(),
            slot,
            provider: 'gift_card',
            amount: credit.total,
            idempotencyKey: keyFor(caseId, purpose, slot, 1),
          });
        } else if (payout.amount > 0) {
          const usable = tenders.filter((t) => t.currency === c.currency);
          const taken = usable.length
            ? await tx
                .select({
                  paymentId: refunds.paymentId,
                  n: sql<number>`coalesce(sum(${refunds.amount}), 0)`.mapWith(Number),
                })
                .from(refunds)
                .where(
                  and(
                    inArray(
                      refunds.paymentId,
                      usable.map((t) => t.id),
                    ),
                    inArray(refunds.status, ['pending', 'succeeded']),
                  ),
                )
                .groupBy(refunds.paymentId)
            : [];
          const refunded = new Map(taken.map((t) => [t.paymentId, t.n]));
          const allocation = allocateRefund(
            payout.amount,
            usable.map((t) => ({ paymentId: String(t.id), amount: t.amount, refunded: refunded.get(t.id) ?? 0 })),
          );
          shortfall = allocation.shortfall;
          for (const part of allocation.parts) {
            const tender = usable.find((t) => String(t.id) === part.paymentId);
            if (!tender) continue;
            const slot = `payment:${tender.id}`;
            rows.push({
              ...base,
              id: newRefundId(),
              slot,
              paymentId: tender.id,
              provider: tender.provider,
              paymentReference: tender.reference,
              amount: part.amount,
              idempotencyKey: keyFor(caseId, purpose, slot, 1),
            });
          }
        }
        await tx.insert(payouts).values({
          caseId,
          purpose,
          method: c.refundMethod,
          credited: input.credited,
          fee: payout.fee,
          delivery: payout.delivery,
          amount: payout.amount,
          bonus,
          shortfall,
          currency: c.currency,
        });
        const inserted = rows.length ? await tx.insert(refunds).values(rows).returning() : [];
        return inserted.map(toState);
      });
    },
  };
}
