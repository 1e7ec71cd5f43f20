/**
 * Payment links (a charge the card refused, or an order paid otherwise): a Checkout Session with one
 * `price_data` line item and our `Idempotency-Key`. Stripe expires an open session after 24 hours
 * (its maximum); the session id is kept to follow it up.
 */
import type { StripeClient } from './client.js';
import type { PaymentLinkOutcome, PaymentLinkRequest, PaymentLinks } from './contract.js';
import { classify } from './errors.js';

export function stripePaymentLinks(stripe: StripeClient): PaymentLinks {
  return {
    async createPaymentLink(req: PaymentLinkRequest): Promise<PaymentLinkOutcome> {
      const metadata = { caseId: req.caseId, purpose: req.purpose, idempotencyKey: req.idempotencyKey };
      try {
        const session = await stripe().checkout.sessions.create(
          {
            mode: 'payment',
            line_items: [
              {
                quantity: 1,
                price_data: {
                  currency: req.currency.toLowerCase(),
                  unit_amount: req.amount,
                  product_data: { name: req.description.slice(0, 250) },
                },
              },
            ],
            success_url: req.successUrl,
            cancel_url: req.cancelUrl,
            client_reference_id: req.caseId.slice(0, 200),
            ...(req.customerEmail ? { customer_email: req.customerEmail } : {}),
            metadata,
            payment_intent_data: { metadata },
          },
          { idempotencyKey: req.idempotencyKey },
        );
        if (!session.url)
          return {
            status: 'failed',
            providerReference: null,
            reason: `Checkout Session ${session.id} has no url (status ${String(session.status)})`,
          };
        return {
          status: 'created',
          providerReference: session.id,
          url: session.url,
          expiresAt: session.expires_at ? new Date(session.expires_at * 1000).toISOString() : null,
        };
      } catch (err) {
        return { status: 'failed', providerReference: null, reason: classify(err, 'write', 'payment link') };
      }
    },
  };
}
