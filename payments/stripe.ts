/**
 * Stripe, through the official `stripe` SDK pointed at `STRIPE_API_URL` (host/port/protocol), so
 * tests and `npm run dev` can run it against a local stand-in. The parts, in payments/stripe/:
 *
 * - refunds.ts: refund with our `Idempotency-Key`; findRefund by refund id or by our key.
 * - charges.ts: an off-session PaymentIntent on the original payment's customer and payment
 *   method (off-session.ts); declines and `authentication_required` are `failed`.
 * - holds.ts: a `capture_method=manual` PaymentIntent, captured (`/capture`) or released (`/cancel`);
 *   findHold looks a hold whose answer was lost up by its key.
 * - payment-links.ts: a Checkout Session (`POST /v1/checkout/sessions`, mode=payment).
 * - notifications.ts: `Stripe-Signature` verification and refund events.
 * - errors.ts: which SDK errors are retried, unknown outcomes, misconfiguration or refusals.
 * - outcomes.ts: Refund and PaymentIntent statuses in our terms.
 */
import type { HeaderReader, RefundNotification } from './provider.js';
import { stripeClient, type StripeSettings } from './stripe/client.js';
import type { StripePaymentProvider } from './stripe/contract.js';
import { stripeCharges } from './stripe/charges.js';
import { stripeHolds } from './stripe/holds.js';
import { parseStripeEvent, verifyStripeSignature } from './stripe/notifications.js';
import { offSessionIntents } from './stripe/off-session.js';
import { stripePaymentLinks } from './stripe/payment-links.js';
import { stripeRefunds } from './stripe/refunds.js';

export { STRIPE_DEFAULT_API_URL, stripeClientConfig, type StripeSettings } from './stripe/client.js';
export type {
  AuthorizationHolds,
  CaptureHoldRequest,
  ChargeLookup,
  HoldOutcome,
  PaymentLinkOutcome,
  PaymentLinkRequest,
  PaymentLinks,
  ReleaseHoldRequest,
  ReleaseOutcome,
  StripePaymentProvider,
} from './stripe/contract.js';
export {
  parseStripeEvent,
  STRIPE_REFUND_EVENTS,
  STRIPE_SIGNATURE_TOLERANCE_S,
  verifyStripeSignature,
} from './stripe/notifications.js';
export { mapStripeRefund } from './stripe/outcomes.js';

export function stripeProvider(settings: StripeSettings): StripePaymentProvider {
  const stripe = stripeClient(settings);
  const intents = offSessionIntents(stripe);
  return {
    name: 'stripe',
    ...stripeRefunds(stripe),
    ...stripeCharges(intents),
    ...stripeHolds(stripe, intents),
    ...stripePaymentLinks(stripe),
    parseNotification(rawBody: string, header: HeaderReader, secret: string): RefundNotification[] {
      verifyStripeSignature(rawBody, header('stripe-signature'), secret);
      return parseStripeEvent(rawBody);
    },
  };
}
