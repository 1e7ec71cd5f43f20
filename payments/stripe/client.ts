/** The `stripe` SDK client, pointed at `STRIPE_API_URL` so tests and `npm run dev` can use a stand-in. */
import Stripe from 'stripe';
import { ProviderNotConfigured } from '../provider.js';

export const STRIPE_DEFAULT_API_URL = 'https://api.stripe.com';

export interface StripeSettings {
  /** `STRIPE_API_KEY` (secret or restricted key). Empty: every API call throws ProviderNotConfigured. */
  apiKey: string;
  /** `STRIPE_API_URL`, scheme + host + optional port, no path. Default https://api.stripe.com. */
  apiUrl?: string;
  /** Per-request deadline; default 20 s. */
  timeoutMs?: number;
}

/** Stripe's SDK config from a base URL. */
export function stripeClientConfig(settings: StripeSettings): Stripe.StripeConfig {
  const url = new URL(settings.apiUrl || STRIPE_DEFAULT_API_URL);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`STRIPE_API_URL: unsupported scheme ${url.protocol}`);
  if (url.pathname !== '/' && url.pathname !== '')
    throw new Error('STRIPE_API_URL: a base URL without a path (the SDK adds /v1/…)');
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port || (protocol === 'http' ? 80 : 443),
    protocol,
    maxNetworkRetries: 0,
    timeout: settings.timeoutMs ?? 20_000,
    telemetry: false,
  };
}

/** Hands out the client, made on first use. */
export type StripeClient = () => Stripe;

/**
 * The config is checked now (a bad URL fails at start-up); a missing key only when a call is made,
 * so a provider without a key still parses notifications.
 */
export function stripeClient(settings: StripeSettings): StripeClient {
  const config = stripeClientConfig(settings);
  let client: Stripe | null = null;
  return () => {
    if (!settings.apiKey) throw new ProviderNotConfigured('Stripe: STRIPE_API_KEY is not set');
    client ??= new Stripe(settings.apiKey, config);
    return client;
  };
}
