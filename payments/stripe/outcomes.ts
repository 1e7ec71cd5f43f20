/** Stripe's Refund and PaymentIntent statuses in our terms (refund, charge and hold outcomes). */
import type Stripe from 'stripe';
import type { ChargeOutcome, RefundOutcome } from '../provider.js';
import type { HoldOutcome } from './contract.js';
import { isStripeError } from './errors.js';

/** An expandable field's id: the SDK gives either the id or the expanded object. */
export const idOf = (v: string | { id: string } | null | undefined): string | null =>
  v == null ? null : typeof v === 'string' ? v : v.id;

/** A Stripe Refund in our terms. */
export function mapStripeRefund(refund: Pick<Stripe.Refund, 'id' | 'status' | 'failure_reason'>): RefundOutcome {
  switch (refund.status) {
    case 'succeeded':
      return { status: 'succeeded', providerReference: refund.id };
    case 'pending':
      return { status: 'pending', providerReference: refund.id };
    case 'requires_action':
      return {
        status: 'pending',
        providerReference: refund.id,
        reason: 'requires_action: Stripe is collecting the customer’s details for this refund',
      };
    case 'failed':
      return { status: 'failed', providerReference: refund.id, reason: refund.failure_reason || 'failed' };
    case 'canceled':
      return {
        status: 'failed',
        providerReference: refund.id,
        reason: refund.failure_reason ? `canceled: ${refund.failure_reason}` : 'canceled',
      };
    default:
      return {
        status: 'pending',
        providerReference: refund.id,
        reason: `Stripe refund status ${String(refund.status)}`,
      };
  }
}

/** A charge PaymentIntent in our terms. */
export function mapCharge(pi: Stripe.PaymentIntent): ChargeOutcome {
  switch (pi.status) {
    case 'succeeded':
      return { status: 'succeeded', providerReference: pi.id };
    case 'processing':
      return { status: 'pending', providerReference: pi.id, reason: 'processing' };
    case 'requires_action':
      return {
        status: 'failed',
        providerReference: pi.id,
        reason: 'authentication_required: the customer must confirm this payment',
      };
    case 'requires_payment_method':
      return {
        status: 'failed',
        providerReference: pi.id,
        reason: lastError(pi) ?? 'requires_payment_method: the saved payment method was refused',
      };
    case 'canceled':
      return { status: 'failed', providerReference: pi.id, reason: 'canceled' };
    default:
      return { status: 'pending', providerReference: pi.id, reason: `Stripe PaymentIntent status ${pi.status}` };
  }
}

export function mapHold(pi: Stripe.PaymentIntent): HoldOutcome {
  if (pi.status === 'requires_capture')
    return { status: 'held', providerReference: pi.id, amount: pi.amount_capturable ?? pi.amount };
  if (pi.status === 'processing') return { status: 'pending', providerReference: pi.id, reason: 'processing' };
  const charge = mapCharge(pi);
  if (charge.status === 'failed') return charge;
  return {
    status: 'failed',
    providerReference: pi.id,
    reason: `unexpected PaymentIntent status ${pi.status} for a hold`,
  };
}

function lastError(pi: Stripe.PaymentIntent): string | null {
  const e = pi.last_payment_error;
  if (!e) return null;
  const code = e.code ? (e.decline_code ? `${e.code} (${e.decline_code})` : e.code) : e.type;
  return e.message ? `${code}: ${e.message}` : code;
}

/** The PaymentIntent Stripe attached to a card error, when there is one. */
export function errorPaymentIntent(err: unknown): string | null {
  return isStripeError(err) ? idOf(err.payment_intent as { id: string } | string | undefined) : null;
}
