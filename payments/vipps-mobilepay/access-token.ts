/**
 * The access token: `POST {apiUrl}/accesstoken/get` (headers `client_id`, `client_secret`,
 * `Ocp-Apim-Subscription-Key`; no body), cached until shortly before `expires_in` runs out (1 h in
 * test, 24 h in production). Concurrent callers share one token request. A failure to get one is
 * ProviderUnavailable: the call it was for was never sent.
 */
import { parseAnswer, readRequest, readText } from '../http.js';
import { ProviderUnavailable } from '../provider.js';
import { describeProblem } from './problems.js';
import type { VippsConnection, VippsMobilePaySettings } from './settings.js';

export function accessTokens(settings: VippsMobilePaySettings, { base, timeoutMs, systemHeaders }: VippsConnection) {
  const now = settings.now ?? Date.now;
  let token: { value: string; expiresAt: number } | null = null;
  let tokenRequest: Promise<string> | null = null;

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

  return {
    async get(): Promise<string> {
      if (token && now() < token.expiresAt) return token.value;
      tokenRequest ??= fetchToken().finally(() => {
        tokenRequest = null;
      });
      return tokenRequest;
    },
    /** After a 401: the next call gets a new token. */
    drop(): void {
      token = null;
    },
  };
}
