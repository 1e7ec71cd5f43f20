/**
 * Klarna, through the Order Management API (OM v1), HTTP Basic with the API username and password.
 *
 * refund: `POST {apiUrl}/ordermanagement/v1/orders/{order_id}/refunds` with
 *   `{"refunded_amount", "reference", "description"?}` and `Klarna-Idempotency-Key`. Klarna answers
 *   `201 Created` with the new refund's id in the `Refund-Id` header (and its URI in `Location`); a
 *   refund at OM level is done when it is created, so that is `succeeded`. `reference` is our refund
 *   id: it lands in Klarna's settlement files and is what a lookup finds the refund by.
 *   Klarna: "Input values of the operation are disregarded when evaluating the idempotency of the
 *   operation, only the key matters" — the same key is the same refund, whatever crashed in between.
 * Answers, mapped:
 *   201 (any 2xx)                                       → succeeded, providerReference = Refund-Id
 *   400/403/404/413/422 (`REFUND_NOT_ALLOWED` — order expired, cancelled, not captured, amount above
 *   what is left — `NO_SUCH_ORDER`, `BAD_VALUE`, …)      → failed, reason "<error_code>: <messages>"
 *   401 (our credentials), 409 (`CONFLICT`: Klarna's escalation-and-retry policy says retry),
 *   429, 5xx                                            → throws ProviderUnavailable
 *   timeout / dropped connection                        → throws OutcomeUnknown (fetchWithTimeout)
 * findRefund: `GET {apiUrl}/ordermanagement/v1/orders/{order_id}` and looks in `refunds[]` for the
 *   refund by its id (when an earlier answer got through) or by our `reference` (refund id, or the
 *   idempotency key). Only refunds that happened are listed there, so a match is `succeeded`; no
 *   match (or no such order) is null. Reads never throw OutcomeUnknown: a read can simply be retried.
 * charge: none — OM cannot take more money on an order (only capture what was authorized).
 * parseNotification: none — Klarna's order notifications (the checkout `push`/`notification` merchant
 *   URLs) are about order placement and fraud status, not refunds; an OM refund is settled by its answer.
 */
import { parseAnswer, readRequest, readText, tryParseJson } from './http.js';
import {
  fetchWithTimeout,
  ProviderUnavailable,
  type PaymentProvider,
  type RefundLookup,
  type RefundOutcome,
  type RefundRequest,
} from './provider.js';

export const KLARNA_DEFAULT_API_URL = 'https://api.klarna.com';

export interface KlarnaSettings {
  /** `KLARNA_USERNAME`: the API credentials' username (UID). */
  username: string;
  /** `KLARNA_PASSWORD` */
  password: string;
  /** `KLARNA_API_URL`: https://api.klarna.com (Europe), https://api-na.klarna.com, https://api.playground.klarna.com, … */
  apiUrl?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/** Klarna's error body (all OM errors). */
interface KlarnaErrorBody {
  error_code?: string;
  error_messages?: string[];
  correlation_id?: string;
}

/** One entry of an order's `refunds[]`. */
export interface KlarnaRefund {
  refund_id?: string;
  refunded_amount?: number;
  refunded_at?: string;
  reference?: string;
  description?: string;
}

interface KlarnaOrder {
  order_id?: string;
  status?: string;
  purchase_currency?: string;
  captured_amount?: number;
  refunded_amount?: number;
  refunds?: KlarnaRefund[];
}

const DESCRIPTION_MAX = 255;
const REFERENCE_MAX = 255;

export function klarnaProvider(settings: KlarnaSettings): PaymentProvider {
  const base = (settings.apiUrl ?? KLARNA_DEFAULT_API_URL).replace(/\/+$/, '');
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password}`, 'utf8').toString('base64')}`;
  const orderUrl = (orderId: string) => `${base}/ordermanagement/v1/orders/${encodeURIComponent(orderId)}`;
  const commonHeaders = { authorization, accept: 'application/json', 'user-agent': 'returns-orchestrator' };

  async function refund(req: RefundRequest): Promise<RefundOutcome> {
    if (!Number.isSafeInteger(req.amount) || req.amount <= 0)
      throw new Error(`Klarna refund amount must be a positive integer (minor units), got ${req.amount}`);
    const body: Record<string, unknown> = {
      refunded_amount: req.amount,
      reference: req.refundId.slice(0, REFERENCE_MAX),
    };
    if (req.description) body.description = req.description.slice(0, DESCRIPTION_MAX);

    const res = await fetchWithTimeout(`${orderUrl(req.paymentReference)}/refunds`, {
      method: 'POST',
      headers: { ...commonHeaders, 'content-type': 'application/json', 'klarna-idempotency-key': req.idempotencyKey },
      body: JSON.stringify(body),
      timeoutMs,
    });
    // The outcome is decided by the status line; a body cut off afterwards changes nothing.
    const text = await readText(res);

    if (res.ok) {
      const refundId = res.headers.get('refund-id')?.trim() || lastPathSegment(res.headers.get('location'));
      if (refundId) return { status: 'succeeded', providerReference: refundId };
      // Created, but not named: a lookup by our reference finds it.
      return {
        status: 'pending',
        providerReference: null,
        reason: `Klarna answered ${res.status} without a Refund-Id; to be resolved by a lookup`,
      };
    }
    const error = describeError(res.status, text);
    if (isTransient(res.status))
      throw new ProviderUnavailable(`Klarna refund on order ${req.paymentReference}: ${error}`);
    return { status: 'failed', providerReference: null, reason: `Klarna refused the refund: ${error}` };
  }

  async function findRefund(lookup: RefundLookup): Promise<RefundOutcome | null> {
    const res = await readRequest(orderUrl(lookup.paymentReference), {
      method: 'GET',
      headers: commonHeaders,
      timeoutMs,
    });
    const text = await readText(res);
    if (res.status === 404) return null;
    if (!res.ok)
      throw new ProviderUnavailable(
        `Klarna order ${lookup.paymentReference} lookup: ${describeError(res.status, text)}`,
      );
    const order = parseAnswer<KlarnaOrder>(text, `Klarna order ${lookup.paymentReference} lookup`);
    const found = findKlarnaRefund(order.refunds ?? [], lookup);
    if (!found) return null;
    return {
      status: 'succeeded',
      providerReference:
        found.refund_id ??
        lookup.providerReference ??
        `${lookup.paymentReference}:${found.reference ?? lookup.refundId}`,
    };
  }

  return { name: 'klarna', refund, findRefund };
}

/** The refund in an order's `refunds[]` that a lookup means: by Klarna's id, else by our reference. */
export function findKlarnaRefund(
  refunds: KlarnaRefund[],
  lookup: Pick<RefundLookup, 'providerReference' | 'refundId' | 'idempotencyKey'>,
): KlarnaRefund | undefined {
  if (lookup.providerReference) {
    const byId = refunds.find((r) => r.refund_id === lookup.providerReference);
    if (byId) return byId;
  }
  return refunds.find(
    (r) => r.reference !== undefined && (r.reference === lookup.refundId || r.reference === lookup.idempotencyKey),
  );
}

/** 401 (our credentials), 409 (Klarna: retry per its escalation policy), 429 and 5xx may pass. */
function isTransient(status: number): boolean {
  return status === 401 || status === 409 || status === 429 || status >= 500;
}

function describeError(status: number, text: string): string {
  const parsed = tryParseJson<KlarnaErrorBody>(text);
  const code = typeof parsed?.error_code === 'string' ? parsed.error_code : `HTTP ${status}`;
  const messages = Array.isArray(parsed?.error_messages)
    ? parsed.error_messages.filter((m) => typeof m === 'string')
    : [];
  const correlation = typeof parsed?.correlation_id === 'string' ? ` (correlation_id ${parsed.correlation_id})` : '';
  return `${status} ${code}${messages.length ? `: ${messages.join('; ')}` : ''}${correlation}`;
}

function lastPathSegment(location: string | null): string | undefined {
  if (!location) return undefined;
  try {
    const segment = new URL(location, 'http://x').pathname.split('/').filter(Boolean).at(-1);
    return segment ? decodeURIComponent(segment) : undefined;
  } catch {
    return undefined;
  }
}
