/**
 * Adyen Checkout API, plain `fetch` with a deadline.
 *
 * - refund: `POST {ADYEN_CHECKOUT_URL}/payments/{paymentPspReference}/refunds` with `X-API-Key` and
 *   our `Idempotency-Key` (≤ 64 chars; Adyen keeps keys at least 31 days), body
 *   `{merchantAccount, amount:{value,currency}, reference: refundId}`. Adyen answers
 *   `201 {status:"received", pspReference: <the refund's own reference>, …}`: accepted, not done.
 *   We answer `pending`; the outcome arrives as a standard notification (`REFUND`).
 * - findRefund: see below — by repeating the call with the same Idempotency-Key.
 * - charge: not offered. An off-session charge at Adyen needs stored-details tokenization
 *   (`POST /payments` with `shopperInteraction: ContAuth`, `recurringProcessingModel:
 *   UnscheduledCardOnFile`, `shopperReference` and a `storedPaymentMethodId`); an order payment here
 *   carries only the PSP reference of the original payment, from which none of that can be had.
 *   The caller falls back to a payment link.
 * - parseNotification: `{live, notificationItems:[{NotificationRequestItem:{…}}]}`; every item must
 *   carry `additionalData.hmacSignature` = base64(HMAC-SHA256(hex-decoded key,
 *   `pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success`))
 *   (absent fields are empty strings). `REFUND` success=true → succeeded, success=false → failed
 *   with `reason`; `REFUND_FAILED` and `REFUNDED_REVERSED` → failed. Other event codes are ignored.
 *   The webhook route must answer `[accepted]` for Adyen to stop resending.
 *
 * Errors: 5xx, 429 and 422 errorCode 704 (a request with this key is still in progress) →
 * ProviderUnavailable; 401/403 → ProviderNotConfigured; other 4xx (validation: unknown payment,
 * bad amount, …) → failed with `errorCode: message`; a timeout or dropped connection →
 * OutcomeUnknown (from fetchWithTimeout), resolved with findRefund.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { asRead, tryParseJson } from './http.js';
import {
  fetchWithTimeout,
  InvalidSignature,
  OutcomeUnknown,
  ProviderNotConfigured,
  ProviderUnavailable,
  type HeaderReader,
  type PaymentProvider,
  type RefundLookup,
  type RefundNotification,
  type RefundOutcome,
  type RefundRequest,
} from './provider.js';

export interface AdyenSettings {
  /** `ADYEN_API_KEY`, sent as `X-API-Key`. */
  apiKey: string;
  /** `ADYEN_MERCHANT_ACCOUNT`. */
  merchantAccount: string;
  /** `ADYEN_CHECKOUT_URL`, the versioned base, e.g. https://checkout-test.adyen.com/v71. */
  checkoutUrl: string;
  /** Per-request deadline; default 10 s. */
  timeoutMs?: number;
}

export interface AdyenPaymentProvider extends PaymentProvider {
  readonly name: 'adyen';
  parseNotification(rawBody: string, header: HeaderReader, secret: string): RefundNotification[];
}

/** Adyen's error object (`ServiceError`). */
interface AdyenError {
  status?: number;
  errorCode?: string;
  message?: string;
  errorType?: string;
  pspReference?: string;
}

interface AdyenRefundResponse {
  status?: string;
  pspReference?: string;
  paymentPspReference?: string;
  reference?: string;
}

export interface AdyenNotificationItem {
  eventCode?: string;
  success?: string;
  pspReference?: string;
  originalReference?: string;
  merchantAccountCode?: string;
  merchantReference?: string;
  amount?: { value?: number; currency?: string };
  reason?: string;
  eventDate?: string;
  additionalData?: Record<string, string | undefined>;
}

/** The string Adyen signs for a standard notification item. */
export function adyenSigningString(item: AdyenNotificationItem): string {
  const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return [
    s(item.pspReference),
    s(item.originalReference),
    s(item.merchantAccountCode),
    s(item.merchantReference),
    s(item.amount?.value),
    s(item.amount?.currency),
    s(item.eventCode),
    s(item.success),
  ].join(':');
}

function hmacKey(hexKey: string): Buffer {
  const key = hexKey.trim();
  if (!key || key.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(key)) {
    // A configuration problem, not a forged notification: fail loudly (5xx: Adyen will resend later).
    throw new Error('Adyen HMAC key must be the hexadecimal key from the Customer Area');
  }
  return Buffer.from(key, 'hex');
}

/** Verifies one item's `additionalData.hmacSignature` (throws InvalidSignature). */
export function verifyAdyenItem(item: AdyenNotificationItem, hexKey: string): void {
  const given = item.additionalData?.hmacSignature;
  if (!given) throw new InvalidSignature('Adyen notification item without hmacSignature');
  const expected = createHmac('sha256', hmacKey(hexKey)).update(adyenSigningString(item), 'utf8').digest();
  const got = Buffer.from(given, 'base64');
  if (got.length !== expected.length || !timingSafeEqual(got, expected))
    throw new InvalidSignature('Adyen hmacSignature does not match');
}

const REFUND_EVENTS = new Set(['REFUND', 'REFUND_FAILED', 'REFUNDED_REVERSED']);

/** One verified item → our notification; null for event codes that are not about refunds. */
function toNotification(item: AdyenNotificationItem): RefundNotification | null {
  const code = item.eventCode ?? '';
  if (!REFUND_EVENTS.has(code)) return null;
  const ref = item.pspReference || null;
  const success = item.success === 'true';
  let outcome: RefundOutcome;
  if (code === 'REFUND' && success)
    outcome = ref
      ? { status: 'succeeded', providerReference: ref }
      : { status: 'pending', providerReference: null, reason: 'REFUND without pspReference' };
  else if (code === 'REFUND')
    outcome = { status: 'failed', providerReference: ref, reason: item.reason || 'refund refused by Adyen' };
  else outcome = { status: 'failed', providerReference: ref, reason: item.reason ? `${code}: ${item.reason}` : code };
  // Adyen has no event id; the same notification resent carries the same fields.
  const eventId = `adyen:${createHash('sha256')
    .update(`${code}\u0000${item.pspReference ?? ''}\u0000${item.originalReference ?? ''}\u0000${item.success ?? ''}`)
    .digest('hex')
    .slice(0, 32)}`;
  const n: RefundNotification = {
    eventId,
    providerReference: ref,
    paymentReference: item.originalReference || null,
    outcome,
  };
  // We send our refund id as the modification `reference`; Adyen echoes it as merchantReference.
  if (item.merchantReference) n.refundId = item.merchantReference;
  return n;
}

/** Verifies every item of a standard notification body and parses the refund ones. */
export function parseAdyenNotification(rawBody: string, hexKey: string): RefundNotification[] {
  let body: { notificationItems?: Array<{ NotificationRequestItem?: AdyenNotificationItem }> };
  try {
    body = JSON.parse(rawBody) as typeof body;
  } catch {
    throw new InvalidSignature('Adyen notification body is not JSON');
  }
  if (!body || typeof body !== 'object' || !Array.isArray(body.notificationItems))
    throw new InvalidSignature('Adyen notification without notificationItems');
  const items = body.notificationItems.map((w) => w?.NotificationRequestItem);
  // All or nothing: one forged item refuses the whole delivery.
  for (const item of items) {
    if (!item) throw new InvalidSignature('Adyen notification item without NotificationRequestItem');
    verifyAdyenItem(item, hexKey);
  }
  return items.map((item) => toNotification(item!)).filter((n): n is RefundNotification => n !== null);
}

export function adyenProvider(settings: AdyenSettings): AdyenPaymentProvider {
  const base = settings.checkoutUrl.replace(/\/+$/, '');
  const timeoutMs = settings.timeoutMs ?? 10_000;

  function configured(): void {
    const missing = [
      !settings.apiKey && 'ADYEN_API_KEY',
      !settings.merchantAccount && 'ADYEN_MERCHANT_ACCOUNT',
      !settings.checkoutUrl && 'ADYEN_CHECKOUT_URL',
    ].filter(Boolean);
    if (missing.length) throw new ProviderNotConfigured(`Adyen: ${missing.join(', ')} not set`);
  }

  /** The refund call; the same arguments and key always mean the same refund at Adyen. */
  async function postRefund(r: {
    idempotencyKey: string;
    paymentReference: string;
    amount: number;
    currency: string;
    refundId: string;
  }): Promise<RefundOutcome> {
    configured();
    const what = `refund of ${r.paymentReference}`;
    const res = await fetchWithTimeout(`${base}/payments/${encodeURIComponent(r.paymentReference)}/refunds`, {
      method: 'POST',
      timeoutMs,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-api-key': settings.apiKey,
        'idempotency-key': r.idempotencyKey,
      },
      body: JSON.stringify({
        merchantAccount: settings.merchantAccount,
        amount: { value: r.amount, currency: r.currency.toUpperCase() },
        reference: r.refundId,
      }),
    });
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      // The headers came, the body did not: the refund may well have been accepted.
      throw new OutcomeUnknown(`Adyen ${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const json = text ? (tryParseJson<unknown>(text) ?? null) : null;
    if (res.ok) {
      const body = (json ?? {}) as AdyenRefundResponse;
      if (body.status === 'received' && body.pspReference) {
        return {
          status: 'pending',
          providerReference: body.pspReference,
          reason: 'received by Adyen; settled by its REFUND notification',
        };
      }
      throw new OutcomeUnknown(`Adyen ${what}: HTTP ${res.status} with an unexpected body`);
    }
    const e = (json ?? {}) as AdyenError;
    const detail = `${e.errorCode ? `${e.errorCode}: ` : ''}${e.message || res.statusText || 'error'}`;
    const psp = e.pspReference ? ` [${e.pspReference}]` : '';
    if (res.status >= 500 || res.status === 429 || (res.status === 422 && e.errorCode === '704')) {
      throw new ProviderUnavailable(`Adyen ${what}: HTTP ${res.status} ${detail}${psp}`);
    }
    if (res.status === 401 || res.status === 403)
      throw new ProviderNotConfigured(`Adyen ${what}: HTTP ${res.status} ${detail}${psp}`);
    return { status: 'failed', providerReference: null, reason: detail };
  }

  return {
    name: 'adyen',

    refund(req: RefundRequest): Promise<RefundOutcome> {
      return postRefund(req);
    },

    /**
     * Adyen has no API to look a refund up. Its documented answer to a lost response is to send the
     * same request again with the same Idempotency-Key: if Adyen processed the first one it returns
     * that first response (the same refund pspReference) and refunds nothing more. So this is a
     * lookup by idempotency key, not a blind second call: the worst case — the first request never
     * arrived — makes exactly the one refund that was asked for. Because of that it never answers
     * null. A refund known to be `received` stays `pending` here; only the REFUND notification
     * settles it (or finance, by hand). A timeout of this lookup is ProviderUnavailable: look again.
     */
    findRefund(lookup: RefundLookup): Promise<RefundOutcome | null> {
      return asRead(() => postRefund(lookup));
    },

    parseNotification(rawBody: string, _header: HeaderReader, secret: string): RefundNotification[] {
      return parseAdyenNotification(rawBody, secret);
    },
  };
}
