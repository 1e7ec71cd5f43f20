/**
 * Webhooks API deliveries, signed with the registration's secret:
 *   `x-ms-content-sha256` = base64 SHA-256 of the raw body,
 *   `Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<b64>`
 *   over `POST\n<pathAndQuery>\n<x-ms-date>;<host>;<x-ms-content-sha256>` (HMAC-SHA256, the secret's
 *   UTF-8 bytes as key). That signs the path and host, so the caller passes `request`
 *   ({ method, pathAndQuery, host? }). Only `REFUNDED` events (`epayments.payment.refunded.v1`) of
 *   our sales unit become notifications; other events verify and yield nothing. Deliveries are not
 *   refused for their age: a replayed refund event is deduplicated on its eventId and changes nothing.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  InvalidSignature,
  type HeaderReader,
  type NotificationRequest,
  type RefundNotification,
  type RefundOutcome,
} from '../provider.js';
import { vippsRefundReference, type VippsPaymentEvent } from './payment-events.js';
import type { VippsMobilePaySettings } from './settings.js';

const SIGNED_HEADERS = 'x-ms-date;host;x-ms-content-sha256';

/**
 * Checks a Webhooks API delivery: the body against `x-ms-content-sha256`, and `Authorization`
 * against the HMAC-SHA256 of `POST\n<pathAndQuery>\n<date>;<host>;<content hash>`. Throws InvalidSignature.
 */
export function verifyVippsWebhook(
  rawBody: string,
  header: HeaderReader,
  secret: string,
  request: NotificationRequest | undefined,
): void {
  if (!request)
    throw new InvalidSignature('Vipps MobilePay signs the request path and host: the request is needed to verify');
  if (!secret) throw new InvalidSignature('no webhook secret configured for Vipps MobilePay');
  const date = header('x-ms-date');
  const contentHash = header('x-ms-content-sha256');
  const authorization = header('authorization');
  const host = request.host ?? header('host');
  if (!date || !contentHash || !authorization || !host)
    throw new InvalidSignature('missing x-ms-date, x-ms-content-sha256, authorization or host');

  const actualHash = createHash('sha256').update(rawBody, 'utf8').digest();
  if (!sameBytes(actualHash, Buffer.from(contentHash, 'base64')))
    throw new InvalidSignature('body does not match x-ms-content-sha256');

  const match = /^HMAC-SHA256\s+SignedHeaders=([^&]+)&Signature=(\S+)$/i.exec(authorization.trim());
  if (!match || match[1]!.toLowerCase() !== SIGNED_HEADERS)
    throw new InvalidSignature('authorization is not HMAC-SHA256 over x-ms-date;host;x-ms-content-sha256');
  const signed = `${request.method.toUpperCase()}\n${request.pathAndQuery}\n${date};${host};${contentHash}`;
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(signed, 'utf8').digest();
  if (!sameBytes(expected, Buffer.from(match[2]!, 'base64'))) throw new InvalidSignature('signature does not match');
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A verified delivery for our sales unit → its refund notification (none for other events). */
export function vippsNotifications(settings: Pick<VippsMobilePaySettings, 'merchantSerialNumber'>) {
  return {
    parseNotification(
      rawBody: string,
      header: HeaderReader,
      secret: string,
      request?: NotificationRequest,
    ): RefundNotification[] {
      verifyVippsWebhook(rawBody, header, secret, request);
      let event: VippsPaymentEvent;
      try {
        event = JSON.parse(rawBody) as VippsPaymentEvent;
      } catch {
        return [];
      }
      if (!event || typeof event !== 'object' || event.name !== 'REFUNDED' || typeof event.reference !== 'string')
        return [];
      // The secret is per registration, but several sales units may share one URL.
      if (event.msn !== undefined && String(event.msn) !== settings.merchantSerialNumber) return [];
      const key = typeof event.idempotencyKey === 'string' && event.idempotencyKey ? event.idempotencyKey : undefined;
      const psp = typeof event.pspReference === 'string' && event.pspReference ? event.pspReference : undefined;
      const eventId = psp ? `${event.reference}:${psp}` : createHash('sha256').update(rawBody).digest('hex');
      const providerReference = key
        ? vippsRefundReference(event.reference, key)
        : `${event.reference}:${psp ?? eventId}`;
      const outcome: RefundOutcome =
        event.success === false
          ? { status: 'failed', providerReference: null, reason: 'Vipps MobilePay reported the refund as unsuccessful' }
          : { status: 'succeeded', providerReference };
      return [
        {
          eventId,
          providerReference: event.success === false ? null : providerReference,
          paymentReference: event.reference,
          ...(key ? { idempotencyKey: key } : {}),
          outcome,
        },
      ];
    },
  };
}
