/**
 * Vipps MobilePay, through the ePayment API v1 (payments created there or in the eCom API).
 *
 * Every call carries `Authorization: Bearer <access token>`, `Ocp-Apim-Subscription-Key` and
 * `Merchant-Serial-Number` (plus the `Vipps-System-*` headers). The access token comes from
 * `POST {apiUrl}/accesstoken/get` (headers `client_id`, `client_secret`, `Ocp-Apim-Subscription-Key`;
 * no body) and is cached until shortly before `expires_in` runs out (1 h in test, 24 h in
 * production); concurrent callers share one token request, and a 401 on a call drops the cached
 * token and retries that call once with a new one (an APIM 401 means the call was not processed).
 *
 * refund: `POST {apiUrl}/epayment/v1/payments/{reference}/refund` with
 *   `{"modificationAmount": {"currency", "value"}}` and `Idempotency-Key` (≤ 50 chars; ours is a
 *   36-char UUID). Answers, mapped:
 *   2xx (the payment's `aggregate` updated)                  → succeeded
 *   400/403/404/409/422 problem+json (amount above what is captured and not refunded, payment not
 *   captured, unknown reference, conflicting operation, …)   → failed, reason from title/detail
 *   401 (after a fresh token), 423 (Vipps: transient, retry with the same key), 429, 5xx
 *                                                            → throws ProviderUnavailable
 *   timeout / dropped connection on the refund call          → throws OutcomeUnknown
 *   (A failure to get a token is ProviderUnavailable: the refund was never sent.)
 * providerReference: `${reference}:${idempotencyKey}`. Vipps gives a refund no id of its own that all
 *   three paths see alike: the refund answer's `pspReference` is not documented as the refund's, while
 *   the event log and the `epayments.payment.refunded.v1` webhook both carry the payment reference
 *   and our idempotency key. So the refund answer, a lookup and a webhook all name the same refund
 *   the same way, and nothing needs to be learned from an answer that got lost.
 * findRefund: `GET {apiUrl}/epayment/v1/payments/{reference}/events` — the authoritative log — and
 *   the `REFUNDED` event with our idempotency key: `success: true` → succeeded, `false` → failed;
 *   none (or no such payment) → null.
 * charge: none — ePayment cannot charge a customer off-session (that is the Recurring API).
 * parseNotification: Webhooks API deliveries, signed with the registration's secret:
 *   `x-ms-content-sha256` = base64 SHA-256 of the raw body,
 *   `Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<b64>`
 *   over `POST\n<pathAndQuery>\n<x-ms-date>;<host>;<x-ms-content-sha256>` (HMAC-SHA256, the secret's
 *   UTF-8 bytes as key). That signs the path and host, so the caller passes `request`
 *   ({ method, pathAndQuery, host? }). Only `REFUNDED` events (`epayments.payment.refunded.v1`) of
 *   our sales unit become notifications; other events verify and yield nothing. Deliveries are not
 *   refused for their age: a replayed refund event is deduplicated on its eventId and changes nothing.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parseAnswer, readRequest, readText, tryParseJson } from './http.js';
import {
  fetchWithTimeout,
  InvalidSignature,
  ProviderUnavailable,
  type HeaderReader,
  type NotificationRequest,
  type PaymentProvider,
  type RefundLookup,
  type RefundNotification,
  type RefundOutcome,
  type RefundRequest,
} from './provider.js';

export const VIPPS_DEFAULT_API_URL = 'https://api.vipps.no';

export interface VippsMobilePaySettings {
  /** `VIPPS_CLIENT_ID` */
  clientId: string;
  /** `VIPPS_CLIENT_SECRET` */
  clientSecret: string;
  /** `VIPPS_SUBSCRIPTION_KEY`: sent as `Ocp-Apim-Subscription-Key`. */
  subscriptionKey: string;
  /** `VIPPS_MERCHANT_SERIAL_NUMBER`: sent as `Merchant-Serial-Number`. */
  merchantSerialNumber: string;
  /** `VIPPS_API_URL`: https://api.vipps.no (production) or https://apitest.vipps.no (test). */
  apiUrl?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** The clock of the token cache (ms since the epoch); tests move it. */
  now?: () => number;
  /** `Vipps-System-Name` / `-Version` (≤ 30 chars each). */
  systemName?: string;
  systemVersion?: string;
}

/** `Amount` in the ePayment API: minor units. */
interface VippsAmount {
  currency?: string;
  value?: number;
}

/** One entry of `GET …/events`, and (with `msn`) the Webhooks API payload. */
export interface VippsPaymentEvent {
  msn?: string;
  reference?: string;
  pspReference?: string;
  name?: string;
  amount?: VippsAmount;
  timestamp?: string;
  idempotencyKey?: string | null;
  success?: boolean;
}

/** RFC 7807 problem, as the ePayment API sends it. */
interface VippsProblem {
  type?: string;
  title?: string;
  detail?: string;
  status?: number | string;
  traceId?: string;
  extraDetails?: { name?: string; reason?: string }[];
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9-]{1,50}$/;
const SIGNED_HEADERS = 'x-ms-date;host;x-ms-content-sha256';

/** How the three paths (answer, lookup, webhook) name one refund: see the module comment. */
export function vippsRefundReference(paymentReference: string, idempotencyKey: string): string {
  return `${paymentReference}:${idempotencyKey}`;
}

export function vippsMobilePayProvider(settings: VippsMobilePaySettings): PaymentProvider {
  const base = (settings.apiUrl ?? VIPPS_DEFAULT_API_URL).replace(/\/+$/, '');
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const now = settings.now ?? Date.now;
  const systemHeaders = {
    'vipps-system-name': (settings.systemName ?? 'returns-orchestrator').slice(0, 30),
    'vipps-system-version': (settings.systemVersion ?? '0.1.0').slice(0, 30),
    'vipps-system-plugin-name': 'payments-vipps-mobilepay',
    'vipps-system-plugin-version': '1',
  };

  let token: { value: string; expiresAt: number } | null = null;
  let tokenRequest: Promise<string> | null = null;

  async function accessToken(): Promise<string> {
    if (token && now() < token.expiresAt) return token.value;
    tokenRequest ??= fetchToken().finally(() => {
      tokenRequest = null;
    });
    return tokenRequest;
  }

  async function fetchToken(): Promise<string> {
    const res = await readRequest(`${base}/accesstoken/get`, {
      method: 'POST',
      headers: {
        client_id: settings.clientId,
        client_secret: settings.clientSecret,
        'ocp-apim-subscription-key': settings.subscriptionKey,
        'merchant-serial-number': settings.merchantSerialNumber,
        accept: 'application/json',
        ...systemHeaders,
      },
      timeoutMs,
    });
    const text = await readText(res);
    if (!res.ok) throw new ProviderUnavailable(`Vipps MobilePay access token: ${describeProblem(res.status, text)}`);
    const parsed = parseAnswer<{ access_token?: unknown; expires_in?: unknown; expires_on?: unknown }>(
      text,
      'Vipps MobilePay access token',
    );
    if (typeof parsed.access_token !== 'string' || !parsed.access_token)
      throw new ProviderUnavailable('Vipps MobilePay access token: no access_token in the answer');
    // `expires_in` is seconds from now (documented both as a number and as a string).
    let lifetime = Number(parsed.expires_in);
    if (!Number.isFinite(lifetime) || lifetime <= 0) {
      const expiresOn = Number(parsed.expires_on);
      lifetime = Number.isFinite(expiresOn) ? expiresOn - now() / 1000 : 0;
    }
    if (!Number.isFinite(lifetime) || lifetime <= 0) lifetime = 300;
    // Renew a little early: 10 % of the lifetime, at most five minutes.
    const margin = Math.min(300, lifetime / 10);
    token = { value: parsed.access_token, expiresAt: now() + (lifetime - margin) * 1000 };
    return token.value;
  }

  /**
   * An authorized ePayment call. `write` decides what a timeout means: OutcomeUnknown for the
   * refund, ProviderUnavailable for reads. A 401 is retried once with a fresh token.
   */
  async function call(
    path: string,
    init: { method: string; body?: unknown; idempotencyKey?: string; write: boolean },
  ): Promise<{ res: Response; text: string }> {
    const send = async (bearer: string) => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${bearer}`,
        'ocp-apim-subscription-key': settings.subscriptionKey,
        'merchant-serial-number': settings.merchantSerialNumber,
        accept: 'application/json',
        ...systemHeaders,
      };
      if (init.idempotencyKey) headers['idempotency-key'] = init.idempotencyKey;
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const request = {
        method: init.method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        timeoutMs,
      };
      const res = init.write
        ? await fetchWithTimeout(`${base}${path}`, request)
        : await readRequest(`${base}${path}`, request);
      return { res, text: await readText(res) };
    };
    let answer = await send(await accessToken());
    if (answer.res.status === 401) {
      token = null;
      answer = await send(await accessToken());
    }
    return answer;
  }

  async function refund(req: RefundRequest): Promise<RefundOutcome> {
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
      return { status: 'succeeded', providerReference: vippsRefundReference(req.paymentReference, req.idempotencyKey) };
    const problem = describeProblem(res.status, text);
    if (isTransient(res.status))
      throw new ProviderUnavailable(`Vipps MobilePay refund on ${req.paymentReference}: ${problem}`);
    return { status: 'failed', providerReference: null, reason: `Vipps MobilePay refused the refund: ${problem}` };
  }

  async function findRefund(lookup: RefundLookup): Promise<RefundOutcome | null> {
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
    return { status: 'failed', providerReference: null, reason: 'Vipps MobilePay recorded the refund as unsuccessful' };
  }

  function parseNotification(
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
    const providerReference = key ? vippsRefundReference(event.reference, key) : `${event.reference}:${psp ?? eventId}`;
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
  }

  return { name: 'vipps_mobilepay', refund, findRefund, parseNotification };
}

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

/** 401 (still, with a fresh token), 423 (Vipps: transient), 429 and 5xx may pass. */
function isTransient(status: number): boolean {
  return status === 401 || status === 423 || status === 429 || status >= 500;
}

function describeProblem(status: number, text: string): string {
  const problem = tryParseJson<VippsProblem>(text);
  if (!problem || typeof problem !== 'object') return `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  const parts = [problem.title, problem.detail].filter((p): p is string => typeof p === 'string' && p.length > 0);
  const extra = Array.isArray(problem.extraDetails)
    ? problem.extraDetails.map((d) => [d?.name, d?.reason].filter(Boolean).join(': ')).filter(Boolean)
    : [];
  const trace = typeof problem.traceId === 'string' ? ` (traceId ${problem.traceId})` : '';
  return `HTTP ${status}${parts.length ? `: ${parts.join(' — ')}` : ''}${extra.length ? ` [${extra.join('; ')}]` : ''}${trace}`;
}
