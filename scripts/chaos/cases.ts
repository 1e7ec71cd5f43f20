/** One return case driven through the API: order, case, label, parcel (scan or webhooks), inspection, completed. */
import { createHmac, randomUUID } from 'node:crypto';
import { sleep } from '../stack/processes.js';
import type { RunCtx } from './scenario.js';
import { GENERIC_SECRET, MARKET, rand } from './settings.js';

const isExchange = (i: number) => i % 4 === 3;

export async function seedScenario(ctx: RunCtx) {
  const product = await ctx.api.call('PUT', `/v1/products/${ctx.sku}`, {
    name: 'Chaos sweater',
    category: 'apparel',
    price: 79_900,
    currency: 'NOK',
    stock: 100_000,
    returnable: true,
  });
  if (product.status !== 200 && product.status !== 201) throw new Error(`product: ${JSON.stringify(product.body)}`);
}

export async function seedOrder(ctx: RunCtx, i: number): Promise<string> {
  const orderId = `${ctx.prefix}-O${i}`;
  const delivered = new Date(Date.now() - 3 * 86_400_000);
  const res = await ctx.api.call('POST', '/v1/orders', {
    id: orderId,
    customer: {
      id: `${ctx.prefix}-C${i}`,
      email: `${ctx.prefix.toLowerCase()}-c${i}@example.is`,
      name: 'Chaos Customer',
      locale: 'is-IS',
      country: MARKET,
    },
    currency: 'NOK',
    placedAt: new Date(delivered.getTime() - 2 * 86_400_000).toISOString(),
    deliveredAt: delivered.toISOString(),
    lines: [{ id: 'L1', sku: ctx.sku, name: 'Chaos sweater', quantity: 1, unitPrice: 79_900, vatRate: 25 }],
    payments: [{ provider: 'gift_card', reference: `GC-${ctx.prefix}-${i}`, amount: 79_900, currency: 'NOK' }],
  });
  // 409: an earlier attempt went through before its answer was lost.
  if (res.status >= 300 && res.status !== 409)
    throw new Error(`order ${orderId}: ${res.status} ${JSON.stringify(res.body)}`);
  return orderId;
}

export function returnBody(orderId: string, i: number, sku: string) {
  return isExchange(i)
    ? {
        orderId,
        method: 'exchange',
        channel: 'portal',
        lines: [{ orderLineId: 'L1', quantity: 1, reason: 'too small' }],
        replacements: [{ sku, quantity: 1 }],
        shipReplacement: 'after_receipt',
      }
    : {
        orderId,
        method: 'return_to_stock',
        channel: 'customer_service',
        lines: [{ orderLineId: 'L1', quantity: 1, reason: 'too small' }],
      };
}

export async function createCase(ctx: RunCtx, orderId: string, i: number): Promise<string> {
  const res = await ctx.api.call('POST', '/v1/returns', returnBody(orderId, i, ctx.sku), {
    'idempotency-key': `${ctx.prefix}-K${i}`,
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`return ${orderId}: ${res.status} ${JSON.stringify(res.body)}`);
  ctx.progress.created++;
  return res.body.id as string;
}

async function waitFor(ctx: RunCtx, caseId: string, done: (v: any) => boolean, what: string): Promise<any> {
  for (;;) {
    const res = await ctx.api.call('GET', `/v1/returns/${caseId}`);
    if (res.status === 200 && done(res.body)) return res.body;
    if (res.status === 200 && ['cancelled', 'expired', 'rejected'].includes(res.body.status))
      throw new Error(`${caseId} ended ${res.body.status} while waiting for ${what}`);
    await sleep(rand(400, 900));
  }
}

/** Standard Webhooks: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>. */
function signedGeneric(trackingNumber: string, status: string, occurredAt: Date) {
  const id = `msg_${randomUUID()}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const raw = JSON.stringify({
    type: 'tracking.updated',
    data: { trackingNumber, status, occurredAt: occurredAt.toISOString(), location: 'Reykjavik terminal' },
  });
  const key = Buffer.from(GENERIC_SECRET.slice('whsec_'.length), 'base64');
  const sig = createHmac('sha256', key).update(`${id}.${timestamp}.${raw}`).digest('base64');
  return { raw, headers: { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${sig}` } };
}

async function deliverParcel(ctx: RunCtx, trackingNumber: string, viaWebhooks: boolean) {
  if (!viaWebhooks) {
    const res = await ctx.api.call('POST', '/v1/scans', { trackingNumber });
    if (res.status >= 300 && res.status !== 409) throw new Error(`scan ${trackingNumber}: ${JSON.stringify(res.body)}`);
    return;
  }
  // Every event 3 times, shuffled (delivered may come before in transit), all at once.
  const t = Date.now();
  const events = [
    signedGeneric(trackingNumber, 'in_transit', new Date(t - 60_000)),
    signedGeneric(trackingNumber, 'delivered', new Date(t)),
  ];
  const deliveries = events.flatMap((e) => [e, e, e]).sort(() => Math.random() - 0.5);
  await Promise.all(
    deliveries.map(async (e) => {
      await sleep(Math.random() * 50);
      const res = await ctx.api.call('POST', '/v1/webhooks/carriers/generic', e.raw, e.headers);
      if (res.status >= 300) throw new Error(`webhook ${trackingNumber}: ${res.status} ${JSON.stringify(res.body)}`);
    }),
  );
}

async function inspect(ctx: RunCtx, caseId: string) {
  for (;;) {
    const res = await ctx.api.call('POST', `/v1/returns/${caseId}/inspection`, {
      lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }],
    });
    if (res.status < 300) return;
    // Already inspected by an earlier attempt whose answer was lost, or not received yet.
    const now = await ctx.api.call('GET', `/v1/returns/${caseId}`);
    if (['inspected', 'completed'].includes(now.body?.status) || now.body?.waitingFor === 'refund') return;
    if (res.status !== 409) throw new Error(`inspection ${caseId}: ${res.status} ${JSON.stringify(res.body)}`);
    await sleep(500);
  }
}

/** From the case on: label, parcel, inspection, completed. */
export async function finishCase(ctx: RunCtx, caseId: string, viaWebhooks: boolean) {
  const labelled = await waitFor(ctx, caseId, (v) => Boolean(v.label?.trackingNumber), 'label');
  await deliverParcel(ctx, labelled.label.trackingNumber, viaWebhooks);
  await waitFor(
    ctx,
    caseId,
    (v) => v.waitingFor === 'inspection' || ['inspected', 'completed'].includes(v.status),
    'receipt',
  );
  await inspect(ctx, caseId);
  await waitFor(ctx, caseId, (v) => v.status === 'completed', 'completed');
}

export async function driveCase(ctx: RunCtx, i: number, viaWebhooks = false) {
  const orderId = await seedOrder(ctx, i);
  const caseId = await createCase(ctx, orderId, i);
  await finishCase(ctx, caseId, viaWebhooks);
}
