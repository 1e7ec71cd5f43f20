/**
 * Authorized calls to the ePayment API: `Authorization: Bearer <access token>`,
 * `Ocp-Apim-Subscription-Key`, `Merchant-Serial-Number` and the `Vipps-System-*` headers.
 */
import { readRequest, readText } from '../http.js';
import { fetchWithTimeout } from '../provider.js';
import { accessTokens } from './access-token.js';
import { vippsConnection, type VippsMobilePaySettings } from './settings.js';

/**
 * `write` decides what a timeout means: OutcomeUnknown for the refund, ProviderUnavailable for
 * reads. A 401 is retried once with a fresh token (an APIM 401 means the call was not processed).
 */
export type EPaymentCall = (
  path: string,
  init: { method: string; body?: unknown; idempotencyKey?: string; write: boolean },
) => Promise<{ res: Response; text: string }>;

export function ePaymentClient(settings: VippsMobilePaySettings): EPaymentCall {
  const connection = vippsConnection(settings);
  const { base, timeoutMs, systemHeaders } = connection;
  const tokens = accessTokens(settings, connection);

  return async (path, init) => {
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
    let answer = await send(await tokens.get());
    if (answer.res.status === 401) {
      tokens.drop();
      answer = await send(await tokens.get());
    }
    return answer;
  };
}
