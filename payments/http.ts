/**
 * What the fetch-based adapters (Klarna, Vipps MobilePay, Adyen) share about HTTP: a read whose
 * timeout is just "try again", a body that may be cut off, and JSON that may not be JSON. Each
 * provider's status mapping and error wording stay in its own module. Not exported from
 * `payments/index.ts`: adapters' plumbing, not the interface.
 */
import { fetchWithTimeout, OutcomeUnknown, ProviderUnavailable } from './provider.js';

/**
 * For calls that change nothing (lookups, token requests, a repeated idempotent call): a timeout
 * or a dropped connection (OutcomeUnknown) is just "try again", ProviderUnavailable.
 */
export async function asRead<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof OutcomeUnknown) throw new ProviderUnavailable(err.message);
    throw err;
  }
}

/** A read: a timeout or a dropped connection is just "try again", never an unknown outcome. */
export function readRequest(url: string, init: RequestInit & { timeoutMs?: number }): Promise<Response> {
  return asRead(() => fetchWithTimeout(url, init));
}

/** The answer's body, or '' when it was cut off (where the status line decides the outcome). */
export async function readText(res: Response): Promise<string> {
  try {
    return await res.text();
  } catch {
    return '';
  }
}

/** `text` parsed as JSON, or undefined when it is not JSON (an error body is described either way). */
export function tryParseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** A lookup's answer parsed as JSON; not JSON is ProviderUnavailable (`<what>: unreadable answer`). */
export function parseAnswer<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ProviderUnavailable(`${what}: unreadable answer`);
  }
}
