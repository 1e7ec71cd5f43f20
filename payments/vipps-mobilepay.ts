/**
 * Vipps MobilePay, through the ePayment API v1 (payments created there or in the eCom API). No
 * charge: ePayment cannot charge a customer off-session (that is the Recurring API). The parts, in
 * payments/vipps-mobilepay/:
 *
 * - epayment-client.ts: authorized calls (a 401 retried once with a new token from access-token.ts).
 * - refunds.ts: refund with our `Idempotency-Key`; findRefund in the payment's event log.
 * - notifications.ts: Webhooks API signature and `REFUNDED` events.
 * - payment-events.ts: the event shape, and why a refund is named `${reference}:${idempotencyKey}`.
 * - problems.ts: error answers in words, and which statuses are transient.
 */
import type { PaymentProvider } from './provider.js';
import { ePaymentClient } from './vipps-mobilepay/epayment-client.js';
import { vippsNotifications } from './vipps-mobilepay/notifications.js';
import { vippsRefunds } from './vipps-mobilepay/refunds.js';
import type { VippsMobilePaySettings } from './vipps-mobilepay/settings.js';

export { verifyVippsWebhook } from './vipps-mobilepay/notifications.js';
export { vippsRefundReference, type VippsPaymentEvent } from './vipps-mobilepay/payment-events.js';
export { VIPPS_DEFAULT_API_URL, type VippsMobilePaySettings } from './vipps-mobilepay/settings.js';

export function vippsMobilePayProvider(settings: VippsMobilePaySettings): PaymentProvider {
  return { name: 'vipps_mobilepay', ...vippsRefunds(ePaymentClient(settings)), ...vippsNotifications(settings) };
}
