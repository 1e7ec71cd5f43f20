/**
 * Stripe webhooks: `Stripe-Signature: t=…,v1=…` is HMAC-SHA256 over `${t}.${rawBody}` with the
 * endpoint secret (hex); any v1 may match (secret rotation); the timestamp must be within five
 * minutes of now, either way. Refund events become notifications; other events are acknowledged
 * and ignored.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type Stripe from 'stripe';
import { InvalidSignature, type RefundNotification } from '../provider.js';
import { idOf, mapStripeRefund } from './outcomes.js';

/** Seconds a `Stripe-Signature` timestamp may differ from now (Stripe's own default tolerance). */
export const STRIPE_SIGNATURE_TOLERANCE_S = 300;
/** Events whose `data.object` is a Refund. */
export const STRIPE_REFUND_EVENTS = [
  'refund.created',
  'refund.updated',
  'refund.failed',
  'charge.refund.updated',
] as const;

/** `t=…,v1=…[,v1=…]` → its parts; null when malformed. */
function parseSignatureHeader(header: string): { t: number; v1: string[] } | null {
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't') {
      if (!/^\d+$/.test(v)) return null;
      t = Number(v);
    } else if (k === 'v1') v1.push(v);
  }
  return t === null || v1.length === 0 ? null : { t, v1 };
}

/**
 * Verifies `Stripe-Signature` over the raw body (throws InvalidSignature). `nowS` is for tests.
 */
export function verifyStripeSignature(
  rawBody: string,
  header: string | undefined,
  secret: string,
  nowS = Math.floor(Date.now() / 1000),
): void {
  if (!secret) throw new InvalidSignature('no Stripe webhook secret configured');
  if (!header) throw new InvalidSignature('missing Stripe-Signature header');
  const parsed = parseSignatureHeader(header);
  if (!parsed) throw new InvalidSignature('malformed Stripe-Signature header');
  const expected = createHmac('sha256', secret).update(`${parsed.t}.${rawBody}`, 'utf8').digest();
  const match = parsed.v1.some((sig) => {
    if (!/^[0-9a-f]{64}$/i.test(sig)) return false;
    return timingSafeEqual(Buffer.from(sig, 'hex'), expected);
  });
  if (!match) throw new InvalidSignature('Stripe-Signature does not match the body');
  if (Math.abs(nowS - parsed.t) > STRIPE_SIGNATURE_TOLERANCE_S)
    throw new InvalidSignature('Stripe-Signature timestamp outside the tolerance');
}

/** A verified Stripe event body → our refund notifications (none for other event types). */
export function parseStripeEvent(rawBody: string): RefundNotification[] {
  let event: { id?: unknown; type?: unknown; data?: { object?: unknown } };
  try {
    event = JSON.parse(rawBody) as typeof event;
  } catch {
    throw new InvalidSignature('Stripe event body is not JSON');
  }
  if (typeof event.type !== 'string' || !(STRIPE_REFUND_EVENTS as readonly string[]).includes(event.type)) return [];
  const refund = event.data?.object as Partial<Stripe.Refund> | undefined;
  if (!refund || refund.object !== 'refund' || typeof refund.id !== 'string') return [];
  const metadata = (refund.metadata ?? {}) as Record<string, string>;
  const n: RefundNotification = {
    eventId: typeof event.id === 'string' ? event.id : `${event.type}:${refund.id}:${String(refund.status)}`,
    providerReference: refund.id,
    paymentReference: idOf(refund.payment_intent as string | { id: string } | null | undefined),
    outcome: mapStripeRefund({ id: refund.id, status: refund.status ?? null, failure_reason: refund.failure_reason }),
  };
  if (metadata.idempotencyKey) n.idempotencyKey = metadata.idempotencyKey;
  if (metadata.refundId) n.refundId = metadata.refundId;
  return [n];
}
