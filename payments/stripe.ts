/**
 * Stripe, through the official `stripe` SDK pointed at `STRIPE_API_URL` (host/port/protocol), so
 * tests and `npm run dev` can run it against a local stand-in.
 *
 * - refund: `POST /v1/refunds` {payment_intent, amount, metadata{caseId, refundId, idempotencyKey}}
 *   with our `Idempotency-Key`. Stripe keeps the first answer to a key for at least 24 hours, so the
 *   same refund asked twice is one refund.
 * - findRefund: `GET /v1/refunds/{id}` when the refund id is known, else
 *   `GET /v1/refunds?payment_intent=…` and the refund whose `metadata.idempotencyKey` is ours.
 * - charge: an off-session PaymentIntent (`off_session=true, confirm=true`) on the customer and
 *   payment method of the original PaymentIntent. Declines and `authentication_required` are
 *   `failed`: the caller falls back to a payment link.
 * - holds (exchange shipped before the return arrives): a `capture_method=manual` PaymentIntent,
 *   captured (`/capture`) if the return never comes, released (`/cancel`) when it does. Card
 *   authorizations lapse after about 7 days at most card networks; the caller must capture or
 *   release before that. findHold looks a hold whose answer was lost up by its key.
 * - createPaymentLink (a charge the card refused, or an order paid otherwise): a Checkout Session,
 *   `POST /v1/checkout/sessions` mode=payment with one `price_data` line item, our success/cancel
 *   URLs, `metadata` (also on the PaymentIntent it will make) and our `Idempotency-Key`. Stripe
 *   expires an open session after 24 hours (its maximum); the session id is kept to follow it up.
 * - parseNotification: `Stripe-Signature: t=…,v1=…` is HMAC-SHA256 over `${t}.${rawBody}` with the
 *   endpoint secret (hex); any v1 may match (secret rotation); the timestamp must be within five
 *   minutes of now, either way. `refund.created`, `refund.updated`, `refund.failed` and
 *   `charge.refund.updated` carry a Refund object; other events are acknowledged and ignored.
 *
 * Errors: the SDK retries nothing (`maxNetworkRetries: 0`), our Temporal activity does.
 *   - 429, 409 (a concurrent request with the same key), 5xx, and a connection that could not be
 *     opened → ProviderUnavailable (the same call may be tried again: same key, same refund).
 *     Stripe replays a stored 5xx for the same key, so a caller that keeps getting it should
 *     reconcile with findRefund, as Stripe's error-handling guide says for server errors.
 *   - a timeout or a connection dropped after the request was written → OutcomeUnknown for writes
 *     (resolve with findRefund); for reads → ProviderUnavailable.
 *   - 401/403 → ProviderNotConfigured (the key is wrong or lacks permission: retrying won't help).
 *   - other 4xx (invalid request, card errors: already refunded, amount too large, declined, …) →
 *     `failed` with the Stripe code and message as the reason.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Stripe from 'stripe';
import {
  InvalidSignature,
  OutcomeUnknown,
  ProviderNotConfigured,
  ProviderUnavailable,
  type ChargeOutcome,
  type ChargeRequest,
  type HeaderReader,
  type PaymentProvider,
  type RefundLookup,
  type RefundNotification,
  type RefundOutcome,
  type RefundRequest,
} from './provider.js';

export const STRIPE_DEFAULT_API_URL = 'https://api.stripe.com';
/** Seconds a `Stripe-Signature` timestamp may differ from now (Stripe's own default tolerance). */
export const STRIPE_SIGNATURE_TOLERANCE_S = 300;
/** Events whose `data.object` is a Refund. */
export const STRIPE_REFUND_EVENTS = [
  'refund.created',
  'refund.updated',
  'refund.failed',
  'charge.refund.updated',
] as const;

export interface StripeSettings {
  /** `STRIPE_API_KEY` (secret or restricted key). Empty: every API call throws ProviderNotConfigured. */
  apiKey: string;
  /** `STRIPE_API_URL`, scheme + host + optional port, no path. Default https://api.stripe.com. */
  apiUrl?: string;
  /** Per-request deadline; default 20 s. */
  timeoutMs?: number;
}

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

type Op = 'write' | 'read';

/** Connection errors that happen before a request is written: it never reached Stripe. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/** Stripe's SDK config from a base URL. */
export function stripeClientConfig(settings: StripeSettings): Stripe.StripeConfig {
  const url = new URL(settings.apiUrl || STRIPE_DEFAULT_API_URL);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`STRIPE_API_URL: unsupported scheme ${url.protocol}`);
  if (url.pathname !== '/' && url.pathname !== '')
    throw new Error('STRIPE_API_URL: a base URL without a path (the SDK adds /v1/…)');
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port || (protocol === 'http' ? 80 : 443),
    protocol,
    maxNetworkRetries: 0,
    timeout: settings.timeoutMs ?? 20_000,
    telemetry: false,
  };
}

function isStripeError(err: unknown): err is InstanceType<typeof Stripe.errors.StripeError> {
  return err instanceof Stripe.errors.StripeError;
}

/** A Stripe error, in words for a human reading the case timeline. */
function describe(err: InstanceType<typeof Stripe.errors.StripeError>): string {
  const code = err.code
    ? err.decline_code
      ? `${err.code} (${err.decline_code})`
      : err.code
    : (err.rawType ?? err.type);
  return err.message ? `${code}: ${err.message}` : code;
}

/**
 * Throws for everything that is not a permanent refusal and returns the reason for those.
 * Non-Stripe errors (bugs) are rethrown unchanged.
 */
function classify(err: unknown, op: Op, what: string): string {
  if (!isStripeError(err)) throw err;
  const id = err.requestId ? ` [${err.requestId}]` : '';
  if (err instanceof Stripe.errors.StripeConnectionError) {
    const code = (err.detail as { code?: unknown } | undefined)?.code;
    if (op === 'read' || (typeof code === 'string' && NOT_SENT_CODES.has(code))) {
      throw new ProviderUnavailable(`Stripe ${what}: ${err.message}${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    // Timed out, or the connection dropped after the request was written: it may have been done.
    throw new OutcomeUnknown(`Stripe ${what}: ${err.message}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  const status = err.statusCode;
  if (status === undefined) {
    // An answer we could not read (e.g. not JSON) after sending.
    if (op === 'write') throw new OutcomeUnknown(`Stripe ${what}: ${err.message}${id}`);
    throw new ProviderUnavailable(`Stripe ${what}: ${err.message}${id}`);
  }
  if (status === 429 || status === 409 || status >= 500) {
    throw new ProviderUnavailable(`Stripe ${what}: HTTP ${status} ${describe(err)}${id}`);
  }
  if (status === 401 || status === 403) {
    throw new ProviderNotConfigured(`Stripe ${what}: HTTP ${status} ${describe(err)}${id}`);
  }
  return describe(err);
}

const idOf = (v: string | { id: string } | null | undefined): string | null =>
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
function mapCharge(pi: Stripe.PaymentIntent): ChargeOutcome {
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

function mapHold(pi: Stripe.PaymentIntent): HoldOutcome {
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
function errorPaymentIntent(err: unknown): string | null {
  return isStripeError(err) ? idOf(err.payment_intent as { id: string } | string | undefined) : null;
}

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

export function stripeProvider(settings: StripeSettings): StripePaymentProvider {
  const config = stripeClientConfig(settings);
  let client: Stripe | null = null;
  const stripe = (): Stripe => {
    if (!settings.apiKey) throw new ProviderNotConfigured('Stripe: STRIPE_API_KEY is not set');
    client ??= new Stripe(settings.apiKey, config);
    return client;
  };

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

  /** The PaymentIntent (charge or hold) made with this key, among the original payment's customer's. */
  async function findIntent(lookup: ChargeLookup): Promise<Stripe.PaymentIntent | null> {
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
  }

  async function createOffSession(
    req: ChargeRequest,
    manual: boolean,
  ): Promise<Stripe.PaymentIntent | { failed: string; providerReference: string | null }> {
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
  }

  return {
    name: 'stripe',

    async refund(req: RefundRequest): Promise<RefundOutcome> {
      const metadata: Record<string, string> = {
        caseId: req.caseId,
        refundId: req.refundId,
        idempotencyKey: req.idempotencyKey,
      };
      if (req.description) metadata.description = req.description.slice(0, 500);
      try {
        const refund = await stripe().refunds.create(
          { payment_intent: req.paymentReference, amount: req.amount, reason: 'requested_by_customer', metadata },
          { idempotencyKey: req.idempotencyKey },
        );
        return mapStripeRefund(refund);
      } catch (err) {
        return {
          status: 'failed',
          providerReference: null,
          reason: classify(err, 'write', `refund of ${req.paymentReference}`),
        };
      }
    },

    async findRefund(lookup: RefundLookup): Promise<RefundOutcome | null> {
      const s = stripe();
      if (lookup.providerReference) {
        try {
          return mapStripeRefund(await s.refunds.retrieve(lookup.providerReference));
        } catch (err) {
          // Unknown id (another account, a typo): look for the key instead.
          classify(err, 'read', `retrieve ${lookup.providerReference}`);
        }
      }
      let startingAfter: string | undefined;
      for (;;) {
        let page: Stripe.ApiList<Stripe.Refund>;
        try {
          page = await s.refunds.list({
            payment_intent: lookup.paymentReference,
            limit: 100,
            ...(startingAfter ? { starting_after: startingAfter } : {}),
          });
        } catch (err) {
          // No such payment intent: Stripe never saw a refund of it.
          classify(err, 'read', `list refunds of ${lookup.paymentReference}`);
          return null;
        }
        const mine = page.data.find((r) => r.metadata?.idempotencyKey === lookup.idempotencyKey);
        if (mine) return mapStripeRefund(mine);
        const last = page.data.at(-1);
        if (!page.has_more || !last) return null;
        startingAfter = last.id;
      }
    },

    async charge(req: ChargeRequest): Promise<ChargeOutcome> {
      const pi = await createOffSession(req, false);
      if ('failed' in pi) return { status: 'failed', providerReference: pi.providerReference, reason: pi.failed };
      return mapCharge(pi);
    },

    async findCharge(lookup: ChargeLookup): Promise<ChargeOutcome | null> {
      const mine = await findIntent(lookup);
      if (!mine) return null;
      return mine.status === 'requires_capture'
        ? { status: 'pending', providerReference: mine.id, reason: 'held, not captured' }
        : mapCharge(mine);
    },

    async findHold(lookup: ChargeLookup): Promise<HoldOutcome | null> {
      const mine = await findIntent(lookup);
      return mine ? mapHold(mine) : null;
    },

    async createPaymentLink(req: PaymentLinkRequest): Promise<PaymentLinkOutcome> {
      const metadata = { caseId: req.caseId, purpose: req.purpose, idempotencyKey: req.idempotencyKey };
      try {
        const session = await stripe().checkout.sessions.create(
          {
            mode: 'payment',
            line_items: [
              {
                quantity: 1,
                price_data: {
                  currency: req.currency.toLowerCase(),
                  unit_amount: req.amount,
                  product_data: { name: req.description.slice(0, 250) },
                },
              },
            ],
            success_url: req.successUrl,
            cancel_url: req.cancelUrl,
            client_reference_id: req.caseId.slice(0, 200),
            ...(req.customerEmail ? { customer_email: req.customerEmail } : {}),
            metadata,
            payment_intent_data: { metadata },
          },
          { idempotencyKey: req.idempotencyKey },
        );
        if (!session.url)
          return {
            status: 'failed',
            providerReference: null,
            reason: `Checkout Session ${session.id} has no url (status ${String(session.status)})`,
          };
        return {
          status: 'created',
          providerReference: session.id,
          url: session.url,
          expiresAt: session.expires_at ? new Date(session.expires_at * 1000).toISOString() : null,
        };
      } catch (err) {
        return { status: 'failed', providerReference: null, reason: classify(err, 'write', 'payment link') };
      }
    },

    async holdAuthorization(req: ChargeRequest): Promise<HoldOutcome> {
      const pi = await createOffSession(req, true);
      if ('failed' in pi) return { status: 'failed', providerReference: pi.providerReference, reason: pi.failed };
      return mapHold(pi);
    },

    async captureHold(req: CaptureHoldRequest): Promise<ChargeOutcome> {
      try {
        const pi = await stripe().paymentIntents.capture(
          req.holdReference,
          req.amount !== undefined ? { amount_to_capture: req.amount } : {},
          { idempotencyKey: req.idempotencyKey },
        );
        return mapCharge(pi);
      } catch (err) {
        const reason = classify(err, 'write', `capture ${req.holdReference}`);
        // Captured already (an earlier attempt whose answer was lost): that is the goal.
        let current: Stripe.PaymentIntent;
        try {
          current = await stripe().paymentIntents.retrieve(req.holdReference);
        } catch (readErr) {
          return {
            status: 'failed',
            providerReference: req.holdReference,
            reason: `${reason}; ${classify(readErr, 'read', `retrieve ${req.holdReference}`)}`,
          };
        }
        if (current.status === 'succeeded') return { status: 'succeeded', providerReference: current.id };
        return {
          status: 'failed',
          providerReference: current.id,
          reason: `${reason} (PaymentIntent is ${current.status})`,
        };
      }
    },

    async releaseHold(req: ReleaseHoldRequest): Promise<ReleaseOutcome> {
      const s = stripe();
      try {
        const pi = await s.paymentIntents.cancel(
          req.holdReference,
          { cancellation_reason: 'requested_by_customer' },
          { idempotencyKey: req.idempotencyKey },
        );
        return pi.status === 'canceled'
          ? { status: 'released', providerReference: pi.id }
          : { status: 'failed', providerReference: pi.id, reason: `PaymentIntent is ${pi.status} after cancel` };
      } catch (err) {
        const reason = classify(err, 'write', `cancel ${req.holdReference}`);
        // Released already (an earlier attempt whose answer was lost, or it lapsed): that is the goal.
        let current: Stripe.PaymentIntent;
        try {
          current = await s.paymentIntents.retrieve(req.holdReference);
        } catch (readErr) {
          return {
            status: 'failed',
            providerReference: req.holdReference,
            reason: `${reason}; ${classify(readErr, 'read', `retrieve ${req.holdReference}`)}`,
          };
        }
        if (current.status === 'canceled') return { status: 'released', providerReference: current.id };
        return {
          status: 'failed',
          providerReference: current.id,
          reason: `${reason} (PaymentIntent is ${current.status})`,
        };
      }
    },

    parseNotification(rawBody: string, header: HeaderReader, secret: string): RefundNotification[] {
      verifyStripeSignature(rawBody, header('stripe-signature'), secret);
      return parseStripeEvent(rawBody);
    },
  };
}
