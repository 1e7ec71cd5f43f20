/**
 * - refund: `POST /v1/refunds` {payment_intent, amount, metadata{caseId, refundId, idempotencyKey}}
 *   with our `Idempotency-Key`. Stripe keeps the first answer to a key for at least 24 hours, so the
 *   same refund asked twice is one refund.
 * - findRefund: `GET /v1/refunds/{id}` when the refund id is known, else
 *   `GET /v1/refunds?payment_intent=…` and the refund whose `metadata.idempotencyKey` is ours.
 */
import type Stripe from 'stripe';
import type { RefundLookup, RefundOutcome, RefundRequest } from '../provider.js';
import type { StripeClient } from './client.js';
import { classify } from './errors.js';
import { mapStripeRefund } from './outcomes.js';

export function stripeRefunds(stripe: StripeClient) {
  return {
    async refund(req: RefundRequest): Promise<RefundOutcome> {
      const metadata: Record<string, string> = {
        caseId: req.caseId,
        refundId: req.refundId,
        idempotencyKey: req.idempotencyKey,
      };
      if (req.description) metadata.description = req.description.slice(0, 500);
      try {
        const refund = await stripe().refunds.create(
          { payment_intent: req.paymentReference, amount: req.amount, reason: 'requested_by_customer', metadata },
          { idempotencyKey: req.idempotencyKey },
        );
        return mapStripeRefund(refund);
      } catch (err) {
        return {
          status: 'failed',
          providerReference: null,
          reason: classify(err, 'write', `refund of ${req.paymentReference}`),
        };
      }
    },

    async findRefund(lookup: RefundLookup): Promise<RefundOutcome | null> {
      const s = stripe();
      if (lookup.providerReference) {
        try {
          return mapStripeRefund(await s.refunds.retrieve(lookup.providerReference));
        } catch (err) {
          // Unknown id (another account, a typo): look for the key instead.
          classify(err, 'read', `retrieve ${lookup.providerReference}`);
        }
      }
      let startingAfter: string | undefined;
      for (;;) {
        let page: Stripe.ApiList<Stripe.Refund>;
        try {
          page = await s.refunds.list({
            payment_intent: lookup.paymentReference,
            limit: 100,
            ...(startingAfter ? { starting_after: startingAfter } : {}),
          });
        } catch (err) {
          // No such payment intent: Stripe never saw a refund of it.
          classify(err, 'read', `list refunds of ${lookup.paymentReference}`);
          return null;
        }
        const mine = page.data.find((r) => r.metadata?.idempotencyKey === lookup.idempotencyKey);
        if (mine) return mapStripeRefund(mine);
        const last = page.data.at(-1);
        if (!page.has_more || !last) return null;
        startingAfter = last.id;
      }
    },
  };
}
