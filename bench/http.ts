/** The bench's HTTP helpers: its client of the service, reference data, request bodies, signed webhooks. */
import { createHmac, randomUUID } from 'node:crypto';
import { retryAttempts, ServiceClient } from '../scripts/stack/http.js';
import { ADMIN_API_KEY, GENERIC_SECRET } from './stack.js';

/** The bench's client: its admin key, round-robin over the API processes, 10 tries a call, 60 s a request. */
export class Api extends ServiceClient {
  constructor(urls: () => string[]) {
    super({ urls, adminKey: ADMIN_API_KEY, spread: 'round-robin', timeoutMs: 60_000, retry: retryAttempts(10) });
  }
}

/** The bench's own market (its database is its own, but DATABASE_URL may point at a shared one). */
export const MARKET = process.env.BENCH_MARKET ?? 'BE';

export const BENCH_POLICY = {
  returnWindow: 'P30D',
  labelReminderAfter: 'P7D',
  parcelDeadline: 'P30D',
  inspectionDeadline: 'PT48H',
  followUpAfter: 'PT1S',
  restockingFeePercent: { opened: 0, damaged: 20 },
  exchangeWithoutReturnMaxValue: 50_000,
  nonReturnableCategories: [],
};

export async function seedReference(api: Api, sku: string): Promise<void> {
  await api.ok('PUT', `/v1/policies/${MARKET}`, BENCH_POLICY);
  await api.ok('PUT', `/v1/products/${sku}`, {
    name: 'Bench sweater',
    category: 'apparel',
    price: 79_900,
    currency: 'EUR',
    stock: 10_000_000,
    returnable: true,
  });
}

export function orderBody(orderId: string, customerId: string, sku: string) {
  const delivered = new Date(Date.now() - 3 * 86_400_000);
  return {
    id: orderId,
    customer: {
      id: customerId,
      email: `${customerId.toLowerCase()}@example.be`,
      name: 'Bench Customer',
      locale: 'en-GB',
      country: MARKET,
    },
    currency: 'EUR',
    placedAt: new Date(delivered.getTime() - 2 * 86_400_000).toISOString(),
    deliveredAt: delivered.toISOString(),
    lines: [{ id: 'L1', sku, name: 'Bench sweater', quantity: 1, unitPrice: 79_900, vatRate: 21 }],
    payments: [{ provider: 'gift_card', reference: `GC-${orderId}`, amount: 79_900, currency: 'EUR' }],
  };
}

export const returnBody = (orderId: string) => ({
  orderId,
  method: 'return_to_stock',
  channel: 'customer_service',
  lines: [{ orderLineId: 'L1', quantity: 1, reason: 'too small' }],
});

export const inspectionBody = { lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }] };

/** Standard Webhooks (generic carrier): v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>. */
export function signedGeneric(
  trackingNumber: string,
  status: string,
  secret = GENERIC_SECRET,
  id = `msg_${randomUUID()}`,
) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const raw = JSON.stringify({
    type: 'tracking.updated',
    data: { trackingNumber, status, occurredAt: new Date().toISOString(), location: 'Brussels hub' },
  });
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const sig = createHmac('sha256', key).update(`${id}.${timestamp}.${raw}`).digest('base64');
  return { raw, headers: { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${sig}` } };
}

/** Runs `count` tasks, `limit` at a time. */
export async function pool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
