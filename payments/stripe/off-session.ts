/**
 * Off-session PaymentIntents on the card of an original payment, shared by charges and holds: made
 * with our key in `metadata.idempotencyKey`, so one whose answer was lost can be found again.
 */
import type Stripe from 'stripe';
import type { ChargeRequest } from '../provider.js';
import type { StripeClient } from './client.js';
import type { ChargeLookup } from './contract.js';
import { classify } from './errors.js';
import { errorPaymentIntent, idOf } from './outcomes.js';

/** Why no PaymentIntent was made, and the one Stripe attached to the refusal, if any. */
export type NotCreated = { failed: string; providerReference: string | null };

export function offSessionIntents(stripe: StripeClient) {
  /** The original payment's customer and saved payment method, or why it has none. */
  async function originalPayment(
    paymentReference: string,
  ): Promise<{ customer: string; paymentMethod: string } | string> {
    let pi: Stripe.PaymentIntent;
    try {
      pi = await stripe().paymentIntents.retrieve(paymentReference);
    } catch (err) {
      return classify(err, 'read', `retrieve ${paymentReference}`);
    }
    const customer = idOf(pi.customer as string | { id: string } | null);
    const paymentMethod = idOf(pi.payment_method as string | { id: string } | null);
    if (!customer || !paymentMethod)
      return `no saved payment method: ${paymentReference} has ${customer ? 'no payment method' : 'no customer'}`;
    return { customer, paymentMethod };
  }

  return {
    /** The PaymentIntent (charge or hold) made with this key, among the original payment's customer's. */
    async findIntent(lookup: ChargeLookup): Promise<Stripe.PaymentIntent | null> {
      const saved = await originalPayment(lookup.paymentReference);
      if (typeof saved === 'string') return null;
      let startingAfter: string | undefined;
      for (;;) {
        let page: Stripe.ApiList<Stripe.PaymentIntent>;
        try {
          page = await stripe().paymentIntents.list({
            customer: saved.customer,
            limit: 100,
            ...(startingAfter ? { starting_after: startingAfter } : {}),
          });
        } catch (err) {
          classify(err, 'read', `list payment intents of ${saved.customer}`);
          return null;
        }
        const mine = page.data.find((p) => p.metadata?.idempotencyKey === lookup.idempotencyKey);
        if (mine) return mine;
        const last = page.data.at(-1);
        if (!page.has_more || !last) return null;
        startingAfter = last.id;
      }
    },

    /** `manual`: a hold (`capture_method=manual`) rather than a charge. */
    async createOffSession(req: ChargeRequest, manual: boolean): Promise<Stripe.PaymentIntent | NotCreated> {
      const saved = await originalPayment(req.paymentReference);
      if (typeof saved === 'string') return { failed: saved, providerReference: null };
      try {
        return await stripe().paymentIntents.create(
          {
            amount: req.amount,
            currency: req.currency.toLowerCase(),
            customer: saved.customer,
            payment_method: saved.paymentMethod,
            off_session: true,
            confirm: true,
            ...(manual ? { capture_method: 'manual' as const } : {}),
            description: req.description,
            metadata: {
              caseId: req.caseId,
              idempotencyKey: req.idempotencyKey,
              originalPayment: req.paymentReference,
              purpose: manual ? 'hold' : 'charge',
            },
          },
          { idempotencyKey: req.idempotencyKey },
        );
      } catch (err) {
        const reason = classify(err, 'write', manual ? 'hold' : 'charge');
        return { failed: reason, providerReference: errorPaymentIntent(err) };
      }
    },
  };
}

export type OffSessionIntents = ReturnType<typeof offSessionIntents>;
