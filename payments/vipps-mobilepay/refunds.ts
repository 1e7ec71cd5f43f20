/**
 * refund: `POST {apiUrl}/epayment/v1/payments/{reference}/refund` with
 *   `{"modificationAmount": {"currency", "value"}}` and `Idempotency-Key`. Answers, mapped:
 *   2xx (the payment's `aggregate` updated)                  → succeeded
 *   400/403/404/409/422 problem+json (amount above what is captured and not refunded, payment not
 *   captured, unknown reference, conflicting operation, …)   → failed, reason from title/detail
 *   401 (after a fresh token), 423 (Vipps: transient, retry with the same key), 429, 5xx
 *                                                            → throws ProviderUnavailable
 *   timeout / dropped connection on the refund call          → throws OutcomeUnknown
 * findRefund: `GET {apiUrl}/epayment/v1/payments/{reference}/events` — the authoritative log — and
 *   the `REFUNDED` event with our idempotency key: `success: true` → succeeded, `false` → failed;
 *   none (or no such payment) → null.
 */
import { parseAnswer } from '../http.js';
import { ProviderUnavailable, type RefundLookup, type RefundOutcome, type RefundRequest } from '../provider.js';
import type { EPaymentCall } from './epayment-client.js';
import { vippsRefundReference, type VippsPaymentEvent } from './payment-events.js';
import { describeProblem, isTransient } from './problems.js';

/** What Vipps MobilePay accepts as `Idempotency-Key` (ours is a 36-char UUID). */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9-]{1,50}$/;

export function vippsRefunds(call: EPaymentCall) {
  return {
    async refund(req: RefundRequest): Promise<RefundOutcome> {
      if (!Number.isSafeInteger(req.amount) || req.amount <= 0)
        throw new Error(`Vipps MobilePay refund amount must be a positive integer (minor units), got ${req.amount}`);
      if (!IDEMPOTENCY_KEY.test(req.idempotencyKey))
        throw new Error(
          `Vipps MobilePay Idempotency-Key must be 1–50 of [A-Za-z0-9-], got ${JSON.stringify(req.idempotencyKey)}`,
        );
      const { res, text } = await call(`/epayment/v1/payments/${encodeURIComponent(req.paymentReference)}/refund`, {
        method: 'POST',
        body: { modificationAmount: { currency: req.currency.toUpperCase(), value: req.amount } },
        idempotencyKey: req.idempotencyKey,
        write: true,
      });
      if (res.ok)
        return {
          status: 'succeeded',
          providerReference: vippsRefundReference(req.paymentReference, req.idempotencyKey),
        };
      const problem = describeProblem(res.status, text);
      if (isTransient(res.status))
        throw new ProviderUnavailable(`Vipps MobilePay refund on ${req.paymentReference}: ${problem}`);
      return { status: 'failed', providerReference: null, reason: `Vipps MobilePay refused the refund: ${problem}` };
    },

    async findRefund(lookup: RefundLookup): Promise<RefundOutcome | null> {
      const { res, text } = await call(`/epayment/v1/payments/${encodeURIComponent(lookup.paymentReference)}/events`, {
        method: 'GET',
        write: false,
      });
      if (res.status === 404) return null;
      if (!res.ok)
        throw new ProviderUnavailable(
          `Vipps MobilePay event log of ${lookup.paymentReference}: ${describeProblem(res.status, text)}`,
        );
      const events = parseAnswer<unknown>(text, `Vipps MobilePay event log of ${lookup.paymentReference}`);
      if (!Array.isArray(events))
        throw new ProviderUnavailable(`Vipps MobilePay event log of ${lookup.paymentReference}: not a list`);
      const ours = (events as VippsPaymentEvent[]).filter(
        (e) => e?.name === 'REFUNDED' && e.idempotencyKey === lookup.idempotencyKey,
      );
      if (ours.length === 0) return null;
      const providerReference = vippsRefundReference(lookup.paymentReference, lookup.idempotencyKey);
      if (ours.some((e) => e.success !== false)) return { status: 'succeeded', providerReference };
      return {
        status: 'failed',
        providerReference: null,
        reason: 'Vipps MobilePay recorded the refund as unsuccessful',
      };
    },
  };
}
