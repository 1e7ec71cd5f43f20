/**
 * Stripe SDK errors in our terms. The SDK retries nothing (`maxNetworkRetries: 0`), our Temporal
 * activity does.
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
import Stripe from 'stripe';
import { OutcomeUnknown, ProviderNotConfigured, ProviderUnavailable } from '../provider.js';

/** Whether the call may have changed something at Stripe: decides what a lost answer means. */
export type Op = 'write' | 'read';

/** Connection errors that happen before a request is written: it never reached Stripe. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

export function isStripeError(err: unknown): err is InstanceType<typeof Stripe.errors.StripeError> {
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
export function classify(err: unknown, op: Op, what: string): string {
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
