/**
 * PostNord publishes no push API: its track-and-trace endpoint is polled, `GET
 * {baseUrl}/rest/shipment/v5/trackandtrace/findByIdentifier.json?id=<tn>&locale=en&apikey=<key>`.
 */
import { parseTracking, PostNordError, type PostNordTracking } from './tracking.js';

export const POSTNORD_TIMEOUT_MS = 10_000;

/** The track-and-trace URL (the API key is a query parameter: never log it). */
export function trackingUrl(baseUrl: string, apiKey: string, trackingNumber: string): string {
  const query = new URLSearchParams({ id: trackingNumber, locale: 'en', apikey: apiKey });
  return `${baseUrl.replace(/\/+$/, '')}/rest/shipment/v5/trackandtrace/findByIdentifier.json?${query}`;
}

/**
 * Polls PostNord for one tracking number. A 404 means PostNord does not know the number (yet): no
 * events. Other failures (non-2xx, timeout, a body that is not a tracking answer) throw
 * {@link PostNordError}, for the caller's retry policy.
 */
export async function fetchTracking(
  baseUrl: string,
  apiKey: string,
  trackingNumber: string,
  { timeoutMs = POSTNORD_TIMEOUT_MS }: { timeoutMs?: number } = {},
): Promise<PostNordTracking> {
  let res: Response;
  try {
    res = await fetch(trackingUrl(baseUrl, apiKey, trackingNumber), {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new PostNordError(
      timedOut ? `PostNord did not answer within ${timeoutMs} ms` : `PostNord request failed: ${String(err)}`,
    );
  }
  if (res.status === 404) {
    await res.body?.cancel();
    return { trackingNumber, events: [], latest: undefined, state: 'info' };
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new PostNordError(`PostNord answered ${res.status}`, res.status);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new PostNordError('PostNord answered with a body that is not JSON', res.status);
  }
  return parseTracking(trackingNumber, body);
}
