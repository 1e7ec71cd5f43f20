/**
 * The ePayment event log's entries (also the Webhooks API payload), and how a refund is named.
 *
 * providerReference: `${reference}:${idempotencyKey}`. Vipps gives a refund no id of its own that all
 * three paths see alike: the refund answer's `pspReference` is not documented as the refund's, while
 * the event log and the `epayments.payment.refunded.v1` webhook both carry the payment reference
 * and our idempotency key. So the refund answer, a lookup and a webhook all name the same refund
 * the same way, and nothing needs to be learned from an answer that got lost.
 */

/** `Amount` in the ePayment API: minor units. */
interface VippsAmount {
  currency?: string;
  value?: number;
}

/** One entry of `GET …/events`, and (with `msn`) the Webhooks API payload. */
export interface VippsPaymentEvent {
  msn?: string;
  reference?: string;
  pspReference?: string;
  name?: string;
  amount?: VippsAmount;
  timestamp?: string;
  idempotencyKey?: string | null;
  success?: boolean;
}

/** How the three paths (answer, lookup, webhook) name one refund: see above. */
export function vippsRefundReference(paymentReference: string, idempotencyKey: string): string {
  return `${paymentReference}:${idempotencyKey}`;
}
