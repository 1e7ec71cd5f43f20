/**
 * One interface for every payment provider: refund (part of) a payment exactly once, look up what
 * became of a refund whose answer was lost, charge where the provider allows it, and verify and
 * parse the provider's own notifications. Adapters know nothing of HTTP frameworks, the database or
 * Temporal; callers (activities, webhook routes) turn their answers into rows and signals.
 */
import { createHash } from 'node:crypto';

import type { PaymentProviderName } from '../domain/refunds.js';

export { PAYMENT_PROVIDERS, type PaymentProviderName } from '../domain/refunds.js';

/** Reads a request header by (case-insensitive) name. */
export type HeaderReader = (name: string) => string | undefined;

/**
 * The request a notification arrived in, for providers that sign more than the body (Vipps
 * MobilePay signs method, path + query and host). `host` is the host the provider addressed (the
 * public one, behind a proxy); without it the `Host` header is used.
 */
export interface NotificationRequest {
  method: string;
  /** Path and query string exactly as requested, e.g. `/v1/webhooks/payments/vipps_mobilepay?x=1`. */
  pathAndQuery: string;
  host?: string;
}

export interface RefundRequest {
  /**
   * Derived from case + purpose + payment ({@link idempotencyKey}): the same refund asked twice is
   * the same refund at the provider, whatever crashed in between.
   */
  idempotencyKey: string;
  /** The provider's id of the payment being refunded (PaymentIntent, Klarna order, PSP reference, …). */
  paymentReference: string;
  /** Minor units, > 0. */
  amount: number;
  currency: string;
  /** Our refund id, sent along where the provider keeps a reference or metadata. */
  refundId: string;
  caseId: string;
  description?: string;
}

/** What the provider answered. Transient trouble (5xx, 429, network) is thrown, not returned. */
export type RefundOutcome =
  | { status: 'succeeded'; providerReference: string }
  /** Accepted, settled later by a notification or a lookup (Adyen `received`, Stripe `pending`). */
  | { status: 'pending'; providerReference: string | null; reason?: string }
  /** Refused for good (card closed, order expired, declined): retrying the same call will not help. */
  | { status: 'failed'; providerReference: string | null; reason: string };

export interface RefundLookup {
  idempotencyKey: string;
  paymentReference: string;
  /** Known when an earlier answer got through. */
  providerReference: string | null;
  refundId: string;
  amount: number;
  currency: string;
}

export interface ChargeRequest {
  idempotencyKey: string;
  /** The payment whose saved method (customer + payment method) is charged off-session. */
  paymentReference: string;
  amount: number;
  currency: string;
  caseId: string;
  description: string;
}

export type ChargeOutcome =
  | { status: 'succeeded'; providerReference: string }
  | { status: 'pending'; providerReference: string | null; reason?: string }
  /** Declined or needing the customer (3-D Secure): the caller falls back to a payment link. */
  | { status: 'failed'; providerReference: string | null; reason: string };

/** A provider's notification about one refund, in our terms. */
export interface RefundNotification {
  /** The provider's event id (or a stable digest of the event): deliveries are deduplicated on it. */
  eventId: string;
  /** The provider's refund id, when the notification names it. */
  providerReference: string | null;
  /** The payment the refund belongs to. */
  paymentReference: string | null;
  /** Our idempotency key or refund id, where the provider echoes it back (metadata, reference). */
  idempotencyKey?: string;
  refundId?: string;
  outcome: RefundOutcome;
}

/** Why a notification was refused (→ 401, no effect). */
export class InvalidSignature extends Error {
  override name = 'InvalidSignature';
}

/** The provider could not be reached or answered 5xx/429: the same call may be tried again. */
export class ProviderUnavailable extends Error {
  override name = 'ProviderUnavailable';
}

/**
 * The call may or may not have reached the provider (timeout, connection dropped after sending):
 * resolve it with {@link PaymentProvider.findRefund}, never by calling again blindly.
 */
export class OutcomeUnknown extends Error {
  override name = 'OutcomeUnknown';
}

/** The provider has no settings here: its refunds wait (pending, with this reason) until it has. */
export class ProviderNotConfigured extends Error {
  override name = 'ProviderNotConfigured';
}

export interface PaymentProvider {
  readonly name: PaymentProviderName;
  refund(req: RefundRequest): Promise<RefundOutcome>;
  /** What became of a refund asked with this key; null when the provider never saw it. */
  findRefund(lookup: RefundLookup): Promise<RefundOutcome | null>;
  /** Off-session charge on the payment's saved method; absent where the provider has none. */
  charge?(req: ChargeRequest): Promise<ChargeOutcome>;
  /**
   * Verifies a notification's signature over the raw body (throws InvalidSignature) and parses it.
   * `request` is needed by providers that sign the request line too (Vipps MobilePay).
   */
  parseNotification?(
    rawBody: string,
    header: HeaderReader,
    secret: string,
    request?: NotificationRequest,
  ): RefundNotification[];
}

/**
 * The provider idempotency key of one money movement: a UUID-shaped digest of case + purpose +
 * payment, so it fits every provider's key rules (Vipps: ≤ 50 chars of [A-Za-z0-9-]; Klarna: UUID).
 */
export function idempotencyKey(caseId: string, purpose: string, paymentReference: string): string {
  const h = createHash('sha256').update(`${caseId}\u0000${purpose}\u0000${paymentReference}`).digest('hex');
  // Version 5-style layout (name-based): stable, valid UUID syntax.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `fetch` with a deadline; a timeout or dropped connection becomes OutcomeUnknown for writes. */
export async function fetchWithTimeout(url: string, init: RequestInit & { timeoutMs?: number }): Promise<Response> {
  const { timeoutMs = 10_000, ...rest } = init;
  try {
    return await fetch(url, { ...rest, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new OutcomeUnknown(`${init.method ?? 'GET'} ${new URL(url).pathname}: ${message}`);
  }
}
