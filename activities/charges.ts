/**
 * Charges to the customer (price differences, unreturned replacements); one per case and purpose.
 *
 * `recordCharge` writes the charge down (no money moves). `collectCharge` then collects it, once:
 * off-session on the saved card of the order's first payment whose provider can charge (Stripe),
 * with an idempotency key from case + purpose + payment; if the card refuses (declined, 3-D Secure
 * needed) or no payment can be charged, a payment link (Stripe Checkout) for the customer to pay;
 * without any provider that can do either, the charge stays `recorded` and the shop collects it.
 * A charge whose answer was lost is looked up by its key before anything else: never charged twice.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { ChargeStatus } from '../domain/charges.js';
import type { PaymentProviderName } from '../domain/refunds.js';
import { charges, customers, orderPayments, returnCases } from '../db/schema.js';
import {
  idempotencyKey,
  OutcomeUnknown,
  ProviderNotConfigured,
  type ChargeOutcome,
  type PaymentProvider,
} from '../payments/provider.js';
import type { ChargeLookup, PaymentLinks } from '../payments/stripe.js';
import type { ActivityDeps } from './deps.js';

/** What became of a charge. */
export interface ChargeState {
  status: ChargeStatus;
  amount: number;
  currency: string;
  /** The PaymentIntent (collected) or the Checkout Session (payment_link). */
  providerReference: string | null;
  /** The link the customer pays with (payment_link), to put in the e-mail. */
  paymentUrl: string | null;
  /** The charge's own reason, as recorded ("price difference …"). */
  reason: string;
  /** Why it was not collected off-session (a decline, no provider): null when collected. */
  failureReason: string | null;
}

/** The reason a charge stays with the shop when no provider here can charge or send a link. */
export const COLLECTED_BY_SHOP = 'no provider can collect this charge: collected by the shop';

type ChargeRow = typeof charges.$inferSelect;
type Chargeable = PaymentProvider &
  Required<Pick<PaymentProvider, 'charge'>> & { findCharge?(lookup: ChargeLookup): Promise<ChargeOutcome | null> };

const toState = (r: ChargeRow): ChargeState => ({
  status: r.status,
  amount: r.amount,
  currency: r.currency,
  providerReference: r.providerReference,
  paymentUrl: r.paymentUrl,
  reason: r.reason,
  failureReason: r.failureReason,
});

const canCharge = (p: PaymentProvider | undefined): p is Chargeable => typeof p?.charge === 'function';
const canLink = (p: PaymentProvider | undefined): p is PaymentProvider & PaymentLinks =>
  typeof (p as Partial<PaymentLinks> | undefined)?.createPaymentLink === 'function';

/** The key of one charge: case + `charge:<purpose>` + the payment whose card is charged. */
export const chargeKey = (caseId: string, purpose: string, paymentReference: string) =>
  idempotencyKey(caseId, `charge:${purpose}`, paymentReference);

export function chargeActivities({ db, payments, publicUrl }: Pick<ActivityDeps, 'db' | 'payments' | 'publicUrl'>) {
  async function load(caseId: string, purpose: string): Promise<ChargeRow> {
    const [row] = await db
      .select()
      .from(charges)
      .where(and(eq(charges.caseId, caseId), eq(charges.purpose, purpose)));
    if (!row) throw new Error(`no ${purpose} charge recorded for case ${caseId}`);
    return row;
  }

  /** Writes an end state on a charge still `recorded` (a concurrent attempt that finished first stands). */
  async function settle(row: ChargeRow, change: Partial<typeof charges.$inferInsert>): Promise<ChargeState> {
    await db
      .update(charges)
      .set({ ...change, settledAt: change.status && change.status !== 'recorded' ? new Date() : null })
      .where(and(eq(charges.id, row.id), eq(charges.status, 'recorded')));
    return toState(await load(row.caseId, row.purpose));
  }

  /** The customer pays themselves: a payment link, or (no provider can make one) the shop collects. */
  async function linkOrLeave(
    row: ChargeRow,
    declined: { provider: PaymentProviderName; reason: string } | null,
  ): Promise<ChargeState> {
    const linker = Object.entries(payments).find(([, p]) => canLink(p)) as
      [PaymentProviderName, PaymentProvider & PaymentLinks] | undefined;
    if (!linker) {
      if (declined)
        return settle(row, {
          status: 'failed',
          failureReason: `${declined.provider}: ${declined.reason}; no provider here can make a payment link`,
        });
      return settle(row, { status: 'recorded', provider: null, failureReason: COLLECTED_BY_SHOP });
    }
    const [name, provider] = linker;
    const [customer] = await db
      .select({ email: customers.email })
      .from(customers)
      .where(eq(customers.id, row.customerId));
    const back = `${publicUrl}/portal?case=${encodeURIComponent(row.caseId)}`;
    const before = declined ? `${declined.provider}: ${declined.reason}` : null;
    try {
      const link = await provider.createPaymentLink({
        idempotencyKey: idempotencyKey(row.caseId, `payment_link:${row.purpose}`, name),
        amount: row.amount,
        currency: row.currency,
        description: `${row.reason} (return ${row.caseId})`,
        caseId: row.caseId,
        purpose: row.purpose,
        successUrl: `${back}&payment=succeeded`,
        cancelUrl: `${back}&payment=cancelled`,
        ...(customer?.email ? { customerEmail: customer.email } : {}),
      });
      if (link.status === 'created') {
        return settle(row, {
          status: 'payment_link',
          provider: name,
          providerReference: link.providerReference,
          paymentUrl: link.url,
          failureReason: before ?? 'no saved card to charge: payment link sent',
        });
      }
      return settle(row, {
        status: 'failed',
        provider: name,
        failureReason: before ? `${before}; payment link: ${link.reason}` : `payment link: ${link.reason}`,
      });
    } catch (err) {
      if (!(err instanceof ProviderNotConfigured)) throw err;
      return settle(row, {
        status: 'failed',
        provider: name,
        failureReason: before ? `${before}; ${err.message}` : err.message,
      });
    }
  }

  return {
    async recordCharge(input: {
      caseId: string;
      purpose: string;
      amount: number;
      currency: string;
      reason: string;
    }): Promise<{ amount: number; currency: string }> {
      const [c] = await db.select().from(returnCases).where(eq(returnCases.id, input.caseId));
      if (!c) throw new Error(`case ${input.caseId} not found`);
      await db
        .insert(charges)
        .values({ ...input, orderId: c.orderId, customerId: c.customerId })
        .onConflictDoNothing();
      const [row] = await db
        .select()
        .from(charges)
        .where(and(eq(charges.caseId, input.caseId), eq(charges.purpose, input.purpose)));
      return { amount: row!.amount, currency: row!.currency };
    },

    /**
     * Collects a recorded charge (idempotent: a charge already collected, linked or failed answers
     * its state). Transient provider trouble is thrown (the activity retries with the same key).
     */
    async collectCharge({ caseId, purpose }: { caseId: string; purpose: string }): Promise<ChargeState> {
      const row = await load(caseId, purpose);
      if (row.status !== 'recorded') return toState(row);
      if (row.amount <= 0)
        return settle(row, { status: 'recorded', failureReason: 'nothing to collect: the amount is 0' });

      const tenders = await db
        .select()
        .from(orderPayments)
        .where(eq(orderPayments.orderId, row.orderId))
        .orderBy(asc(orderPayments.position));
      const tender = tenders.find((t) => canCharge(payments[t.provider]));
      if (!tender) return linkOrLeave(row, null);
      const provider = payments[tender.provider] as Chargeable;
      const key = chargeKey(caseId, purpose, tender.reference);
      const lookup = { idempotencyKey: key, paymentReference: tender.reference };

      const apply = async (outcome: ChargeOutcome): Promise<ChargeState> => {
        if (outcome.status === 'succeeded') {
          return settle(row, {
            status: 'collected',
            provider: tender.provider,
            paymentReference: tender.reference,
            providerReference: outcome.providerReference,
            failureReason: null,
          });
        }
        if (outcome.status === 'pending') {
          // Processing at the provider: not a decline. Keep what is known; the retry looks it up.
          await db
            .update(charges)
            .set({
              providerReference: outcome.providerReference ?? row.providerReference,
              failureReason: outcome.reason ?? 'processing',
            })
            .where(and(eq(charges.id, row.id), eq(charges.status, 'recorded')));
          throw new Error(
            `charge ${caseId}/${purpose} is still processing at ${tender.provider} (${outcome.providerReference ?? 'no reference yet'}): retry to look it up`,
          );
        }
        return linkOrLeave(row, {
          provider: tender.provider,
          reason: outcome.providerReference ? `${outcome.reason} (${outcome.providerReference})` : outcome.reason,
        });
      };

      try {
        // An earlier attempt asked already (its answer lost, or the worker died): what the provider knows decides.
        if (row.requestedAt && provider.findCharge) {
          const found = await provider.findCharge(lookup);
          if (found) return await apply(found);
        }
        await db
          .update(charges)
          .set({ requestedAt: new Date(), provider: tender.provider, paymentReference: tender.reference })
          .where(eq(charges.id, row.id));
        let outcome: ChargeOutcome;
        try {
          outcome = await provider.charge({
            idempotencyKey: key,
            paymentReference: tender.reference,
            amount: row.amount,
            currency: row.currency,
            caseId,
            description: `${row.reason} (return ${caseId})`,
          });
        } catch (err) {
          if (!(err instanceof OutcomeUnknown) || !provider.findCharge) throw err;
          const found = await provider.findCharge(lookup);
          // Stripe never saw it: the activity retries (the same key, so still at most one charge).
          if (!found) throw err;
          outcome = found;
        }
        return await apply(outcome);
      } catch (err) {
        if (err instanceof ProviderNotConfigured)
          return linkOrLeave(row, { provider: tender.provider, reason: err.message });
        throw err;
      }
    },
  };
}
