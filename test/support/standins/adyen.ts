/**
 * A local stand-in for Adyen's Checkout API refunds and its standard notifications, on loopback.
 *
 * `POST /v{n}/payments/{paymentPspReference}/refunds` with `X-API-Key` and a JSON body
 * `{merchantAccount, amount:{value,currency}, reference}` → `201 {merchantAccount,
 * paymentPspReference, pspReference, reference, status:"received", amount}`. Errors are Adyen's
 * `{status, errorCode, message, errorType}`. Like Adyen, a request with an `Idempotency-Key` is
 * done once: a later request with the same key gets the first response back (and the key echoed
 * in the `Idempotency-Key` response header). (The stand-in does its work at once, so Adyen's
 * 422 errorCode 704 for a key still in progress only comes when told, with `rejectNext`.)
 *
 * As at Adyen, the outcome of a refund comes later, as a `REFUND` notification: by default
 * success=true, success=false when the refund exceeds what is left on the payment (or when told:
 * {@link AdyenStandIn.refuseNextRefund}). {@link AdyenStandIn.notification} builds the signed
 * notification (HMAC-SHA256 with the hex key over the documented colon-joined fields, base64) and
 * {@link AdyenStandIn.sendNotification} POSTs it to a URL whenever the test wants (late).
 *
 * For tests: every request is kept; next N requests 500 ({@link AdyenStandIn.failNext}); an
 * answer after the work is done but later than the client waits ({@link AdyenStandIn.delayNext});
 * a synchronous refusal ({@link AdyenStandIn.rejectNext}).
 */
import { createHmac, randomInt } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { IdempotencyStore, sendAnswer, StandInServer } from './server.js';

export interface AdyenRecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  idempotencyKey: string | undefined;
  rawBody: string;
  body: unknown;
  status?: number;
  replayed?: boolean;
}

export interface AdyenErrorBody {
  status: number;
  errorCode: string;
  message: string;
  errorType: 'validation' | 'security' | 'configuration' | 'internal' | 'transient';
  pspReference?: string;
}

export interface StandInAdyenPayment {
  pspReference: string;
  merchantAccount: string;
  amount: number;
  currency: string;
  merchantReference: string;
}

export interface StandInAdyenRefund {
  pspReference: string;
  paymentPspReference: string;
  merchantAccount: string;
  reference: string;
  amount: number;
  currency: string;
  /** What the REFUND notification will say. */
  success: boolean;
  reason: string;
}

export interface AdyenStandInOptions {
  apiKey?: string;
  merchantAccount?: string;
  /** Hex HMAC key the notifications are signed with. */
  hmacKey?: string;
}

interface Answer {
  status: number;
  body: unknown;
}

/** A 16-character PSP reference, as Adyen issues them. */
const psp = () => `${randomInt(1, 10)}${Array.from({ length: 15 }, () => randomInt(0, 10)).join('')}`;

/** Adyen's HMAC for a notification item, written from the documented recipe (independent of the adapter). */
export function adyenItemSignature(item: Record<string, unknown>, hexKey: string): string {
  const amount = (item.amount ?? {}) as { value?: unknown; currency?: unknown };
  const fields = [
    item.pspReference,
    item.originalReference,
    item.merchantAccountCode,
    item.merchantReference,
    amount.value,
    amount.currency,
    item.eventCode,
    item.success,
  ];
  const data = fields.map((f) => (f === undefined || f === null ? '' : String(f))).join(':');
  return createHmac('sha256', Buffer.from(hexKey, 'hex')).update(data, 'utf8').digest('base64');
}

export class AdyenStandIn {
  readonly requests: AdyenRecordedRequest[] = [];
  readonly payments = new Map<string, StandInAdyenPayment>();
  readonly refunds = new Map<string, StandInAdyenRefund>();
  private readonly idempotency = new IdempotencyStore<Answer>();
  private failures: Answer[] = [];
  private rejections: Answer[] = [];
  private delays: number[] = [];
  private refusals: string[] = [];
  readonly url: string;
  readonly apiKey: string;
  readonly merchantAccount: string;
  readonly hmacKey: string;

  private constructor(
    private readonly http: StandInServer,
    options: AdyenStandInOptions,
  ) {
    this.url = http.url;
    this.apiKey = options.apiKey ?? 'AQE-standin-key';
    this.merchantAccount = options.merchantAccount ?? 'StandInMerchantECOM';
    this.hmacKey = options.hmacKey ?? '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
  }

  static async start(options: AdyenStandInOptions = {}): Promise<AdyenStandIn> {
    let self: AdyenStandIn | null = null;
    self = new AdyenStandIn(await StandInServer.start((req, rawBody, res) => self!.handle(req, rawBody, res)), options);
    return self;
  }

  /** The value for `ADYEN_CHECKOUT_URL`. */
  get checkoutUrl(): string {
    return `${this.url}/v71`;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  // ---- set-up --------------------------------------------------------------------------------

  /** An authorised and captured payment to refund. */
  addPayment(p: {
    pspReference?: string;
    amount: number;
    currency?: string;
    merchantReference?: string;
  }): StandInAdyenPayment {
    const payment: StandInAdyenPayment = {
      pspReference: p.pspReference ?? psp(),
      merchantAccount: this.merchantAccount,
      amount: p.amount,
      currency: (p.currency ?? 'NOK').toUpperCase(),
      merchantReference: p.merchantReference ?? `order-${randomInt(1000, 9999)}`,
    };
    this.payments.set(payment.pspReference, payment);
    return payment;
  }

  /** The next `n` requests answer `status` (default 500) without doing anything. */
  failNext(n = 1, status = 500): void {
    for (let i = 0; i < n; i++) {
      this.failures.push({
        status,
        body: {
          status,
          errorCode: '905',
          message: 'Internal error (stand-in)',
          errorType: status >= 500 ? 'internal' : 'transient',
        } satisfies AdyenErrorBody,
      });
    }
  }

  /** The next request is done at once but answered only after `ms`. */
  delayNext(ms: number, n = 1): void {
    for (let i = 0; i < n; i++) this.delays.push(ms);
  }

  /** The next refund request is refused synchronously with this error (422 validation by default); not kept under its key. */
  rejectNext(error: Partial<AdyenErrorBody> & { message: string }): void {
    const status = error.status ?? 422;
    this.rejections.push({
      status,
      body: {
        status,
        errorCode: error.errorCode ?? '000',
        errorType: error.errorType ?? 'validation',
        message: error.message,
      },
    });
  }

  /** The next refund is `received` but its REFUND notification will say success=false with this reason. */
  refuseNextRefund(reason = 'Refused'): void {
    this.refusals.push(reason);
  }

  refundsOf(paymentPspReference: string): StandInAdyenRefund[] {
    return [...this.refunds.values()].filter((r) => r.paymentPspReference === paymentPspReference);
  }

  // ---- notifications -------------------------------------------------------------------------

  /** A standard notification for a refund (REFUND by default, its planned outcome), signed. */
  notification(
    refundPspReference: string,
    opts: {
      eventCode?: 'REFUND' | 'REFUND_FAILED' | 'REFUNDED_REVERSED';
      success?: boolean;
      reason?: string;
      hmacKey?: string;
    } = {},
  ): { payload: string; item: Record<string, unknown> } {
    const r = this.refunds.get(refundPspReference);
    if (!r) throw new Error(`stand-in: no refund ${refundPspReference}`);
    const eventCode = opts.eventCode ?? 'REFUND';
    const success = opts.success ?? (eventCode === 'REFUND' ? r.success : true);
    const item: Record<string, unknown> = {
      additionalData: {},
      amount: { currency: r.currency, value: r.amount },
      eventCode,
      eventDate: new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
      merchantAccountCode: r.merchantAccount,
      merchantReference: r.reference,
      originalReference: r.paymentPspReference,
      paymentMethod: 'visa',
      pspReference: r.pspReference,
      reason: opts.reason ?? (success ? '' : r.reason || 'Refused'),
      success: success ? 'true' : 'false',
    };
    (item.additionalData as Record<string, string>).hmacSignature = adyenItemSignature(
      item,
      opts.hmacKey ?? this.hmacKey,
    );
    return { payload: JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: item }] }), item };
  }

  /** POSTs a notification to `url`; Adyen expects `[accepted]` back. */
  async sendNotification(
    url: string,
    refundPspReference: string,
    opts: Parameters<AdyenStandIn['notification']>[1] = {},
  ): Promise<{ status: number; body: string; accepted: boolean }> {
    const { payload } = this.notification(refundPspReference, opts);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
    const body = await res.text();
    return { status: res.status, body, accepted: res.ok && body.trim() === '[accepted]' };
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private handle(req: IncomingMessage, rawBody: string, res: ServerResponse): void {
    const key = req.headers['idempotency-key'];
    let body: unknown = null;
    try {
      body = rawBody ? JSON.parse(rawBody) : null;
    } catch {
      body = undefined;
    }
    const rec: AdyenRecordedRequest = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://127.0.0.1').pathname,
      headers: req.headers,
      idempotencyKey: typeof key === 'string' ? key : undefined,
      rawBody,
      body,
    };
    this.requests.push(rec);
    const delay = this.delays.shift();
    const answer = this.answer(rec);
    const send = () => {
      const headers: Record<string, string> = { 'content-type': 'application/json;charset=UTF-8', pspreference: psp() };
      if (rec.idempotencyKey) headers['idempotency-key'] = rec.idempotencyKey;
      rec.status = sendAnswer(res, { status: answer.status, headers, body: JSON.stringify(answer.body) })
        ? answer.status
        : 0;
    };
    if (delay === undefined) send();
    else this.http.later(delay, send);
  }

  private answer(rec: AdyenRecordedRequest): Answer {
    const failure = this.failures.shift();
    if (failure) return failure;
    if (rec.headers['x-api-key'] !== this.apiKey) {
      return {
        status: 401,
        body: { status: 401, errorCode: '000', message: 'HTTP Status Response - Unauthorized', errorType: 'security' },
      };
    }
    const m = /^\/v\d+\/payments\/([^/]+)\/refunds$/.exec(rec.path);
    if (!m || rec.method !== 'POST')
      return { status: 404, body: { status: 404, errorCode: '000', message: 'Not found', errorType: 'validation' } };
    const rejection = this.rejections.shift();
    if (rejection) return rejection;
    return this.idempotency.answer(
      rec.idempotencyKey,
      () => this.refund(decodeURIComponent(m[1]!), rec.body),
      (stored) => {
        rec.replayed = true;
        return stored;
      },
    );
  }

  private refund(paymentPspReference: string, body: unknown): Answer {
    if (!body || typeof body !== 'object') return validation('702', 'Structure of the request is invalid');
    const b = body as {
      merchantAccount?: unknown;
      amount?: { value?: unknown; currency?: unknown };
      reference?: unknown;
    };
    if (b.merchantAccount !== this.merchantAccount)
      return {
        status: 403,
        body: { status: 403, errorCode: '901', message: 'Invalid Merchant Account', errorType: 'security' },
      };
    const value = b.amount?.value;
    const currency = b.amount?.currency;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
      return validation('137', 'Invalid amount specified');
    if (typeof currency !== 'string') return validation('139', 'Currency must be specified');
    const payment = this.payments.get(paymentPspReference);
    if (!payment) return validation('167', 'Original pspReference required for this operation');
    if (currency.toUpperCase() !== payment.currency)
      return validation('138', 'Currency does not match the original payment');
    // Received; the outcome follows in the REFUND notification. Too much → refused there, as at Adyen.
    const left =
      payment.amount -
      this.refundsOf(paymentPspReference)
        .filter((r) => r.success)
        .reduce((s, r) => s + r.amount, 0);
    const refusal = this.refusals.shift();
    const refund: StandInAdyenRefund = {
      pspReference: psp(),
      paymentPspReference,
      merchantAccount: payment.merchantAccount,
      reference: typeof b.reference === 'string' ? b.reference : '',
      amount: value,
      currency: payment.currency,
      success: refusal === undefined && value <= left,
      reason: refusal ?? (value > left ? 'Insufficient balance on payment' : ''),
    };
    this.refunds.set(refund.pspReference, refund);
    return {
      status: 201,
      body: {
        merchantAccount: refund.merchantAccount,
        paymentPspReference,
        pspReference: refund.pspReference,
        reference: refund.reference,
        status: 'received',
        amount: { currency: refund.currency, value: refund.amount },
      },
    };
  }
}

const validation = (errorCode: string, message: string): Answer => ({
  status: 422,
  body: { status: 422, errorCode, message, errorType: 'validation' } satisfies AdyenErrorBody,
});
