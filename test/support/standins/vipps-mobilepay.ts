/**
 * A local stand-in for Vipps MobilePay on 127.0.0.1: the Access token API and the ePayment API v1
 * parts a refund needs, answering with the documented shapes, plus the Webhooks API's signed
 * deliveries.
 *
 *   POST /accesstoken/get                         headers client_id, client_secret,
 *                                                 Ocp-Apim-Subscription-Key → {token_type, expires_in, …, access_token}
 *   POST /epayment/v1/payments/{ref}/refund       Bearer token, subscription key, Merchant-Serial-Number,
 *                                                 Idempotency-Key (required, ≤ 50) → 200 ModificationResponse
 *   GET  /epayment/v1/payments/{ref}              → the payment with its `aggregate`
 *   GET  /epayment/v1/payments/{ref}/events       → the event log (CREATED, AUTHORIZED, CAPTURED, REFUNDED…)
 * Errors are `application/problem+json` ({type, title, detail, status, traceId}); the refusal of a
 * refund above what is captured and not yet refunded is a 400 of that shape (its wording is ours).
 *
 * Like Vipps, an Idempotency-Key seen before gets the first answer again and makes no second
 * refund. On demand it fails the next requests with 5xx (doing nothing), answers later than a
 * client waits (after having made the refund), invalidates issued tokens, and sends webhooks
 * signed as the Webhooks API signs them — on every refund (`webhookOnRefund`) or by hand
 * (`sendWebhook`). Every request is recorded.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  IdempotencyStore,
  startRecordingServer,
  type RecordedRequest,
  type RequestFilter,
  type WireAnswer,
} from './server.js';

export type { RecordedRequest, RequestFilter } from './server.js';

export interface VippsStandInCredentials {
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  merchantSerialNumber: string;
}

export interface VippsStandInPayment {
  reference: string;
  currency: string;
  /** Authorized and captured (a sale); override `authorizedAmount` for a partial capture. */
  capturedAmount: number;
  authorizedAmount?: number;
}

export interface VippsStandInEvent {
  reference: string;
  pspReference: string;
  name: 'CREATED' | 'AUTHORIZED' | 'CAPTURED' | 'REFUNDED' | 'CANCELLED' | 'ABORTED' | 'EXPIRED' | 'TERMINATED';
  amount: { currency: string; value: number };
  timestamp: string;
  idempotencyKey: string | null;
  success: boolean;
}

export interface WebhookDelivery {
  url: string;
  status: number | null;
  error?: string;
}

export interface VippsMobilePayStandIn {
  readonly url: string;
  /** Ready for `vippsMobilePayProvider({...settings})`. */
  readonly settings: VippsStandInCredentials & { apiUrl: string };
  readonly requests: RecordedRequest[];
  /** Access tokens issued so far. */
  tokensIssued(): number;
  /** Makes every issued token invalid (the next API call gets 401). */
  revokeTokens(): void;
  addPayment(payment: VippsStandInPayment): void;
  /** The event log of one payment. */
  events(reference: string): VippsStandInEvent[];
  /** REFUNDED events made (one per idempotency key), of one payment or all. */
  refunds(reference?: string): VippsStandInEvent[];
  failNext(count: number, status?: number, only?: RequestFilter): void;
  answerLate(delayMs: number, count?: number, only?: RequestFilter): void;
  /** After every refund, POST `epayments.payment.refunded.v1` to `url`, signed with `secret` (after `delayMs`). */
  webhookOnRefund(target: { url: string; secret: string; delayMs?: number } | null): void;
  /** Sends one signed webhook now. */
  sendWebhook(url: string, secret: string, event: unknown): Promise<WebhookDelivery>;
  readonly webhookDeliveries: WebhookDelivery[];
  close(): Promise<void>;
}

/**
 * The headers the Webhooks API sends with a delivery of `body` to `url`: `x-ms-date`,
 * `x-ms-content-sha256` (base64 SHA-256 of the body) and `Authorization: HMAC-SHA256
 * SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=…` (base64 HMAC-SHA256 with the
 * secret's UTF-8 bytes over `POST\n<path and query>\n<date>;<host>;<content hash>`).
 */
export function signVippsWebhook(
  url: string,
  body: string,
  secret: string,
  date: Date = new Date(),
): Record<string, string> {
  const target = new URL(url);
  const xMsDate = date.toUTCString();
  const contentHash = createHash('sha256').update(body, 'utf8').digest('base64');
  const signed = `POST\n${target.pathname}${target.search}\n${xMsDate};${target.host};${contentHash}`;
  const signature = createHmac('sha256', Buffer.from(secret, 'utf8')).update(signed, 'utf8').digest('base64');
  return {
    'x-ms-date': xMsDate,
    'x-ms-content-sha256': contentHash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

interface PaymentState {
  reference: string;
  currency: string;
  authorized: number;
  captured: number;
  events: VippsStandInEvent[];
}

const pspReference = () => String(1_000_000_000 + Math.floor(Math.random() * 8_999_999_999));

export async function startVippsMobilePayStandIn(
  options: { credentials?: Partial<VippsStandInCredentials>; tokenLifetimeSeconds?: number } = {},
): Promise<VippsMobilePayStandIn> {
  const credentials: VippsStandInCredentials = {
    clientId: 'fb492b5e-7907-4d83-ba20-c7fb60ca35de',
    clientSecret: 'standin-client-secret',
    subscriptionKey: 'standin-subscription-key',
    merchantSerialNumber: '123456',
    ...options.credentials,
  };
  const tokenLifetime = options.tokenLifetimeSeconds ?? 3600;
  const tokens = new Map<string, number>(); // token → expiry (ms)
  let issued = 0;
  const payments = new Map<string, PaymentState>();
  const idempotent = new IdempotencyStore<WireAnswer>();
  const webhookDeliveries: WebhookDelivery[] = [];
  let webhookTarget: { url: string; secret: string; delayMs?: number } | null = null;

  const problem = (status: number, title: string, detail: string): WireAnswer => ({
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({
      type: `https://developer.vippsmobilepay.com/docs/APIs/epayment-api/problems#${status}`,
      title,
      detail,
      status,
      traceId: randomUUID(),
    }),
  });
  const json = (status: number, body: unknown): WireAnswer => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  const sum = (p: PaymentState, name: VippsStandInEvent['name']) =>
    p.events.filter((e) => e.name === name && e.success).reduce((s, e) => s + e.amount.value, 0);
  const aggregate = (p: PaymentState) => ({
    authorizedAmount: { currency: p.currency, value: p.authorized },
    cancelledAmount: { currency: p.currency, value: sum(p, 'CANCELLED') },
    capturedAmount: { currency: p.currency, value: p.captured },
    refundedAmount: { currency: p.currency, value: sum(p, 'REFUNDED') },
  });

  function refund(reference: string, body: string, key: string): WireAnswer {
    const payment = payments.get(reference);
    if (!payment) return problem(404, 'Not Found', `Payment ${reference} was not found`);
    let input: { modificationAmount?: { currency?: unknown; value?: unknown } };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      return problem(400, 'Bad Request', 'The request body is not valid JSON');
    }
    const value = input.modificationAmount?.value;
    const currency = input.modificationAmount?.currency;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
      return problem(400, 'Bad Request', 'modificationAmount.value must be a positive integer');
    if (currency !== payment.currency)
      return problem(400, 'Bad Request', `modificationAmount.currency must be ${payment.currency}`);
    if (payment.captured === 0)
      return problem(400, 'Bad Request', 'The payment is not captured, so it cannot be refunded');
    const refundable = payment.captured - sum(payment, 'REFUNDED');
    if (value > refundable)
      return problem(
        400,
        'Bad Request',
        `Refund amount ${value} is larger than the captured amount not yet refunded (${refundable})`,
      );
    const event: VippsStandInEvent = {
      reference,
      pspReference: pspReference(),
      name: 'REFUNDED',
      amount: { currency: payment.currency, value },
      timestamp: new Date().toISOString(),
      idempotencyKey: key,
      success: true,
    };
    payment.events.push(event);
    if (webhookTarget) {
      const target = webhookTarget;
      server.later(
        target.delayMs ?? 0,
        () => void deliver(target.url, target.secret, { msn: credentials.merchantSerialNumber, ...event }),
      );
    }
    return json(200, {
      amount: { currency: payment.currency, value: payment.authorized },
      state: 'AUTHORIZED',
      aggregate: aggregate(payment),
      pspReference: event.pspReference,
      reference,
    });
  }

  function route(req: IncomingMessage, record: RecordedRequest): WireAnswer {
    const { path, body } = record;
    const h = req.headers;
    if (req.method === 'POST' && path === '/accesstoken/get') {
      if (
        h.client_id !== credentials.clientId ||
        h.client_secret !== credentials.clientSecret ||
        h['ocp-apim-subscription-key'] !== credentials.subscriptionKey
      ) {
        return json(401, {
          error: 'unauthorized_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
        });
      }
      const token = `standin.${randomUUID()}`;
      const nowS = Math.floor(Date.now() / 1000);
      tokens.set(token, Date.now() + tokenLifetime * 1000);
      issued += 1;
      return json(200, {
        token_type: 'Bearer',
        expires_in: String(tokenLifetime),
        ext_expires_in: '0',
        expires_on: String(nowS + tokenLifetime),
        not_before: String(nowS),
        resource: '00000002-0000-0000-c000-000000000000',
        access_token: token,
      });
    }
    if (h['ocp-apim-subscription-key'] !== credentials.subscriptionKey)
      return problem(401, 'Unauthorized', 'Access denied due to missing or invalid subscription key');
    const bearer = /^Bearer (.+)$/.exec(h.authorization ?? '')?.[1];
    const expiry = bearer ? tokens.get(bearer) : undefined;
    if (expiry === undefined || expiry <= Date.now())
      return problem(401, 'Unauthorized', 'The access token is missing, invalid or expired');
    if (h['merchant-serial-number'] !== credentials.merchantSerialNumber)
      return problem(403, 'Forbidden', 'The Merchant-Serial-Number is not allowed for these credentials');

    const match = /^\/epayment\/v1\/payments\/([^/?]+)(\/refund|\/events)?$/.exec(path.split('?')[0]!);
    if (!match) return problem(404, 'Not Found', `No such resource ${path}`);
    const reference = decodeURIComponent(match[1]!);
    if (req.method === 'POST' && match[2] === '/refund') {
      const key = h['idempotency-key'] as string | undefined;
      if (!key) return problem(400, 'Bad Request', 'The Idempotency-Key header is required');
      if (key.length > 50)
        return problem(400, 'Bad Request', 'The Idempotency-Key header must be at most 50 characters');
      return idempotent.answer(
        `refund:${reference}:${key}`,
        () => refund(reference, body, key),
        (stored) => {
          record.handling = 'replayed';
          return stored;
        },
      );
    }
    if (req.method === 'GET') {
      const payment = payments.get(reference);
      if (!payment) return problem(404, 'Not Found', `Payment ${reference} was not found`);
      if (match[2] === '/events') return json(200, payment.events);
      if (!match[2]) {
        return json(200, {
          aggregate: aggregate(payment),
          amount: { currency: payment.currency, value: payment.authorized },
          state: 'AUTHORIZED',
          paymentMethod: { type: 'WALLET' },
          pspReference: payment.events[0]?.pspReference,
          reference,
        });
      }
    }
    return problem(405, 'Method Not Allowed', `${req.method} ${path} is not supported`);
  }

  async function deliver(target: string, secret: string, event: unknown): Promise<WebhookDelivery> {
    const body = JSON.stringify(event);
    const delivery: WebhookDelivery = { url: target, status: null };
    try {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signVippsWebhook(target, body, secret) },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      delivery.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      delivery.error = err instanceof Error ? err.message : String(err);
    }
    webhookDeliveries.push(delivery);
    return delivery;
  }

  const server = await startRecordingServer({
    route,
    failure: (status) =>
      status === 429
        ? problem(429, 'Too Many Requests', 'Rate limit is exceeded')
        : problem(status, 'Internal Server Error', 'An internal error occurred'),
  });
  const url = server.url;

  return {
    url,
    settings: { ...credentials, apiUrl: url },
    requests: server.requests,
    webhookDeliveries,
    tokensIssued: () => issued,
    revokeTokens() {
      tokens.clear();
    },
    addPayment(payment) {
      const authorized = payment.authorizedAmount ?? payment.capturedAmount;
      const at = new Date().toISOString();
      const createKey = randomUUID();
      const event = (name: VippsStandInEvent['name'], value: number): VippsStandInEvent => ({
        reference: payment.reference,
        pspReference: pspReference(),
        name,
        amount: { currency: payment.currency, value },
        timestamp: at,
        idempotencyKey: createKey,
        success: true,
      });
      const events = [event('CREATED', authorized), event('AUTHORIZED', authorized)];
      if (payment.capturedAmount > 0) events.push(event('CAPTURED', payment.capturedAmount));
      payments.set(payment.reference, {
        reference: payment.reference,
        currency: payment.currency,
        authorized,
        captured: payment.capturedAmount,
        events,
      });
    },
    events(reference) {
      return (payments.get(reference)?.events ?? []).map((e) => ({ ...e }));
    },
    refunds(reference) {
      const all = reference ? (payments.get(reference)?.events ?? []) : [...payments.values()].flatMap((p) => p.events);
      return all.filter((e) => e.name === 'REFUNDED').map((e) => ({ ...e }));
    },
    failNext: server.failNext,
    answerLate: server.answerLate,
    webhookOnRefund(target) {
      webhookTarget = target;
    },
    sendWebhook: deliver,
    close: server.close,
  };
}
