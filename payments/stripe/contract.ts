/** What the Stripe adapter offers beyond {@link PaymentProvider}: charges, authorization holds, payment links. */
import type { ChargeOutcome, ChargeRequest, HeaderReader, PaymentProvider, RefundNotification } from '../provider.js';

/** An authorization hold: money reserved on the card, not taken. */
export type HoldOutcome =
  | { status: 'held'; providerReference: string; amount: number }
  /** Still being processed by Stripe (rare for cards); look again later. */
  | { status: 'pending'; providerReference: string; reason?: string }
  /** Declined or needing the customer (3-D Secure): no hold; the caller falls back. */
  | { status: 'failed'; providerReference: string | null; reason: string };

export interface CaptureHoldRequest {
  idempotencyKey: string;
  /** The hold's PaymentIntent id, from {@link HoldOutcome}. */
  holdReference: string;
  /** Minor units; default the whole hold. */
  amount?: number;
}

export interface ReleaseHoldRequest {
  idempotencyKey: string;
  holdReference: string;
}

export type ReleaseOutcome =
  { status: 'released'; providerReference: string } | { status: 'failed'; providerReference: string; reason: string };

/** A page where the customer pays a charge themselves (Stripe Checkout). */
export interface PaymentLinkRequest {
  idempotencyKey: string;
  /** Minor units, > 0. */
  amount: number;
  currency: string;
  /** What is paid for, shown to the customer on the payment page (the line item's name). */
  description: string;
  caseId: string;
  purpose: string;
  /** Where Stripe sends the customer after paying, and when they give up. */
  successUrl: string;
  cancelUrl: string;
  /** Prefills the payment page. */
  customerEmail?: string;
}

export type PaymentLinkOutcome =
  /** `providerReference`: the Checkout Session id (`cs_…`); `expiresAt`: ISO time the link stops working. */
  | { status: 'created'; providerReference: string; url: string; expiresAt: string | null }
  /** Refused for good (invalid currency, amount below Stripe's minimum, …). */
  | { status: 'failed'; providerReference: null; reason: string };

export interface ChargeLookup {
  idempotencyKey: string;
  /** The original payment whose customer was charged. */
  paymentReference: string;
}

/**
 * Extras only Stripe has here. Optional on purpose: a caller checks for them
 * (`'holdAuthorization' in provider`) and falls back otherwise.
 */
export interface AuthorizationHolds {
  /** PaymentIntent with `capture_method=manual`, off-session on the original payment's card. */
  holdAuthorization(req: ChargeRequest): Promise<HoldOutcome>;
  /** Takes (part of) the held money. */
  captureHold(req: CaptureHoldRequest): Promise<ChargeOutcome>;
  /** Cancels the hold; a hold that is already canceled counts as released. */
  releaseHold(req: ReleaseHoldRequest): Promise<ReleaseOutcome>;
  /** What became of a hold asked with this key; null when Stripe never saw it. */
  findHold(lookup: ChargeLookup): Promise<HoldOutcome | null>;
}

/** Optional like {@link AuthorizationHolds}: `'createPaymentLink' in provider`. */
export interface PaymentLinks {
  createPaymentLink(req: PaymentLinkRequest): Promise<PaymentLinkOutcome>;
}

export interface StripePaymentProvider extends PaymentProvider, AuthorizationHolds, PaymentLinks {
  readonly name: 'stripe';
  charge(req: ChargeRequest): Promise<ChargeOutcome>;
  /** What became of a charge (or hold) asked with this key; null when Stripe never saw it. */
  findCharge(lookup: ChargeLookup): Promise<ChargeOutcome | null>;
  parseNotification(rawBody: string, header: HeaderReader, secret: string): RefundNotification[];
}
