/**
 * A local stand-in for the Stripe API (v1), on loopback, answering with Stripe's documented shapes:
 * form-encoded request bodies (`metadata[caseId]=…`), JSON answers, list objects
 * `{object:"list", data, has_more, url}` and errors `{error:{type, code, message, param?, …}}`.
 *
 * Endpoints: POST/GET /v1/refunds, GET /v1/refunds/:id, POST/GET /v1/payment_intents,
 * GET /v1/payment_intents/:id, POST /v1/payment_intents/:id/capture and /cancel,
 * POST /v1/checkout/sessions (mode=payment, `price_data` line items) and GET /v1/checkout/sessions/:id.
 *
 * Like Stripe, a POST with an `Idempotency-Key` is done once: the first answer (status and body,
 * errors from the endpoint included) is kept and replayed for the same key with
 * `Idempotent-Replayed: true`; the same key with other parameters is a 400 `idempotency_error`.
 * Injected 5xx ({@link StripeStandIn.failNext}) happen in front of that layer, like an edge that
 * never reached the API: nothing is done and nothing is stored.
 *
 * For tests: every request is kept ({@link StripeStandIn.requests}); a delay answers *after*
 * the work is done ({@link StripeStandIn.delayNext}: the client times out, the refund exists);
 * declines ({@link StripeStandIn.declineNextCharge}, {@link StripeStandIn.nextRefundStatus},
 * {@link StripeStandIn.rejectNext}); a hold that lapses ({@link StripeStandIn.lapseAuthorization}); a
 * customer paying a Checkout Session ({@link StripeStandIn.completeCheckoutSession}); and signed
 * (late) events sent to a URL ({@link StripeStandIn.sendEvent}).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { IdempotencyStore, sendAnswer, StandInServer } from './server.js';

export interface StripeRecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  idempotencyKey: string | undefined;
  rawBody: string;
  /** The form body, nested like Stripe reads it (`metadata[caseId]` → `{metadata:{caseId}}`). */
  body: Record<string, unknown>;
  /** The answer's status (0 when the connection was gone before it could be written). */
  status?: number;
  replayed?: boolean;
}

export interface StandInPaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  customer: string | null;
  payment_method: string | null;
  status:
    | 'requires_payment_method'
    | 'requires_confirmation'
    | 'requires_action'
    | 'processing'
    | 'requires_capture'
    | 'canceled'
    | 'succeeded';
  capture_method: 'automatic' | 'manual';
  latest_charge: string | null;
  description: string | null;
  metadata: Record<string, string>;
  last_payment_error: { type: string; code?: string; decline_code?: string; message: string } | null;
  cancellation_reason: string | null;
  off_session?: boolean;
  created: number;
  livemode: false;
}

export interface StandInRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  charge: string | null;
  payment_intent: string;
  status: 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';
  failure_reason: string | null;
  reason: string | null;
  metadata: Record<string, string>;
  balance_transaction: string | null;
  created: number;
}

export interface StandInCheckoutSession {
  id: string;
  object: 'checkout.session';
  mode: 'payment' | 'setup' | 'subscription';
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid' | 'no_payment_required';
  amount_subtotal: number;
  amount_total: number;
  currency: string;
  url: string | null;
  success_url: string | null;
  cancel_url: string | null;
  client_reference_id: string | null;
  customer: string | null;
  customer_email: string | null;
  payment_intent: string | null;
  metadata: Record<string, string>;
  /** The line items as asked (Stripe answers them only on expand / the line_items endpoint). */
  line_items_requested: Array<{
    quantity: number;
    price_data: { currency: string; unit_amount: number; product_data: { name: string } };
  }>;
  payment_intent_metadata: Record<string, string>;
  expires_at: number;
  created: number;
  livemode: false;
}

export interface StripeErrorBody {
  type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';
  code?: string;
  decline_code?: string;
  message: string;
  param?: string;
  payment_intent?: StandInPaymentIntent;
}

interface Stored {
  fingerprint: string;
  status: number;
  body: unknown;
}

interface Answer {
  status: number;
  body: unknown;
}

export interface StripeStandInOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>`; otherwise any key works. */
  apiKey?: string;
  /** Default endpoint secret for {@link StripeStandIn.sendEvent}. */
  webhookSecret?: string;
}

const now = () => Math.floor(Date.now() / 1000);
const rid = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;

/** Stripe's form encoding (`a[b][c]=v`, `a[0]=v`) → nested object. */
export function parseStripeForm(raw: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const path = key.split(/\[|\]\[|\]/).filter((s) => s !== '');
    let node: Record<string, unknown> = out;
    path.forEach((seg, i) => {
      if (i === path.length - 1) node[seg] = value;
      else node = (node[seg] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}

/** `Stripe-Signature` for a payload, the way Stripe signs: HMAC-SHA256 of `${t}.${payload}`, hex. */
export function stripeSignatureHeader(payload: string, secret: string, timestamp = now()): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export class StripeStandIn {
  readonly requests: StripeRecordedRequest[] = [];
  readonly paymentIntents = new Map<string, StandInPaymentIntent>();
  readonly refunds = new Map<string, StandInRefund>();
  readonly checkoutSessions = new Map<string, StandInCheckoutSession>();
  /** Refunds and payment intents in creation order (for lists, newest first). */
  private readonly order: string[] = [];
  private readonly idempotency = new IdempotencyStore<Stored>();
  private failures: Array<{ status: number; error: StripeErrorBody }> = [];
  private rejections: Array<{ status: number; error: StripeErrorBody }> = [];
  private delays: number[] = [];
  private refundStatuses: Array<{ status: StandInRefund['status']; failure_reason: string | null }> = [];
  private chargeDeclines: Array<{ code: string; decline_code?: string; message: string }> = [];
  readonly url: string;

  private constructor(
    private readonly http: StandInServer,
    private readonly options: StripeStandInOptions,
  ) {
    this.url = http.url;
  }

  static async start(options: StripeStandInOptions = {}): Promise<StripeStandIn> {
    let self: StripeStandIn | null = null;
    self = new StripeStandIn(
      await StandInServer.start((req, rawBody, res) => self!.handle(req, rawBody, res)),
      options,
    );
    return self;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  // ---- set-up --------------------------------------------------------------------------------

  /** A paid PaymentIntent to refund or to take the customer's saved card from. */
  addPaymentIntent(p: {
    id?: string;
    amount: number;
    currency?: string;
    customer?: string | null;
    payment_method?: string | null;
    status?: StandInPaymentIntent['status'];
  }): StandInPaymentIntent {
    const pi: StandInPaymentIntent = {
      id: p.id ?? rid('pi'),
      object: 'payment_intent',
      amount: p.amount,
      amount_capturable: 0,
      amount_received: p.status === undefined || p.status === 'succeeded' ? p.amount : 0,
      currency: (p.currency ?? 'sek').toLowerCase(),
      customer: p.customer === undefined ? rid('cus') : p.customer,
      payment_method: p.payment_method === undefined ? rid('pm') : p.payment_method,
      status: p.status ?? 'succeeded',
      capture_method: 'automatic',
      latest_charge: rid('ch'),
      description: null,
      metadata: {},
      last_payment_error: null,
      cancellation_reason: null,
      created: now(),
      livemode: false,
    };
    this.paymentIntents.set(pi.id, pi);
    this.order.push(pi.id);
    return pi;
  }

  /** The next `n` requests answer `status` (default 500) without doing anything. */
  failNext(
    n = 1,
    status = 500,
    error: StripeErrorBody = { type: 'api_error', message: 'An unknown error occurred (stand-in).' },
  ): void {
    for (let i = 0; i < n; i++) this.failures.push({ status, error });
  }

  /** The next request is done at once, but answered only after `ms` (longer than the client waits). */
  delayNext(ms: number, n = 1): void {
    for (let i = 0; i < n; i++) this.delays.push(ms);
  }

  /** The next POST is refused by the endpoint with this error (kept under its idempotency key, like Stripe). */
  rejectNext(status: number, error: StripeErrorBody): void {
    this.rejections.push({ status, error });
  }

  /** The next refund is created with this status (e.g. `failed`, `expired_or_canceled_card`; `pending`). */
  nextRefundStatus(status: StandInRefund['status'], failure_reason: string | null = null): void {
    this.refundStatuses.push({ status, failure_reason });
  }

  /** The next off-session PaymentIntent is declined (402 card_error; `authentication_required` for 3-D Secure). */
  declineNextCharge(
    code = 'card_declined',
    decline_code: string | undefined = code === 'card_declined' ? 'insufficient_funds' : undefined,
  ): void {
    const message =
      code === 'authentication_required' ? 'This payment requires authentication.' : 'Your card was declined.';
    this.chargeDeclines.push(decline_code ? { code, decline_code, message } : { code, message });
  }

  /** Moves a refund on (e.g. pending → succeeded, or a late `failed`); answers the refund. */
  settleRefund(id: string, status: StandInRefund['status'], failure_reason: string | null = null): StandInRefund {
    const r = this.refunds.get(id);
    if (!r) throw new Error(`stand-in: no refund ${id}`);
    r.status = status;
    r.failure_reason = failure_reason;
    return r;
  }

  /** A hold's authorization lapsed at the card network (Stripe cancels it, `automatic`): a capture is refused. */
  lapseAuthorization(id: string): StandInPaymentIntent {
    const pi = this.paymentIntents.get(id);
    if (!pi) throw new Error(`stand-in: no payment intent ${id}`);
    pi.status = 'canceled';
    pi.amount_capturable = 0;
    pi.cancellation_reason = 'automatic';
    return pi;
  }

  /** The customer paid a Checkout Session: it completes, with a succeeded PaymentIntent carrying its metadata. */
  completeCheckoutSession(id: string): StandInCheckoutSession {
    const cs = this.checkoutSessions.get(id);
    if (!cs) throw new Error(`stand-in: no checkout session ${id}`);
    if (cs.status !== 'open') throw new Error(`stand-in: checkout session ${id} is ${cs.status}`);
    const pi = this.addPaymentIntent({ amount: cs.amount_total, currency: cs.currency, customer: cs.customer });
    pi.metadata = { ...cs.payment_intent_metadata };
    cs.status = 'complete';
    cs.payment_status = 'paid';
    cs.payment_intent = pi.id;
    cs.url = null;
    return cs;
  }

  refundsOf(paymentIntent: string): StandInRefund[] {
    return [...this.refunds.values()].filter((r) => r.payment_intent === paymentIntent);
  }

  /** Requests to one method + path (the path without query). */
  requestsTo(method: string, path: string): StripeRecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  // ---- events --------------------------------------------------------------------------------

  /** A Stripe event around an object, as JSON, and its `Stripe-Signature`. */
  event(
    type: string,
    object: unknown,
    opts: { secret?: string; timestamp?: number; id?: string } = {},
  ): { id: string; payload: string; signature: string } {
    const secret = opts.secret ?? this.options.webhookSecret;
    if (!secret) throw new Error('stand-in: no webhook secret');
    const id = opts.id ?? rid('evt');
    const payload = JSON.stringify(
      {
        id,
        object: 'event',
        api_version: '2025-01-01',
        created: now(),
        data: { object },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
      },
      null,
      2,
    );
    return { id, payload, signature: stripeSignatureHeader(payload, secret, opts.timestamp) };
  }

  /** POSTs a signed event to `url` (late, whenever the test says) and answers the receiver's status and body. */
  async sendEvent(
    url: string,
    type: string,
    object: unknown,
    opts: { secret?: string; timestamp?: number; id?: string } = {},
  ): Promise<{ id: string; status: number; body: string }> {
    const e = this.event(type, object, opts);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': e.signature,
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      body: e.payload,
    });
    return { id: e.id, status: res.status, body: await res.text() };
  }

  /** `refund.updated` / `refund.failed` for a refund's current state, sent to `url`. */
  notifyRefund(
    url: string,
    refundId: string,
    opts: { secret?: string; timestamp?: number } = {},
  ): Promise<{ id: string; status: number; body: string }> {
    const r = this.refunds.get(refundId);
    if (!r) throw new Error(`stand-in: no refund ${refundId}`);
    return this.sendEvent(url, r.status === 'failed' ? 'refund.failed' : 'refund.updated', { ...r }, opts);
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private handle(req: IncomingMessage, rawBody: string, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const key = req.headers['idempotency-key'];
    const rec: StripeRecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      idempotencyKey: typeof key === 'string' ? key : undefined,
      rawBody,
      body: parseStripeForm(rawBody),
    };
    this.requests.push(rec);

    const delay = this.delays.shift();
    const answer = this.answer(rec, req.headers.authorization);
    const send = () => {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': rid('req') };
      if (rec.idempotencyKey) headers['idempotency-key'] = rec.idempotencyKey;
      if (rec.replayed) headers['idempotent-replayed'] = 'true';
      rec.status = sendAnswer(res, { status: answer.status, headers, body: JSON.stringify(answer.body) })
        ? answer.status
        : 0;
    };
    if (delay === undefined) send();
    else this.http.later(delay, send);
  }

  private answer(rec: StripeRecordedRequest, authorization: string | undefined): Answer {
    const failure = this.failures.shift();
    if (failure) return { status: failure.status, body: { error: failure.error } };
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : '';
    if (!token || (this.options.apiKey && token !== this.options.apiKey)) {
      return {
        status: 401,
        body: {
          error: {
            type: 'invalid_request_error',
            message: token ? `Invalid API Key provided: ${token.slice(0, 8)}…` : 'You did not provide an API key.',
          },
        },
      };
    }
    if (rec.method !== 'POST') return this.route(rec);
    const fingerprint = `${rec.method} ${rec.path} ${JSON.stringify(sortDeep(rec.body))}`;
    return this.idempotency.answer(
      rec.idempotencyKey,
      () => ({ fingerprint, ...this.route(rec) }),
      (stored) => {
        if (stored.fingerprint !== fingerprint) {
          return {
            status: 400,
            body: {
              error: {
                type: 'idempotency_error',
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${rec.idempotencyKey}' if you meant to execute a different request.`,
              },
            },
          };
        }
        rec.replayed = true;
        return stored;
      },
    );
  }

  private route(rec: StripeRecordedRequest): Answer {
    const m = `${rec.method} ${rec.path}`;
    if (rec.method === 'POST') {
      const rejection = this.rejections.shift();
      if (rejection) return { status: rejection.status, body: { error: rejection.error } };
    }
    if (m === 'POST /v1/refunds') return this.createRefund(rec.body);
    if (m === 'GET /v1/refunds')
      return this.list(
        '/v1/refunds',
        [...this.refunds.values()].filter(
          (r) => !rec.query.payment_intent || r.payment_intent === rec.query.payment_intent,
        ),
        rec.query,
      );
    if (m === 'POST /v1/payment_intents') return this.createPaymentIntent(rec.body);
    if (m === 'GET /v1/payment_intents')
      return this.list(
        '/v1/payment_intents',
        [...this.paymentIntents.values()].filter((p) => !rec.query.customer || p.customer === rec.query.customer),
        rec.query,
      );
    if (m === 'POST /v1/checkout/sessions') return this.createCheckoutSession(rec.body);
    const session = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(rec.path);
    if (session && rec.method === 'GET') {
      const id = decodeURIComponent(session[1]!);
      const cs = this.checkoutSessions.get(id);
      return cs ? { status: 200, body: publicSession(cs) } : missing('checkout.session', id, 'session', 404);
    }
    let match = /^\/v1\/refunds\/([^/]+)$/.exec(rec.path);
    if (match && rec.method === 'GET') {
      const r = this.refunds.get(decodeURIComponent(match[1]!));
      return r ? { status: 200, body: r } : missing('refund', decodeURIComponent(match[1]!), 'id', 404);
    }
    match = /^\/v1\/payment_intents\/([^/]+)(?:\/(capture|cancel))?$/.exec(rec.path);
    if (match) {
      const id = decodeURIComponent(match[1]!);
      const pi = this.paymentIntents.get(id);
      if (!pi) return missing('payment_intent', id, 'intent', 404);
      if (!match[2] && rec.method === 'GET') return { status: 200, body: pi };
      if (match[2] === 'capture' && rec.method === 'POST') return this.capture(pi, rec.body);
      if (match[2] === 'cancel' && rec.method === 'POST') return this.cancel(pi, rec.body);
    }
    return {
      status: 404,
      body: {
        error: { type: 'invalid_request_error', message: `Unrecognized request URL (${rec.method}: ${rec.path}).` },
      },
    };
  }

  private list<T extends { id: string }>(url: string, items: T[], query: Record<string, string>): Answer {
    const newestFirst = [...items].sort((a, b) => this.order.indexOf(b.id) - this.order.indexOf(a.id));
    const limit = Math.min(Math.max(Number(query.limit ?? 10) || 10, 1), 100);
    const start = query.starting_after ? newestFirst.findIndex((x) => x.id === query.starting_after) + 1 : 0;
    const data = newestFirst.slice(start, start + limit);
    return { status: 200, body: { object: 'list', data, has_more: start + limit < newestFirst.length, url } };
  }

  private createRefund(body: Record<string, unknown>): Answer {
    const piId = typeof body.payment_intent === 'string' ? body.payment_intent : undefined;
    if (!piId)
      return invalid(
        'parameter_missing',
        'One of the following params should be provided for this request: payment_intent or charge.',
        'payment_intent',
      );
    const pi = this.paymentIntents.get(piId);
    if (!pi) return missing('payment_intent', piId, 'payment_intent', 400);
    if (pi.status !== 'succeeded')
      return invalid(
        'payment_intent_unexpected_state',
        `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
        'payment_intent',
      );
    const refunded = this.refundsOf(pi.id)
      .filter((r) => r.status !== 'failed' && r.status !== 'canceled')
      .reduce((s, r) => s + r.amount, 0);
    const left = pi.amount_received - refunded;
    const amount = body.amount === undefined ? left : Number(body.amount);
    if (!Number.isInteger(amount) || amount <= 0)
      return invalid('parameter_invalid_integer', 'Invalid positive integer', 'amount');
    if (left <= 0) return invalid('charge_already_refunded', `Charge ${pi.latest_charge} has already been refunded.`);
    if (amount > left)
      return invalid(
        'amount_too_large',
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
        'amount',
      );
    const next = this.refundStatuses.shift();
    const refund: StandInRefund = {
      id: rid('re'),
      object: 'refund',
      amount,
      currency: pi.currency,
      charge: pi.latest_charge,
      payment_intent: pi.id,
      status: next?.status ?? 'succeeded',
      failure_reason: next?.failure_reason ?? null,
      reason: typeof body.reason === 'string' ? body.reason : null,
      metadata: stringRecord(body.metadata),
      balance_transaction: rid('txn'),
      created: now(),
    };
    this.refunds.set(refund.id, refund);
    this.order.push(refund.id);
    return { status: 200, body: refund };
  }

  private createPaymentIntent(body: Record<string, unknown>): Answer {
    const amount = Number(body.amount);
    if (!Number.isInteger(amount) || amount <= 0)
      return invalid('parameter_invalid_integer', 'Invalid positive integer', 'amount');
    if (typeof body.currency !== 'string')
      return invalid('parameter_missing', 'Missing required param: currency.', 'currency');
    const manual = body.capture_method === 'manual';
    const pi: StandInPaymentIntent = {
      id: rid('pi'),
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      currency: body.currency.toLowerCase(),
      customer: typeof body.customer === 'string' ? body.customer : null,
      payment_method: typeof body.payment_method === 'string' ? body.payment_method : null,
      status: 'requires_payment_method',
      capture_method: manual ? 'manual' : 'automatic',
      latest_charge: null,
      description: typeof body.description === 'string' ? body.description : null,
      metadata: stringRecord(body.metadata),
      last_payment_error: null,
      cancellation_reason: null,
      off_session: body.off_session === 'true',
      created: now(),
      livemode: false,
    };
    this.paymentIntents.set(pi.id, pi);
    this.order.push(pi.id);
    if (body.confirm !== 'true' || !pi.payment_method) return { status: 200, body: pi };
    const decline = this.chargeDeclines.shift();
    if (decline) {
      pi.last_payment_error = { type: 'card_error', ...decline };
      pi.latest_charge = rid('ch');
      return { status: 402, body: { error: { type: 'card_error', ...decline, payment_intent: pi } } };
    }
    pi.latest_charge = rid('ch');
    if (manual) {
      pi.status = 'requires_capture';
      pi.amount_capturable = amount;
    } else {
      pi.status = 'succeeded';
      pi.amount_received = amount;
    }
    return { status: 200, body: pi };
  }

  private createCheckoutSession(body: Record<string, unknown>): Answer {
    if (body.mode !== 'payment' && body.mode !== 'setup' && body.mode !== 'subscription') {
      return invalid(
        body.mode === undefined ? 'parameter_missing' : 'parameter_invalid_string',
        'Missing required param: mode.',
        'mode',
      );
    }
    if (body.mode !== 'payment')
      return invalid(
        'parameter_unknown',
        `The stand-in only makes Checkout Sessions in payment mode, not ${String(body.mode)}.`,
        'mode',
      );
    const raw =
      body.line_items && typeof body.line_items === 'object'
        ? Object.values(body.line_items as Record<string, unknown>)
        : [];
    if (raw.length === 0)
      return invalid(
        'parameter_missing',
        'You must provide at least one line item (line_items) in payment mode.',
        'line_items',
      );
    const items: StandInCheckoutSession['line_items_requested'] = [];
    for (const [i, li] of raw.entries()) {
      const item = (li ?? {}) as {
        quantity?: unknown;
        price?: unknown;
        price_data?: { currency?: unknown; unit_amount?: unknown; product_data?: { name?: unknown } };
      };
      if (item.price !== undefined)
        return invalid(
          'parameter_unknown',
          'The stand-in knows no Price objects: use price_data.',
          `line_items[${i}][price]`,
        );
      const pd = item.price_data;
      if (!pd)
        return invalid(
          'parameter_missing',
          'You must specify either `price` or `price_data` for each line item.',
          `line_items[${i}][price_data]`,
        );
      if (typeof pd.currency !== 'string')
        return invalid(
          'parameter_missing',
          'Missing required param: line_items[0][price_data][currency].',
          `line_items[${i}][price_data][currency]`,
        );
      const unit = Number(pd.unit_amount);
      if (pd.unit_amount === undefined || !Number.isInteger(unit) || unit < 0)
        return invalid(
          'parameter_invalid_integer',
          'Invalid non-negative integer',
          `line_items[${i}][price_data][unit_amount]`,
        );
      if (typeof pd.product_data?.name !== 'string' || !pd.product_data.name)
        return invalid(
          'parameter_missing',
          'Missing required param: product_data[name].',
          `line_items[${i}][price_data][product_data][name]`,
        );
      const quantity = Number(item.quantity);
      if (!Number.isInteger(quantity) || quantity <= 0)
        return invalid('parameter_missing', 'Missing required param: quantity.', `line_items[${i}][quantity]`);
      items.push({
        quantity,
        price_data: {
          currency: pd.currency.toLowerCase(),
          unit_amount: unit,
          product_data: { name: pd.product_data.name },
        },
      });
    }
    const currency = items[0]!.price_data.currency;
    if (items.some((x) => x.price_data.currency !== currency))
      return invalid('parameter_invalid_string', 'All line items must have the same currency.', 'line_items');
    if (typeof body.success_url !== 'string')
      return invalid('parameter_missing', 'Missing required param: success_url.', 'success_url');
    const total = items.reduce((n, x) => n + x.quantity * x.price_data.unit_amount, 0);
    if (total <= 0)
      return invalid(
        'amount_too_small',
        'The Checkout Session’s total amount due must be greater than zero.',
        'line_items',
      );
    const id = rid('cs_test');
    const created = now();
    const cs: StandInCheckoutSession = {
      id,
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_subtotal: total,
      amount_total: total,
      currency,
      url: `https://checkout.stripe.com/c/pay/${id}`,
      success_url: body.success_url,
      cancel_url: typeof body.cancel_url === 'string' ? body.cancel_url : null,
      client_reference_id: typeof body.client_reference_id === 'string' ? body.client_reference_id : null,
      customer: typeof body.customer === 'string' ? body.customer : null,
      customer_email: typeof body.customer_email === 'string' ? body.customer_email : null,
      payment_intent: null,
      metadata: stringRecord(body.metadata),
      line_items_requested: items,
      payment_intent_metadata: stringRecord((body.payment_intent_data as { metadata?: unknown } | undefined)?.metadata),
      expires_at: typeof body.expires_at === 'string' ? Number(body.expires_at) : created + 24 * 3600,
      created,
      livemode: false,
    };
    this.checkoutSessions.set(id, cs);
    this.order.push(id);
    return { status: 200, body: publicSession(cs) };
  }

  private capture(pi: StandInPaymentIntent, body: Record<string, unknown>): Answer {
    if (pi.status !== 'requires_capture') {
      return invalid(
        'payment_intent_unexpected_state',
        `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
      );
    }
    const amount = body.amount_to_capture === undefined ? pi.amount_capturable : Number(body.amount_to_capture);
    if (!Number.isInteger(amount) || amount <= 0 || amount > pi.amount_capturable)
      return invalid('amount_too_large', 'The amount to capture exceeds the capturable amount.', 'amount_to_capture');
    pi.status = 'succeeded';
    pi.amount_received = amount;
    pi.amount_capturable = 0;
    return { status: 200, body: pi };
  }

  private cancel(pi: StandInPaymentIntent, body: Record<string, unknown>): Answer {
    if (pi.status === 'succeeded' || pi.status === 'canceled') {
      return invalid(
        'payment_intent_unexpected_state',
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`,
      );
    }
    pi.status = 'canceled';
    pi.amount_capturable = 0;
    pi.cancellation_reason = typeof body.cancellation_reason === 'string' ? body.cancellation_reason : null;
    return { status: 200, body: pi };
  }
}

/** A session as Stripe answers it (without the stand-in's bookkeeping). */
function publicSession(
  cs: StandInCheckoutSession,
): Omit<StandInCheckoutSession, 'line_items_requested' | 'payment_intent_metadata'> {
  const { line_items_requested: _items, payment_intent_metadata: _meta, ...rest } = cs;
  return rest;
}

const invalid = (code: string, message: string, param?: string): Answer => ({
  status: 400,
  body: { error: { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) } },
});

const missing = (kind: string, id: string, param: string, status: number): Answer => ({
  status,
  body: {
    error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${kind}: '${id}'`, param },
  },
});

function stringRecord(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object') return {};
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

function sortDeep(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => [k, sortDeep(x)]),
  );
}
