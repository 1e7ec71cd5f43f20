/**
 * Money back, exactly once. `planRefunds` fixes once per case and purpose what a credit pays out
 * and to which of the order's payments (under a lock on them, so no payment ever gives back more
 * than it took); `executeRefund` asks the provider with the refund's idempotency key, and when an
 * earlier attempt may have reached the provider it looks the refund up first instead of asking
 * again. `gift_card` (the store-credit ledger) and `manual` (finance pays by hand) are ours.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Condition } from '../domain/case-status.js';
import { refundTerms } from '../domain/policy.js';
import { allocateRefund, payoutFor, storeCreditCode, storeCreditFor, type RefundStatus } from '../domain/refunds.js';
import { claimedQuantities } from '../db/claims.js';
import { orderLines, orderPayments, orders, payouts, refunds, returnCases, storeCreditEntries } from '../db/schema.js';
import { idempotencyKey, OutcomeUnknown, ProviderNotConfigured, type RefundOutcome } from '../payments/provider.js';
import type { ActivityDeps } from './deps.js';

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

type RefundRow = typeof refunds.$inferSelect;

const toState = (r: RefundRow): RefundState => ({
  id: r.id,
  provider: r.provider,
  amount: r.amount,
  currency: r.currency,
  status: r.status,
  attempt: r.attempt,
  providerReference: r.providerReference,
  failureReason: r.failureReason,
});

const newRefundId = () => `RF-${randomBytes(8).toString('hex').toUpperCase()}`;
const keyFor = (caseId: string, purpose: string, slot: string, attempt: number) =>
  idempotencyKey(caseId, attempt === 1 ? purpose : `${purpose}#${attempt}`, slot);

export function refundActivities({ db, payments }: Pick<ActivityDeps, 'db' | 'payments'>) {
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

  /** Our own ledger: the amount goes (back) onto a store-credit code, once per refund. */
  async function creditLedger(row: RefundRow): Promise<RefundState> {
    const code =
      row.slot === 'store_credit'
        ? storeCreditCode((n) => randomInt(n))
        : (row.paymentReference ?? storeCreditCode((n) => randomInt(n)));
    const [payout] = await db
      .select()
      .from(payouts)
      .where(and(eq(payouts.caseId, row.caseId), eq(payouts.purpose, row.purpose)));
    const bonus = row.slot === 'store_credit' ? (payout?.bonus ?? 0) : 0;
    await db
      .insert(storeCreditEntries)
      .values({
        customerId: row.customerId,
        code,
        caseId: row.caseId,
        refundId: row.id,
        amount: row.amount,
        bonus,
        currency: row.currency,
      })
      .onConflictDoNothing();
    const [entry] = await db.select().from(storeCreditEntries).where(eq(storeCreditEntries.refundId, row.id));
    return apply(row, { status: 'succeeded', providerReference: entry?.code ?? code });
  }

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
