/**
 * Money back, end to end through the API with a real worker: orders with payments, refunds to a
 * card (the Stripe stand-in) and a gift card, store credit with a bonus, an Adyen refund settled by
 * its signed notification, a declined refund retried by finance, a pending refund past its due date
 * settled by hand, and the finance list and roles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { adyenProvider } from '../../payments/adyen.js';
import { stripeProvider } from '../../payments/stripe.js';
import {
  eventOf,
  expectProblem,
  inspectCase,
  policyRequest,
  returnRequest,
  scanParcel,
  startReturn,
  trackingNumberOf,
  type CaseDetail,
} from '../support/requests.js';
import { ADMIN_KEY, startStack, uid, waitForCase, type ApiResponse, type Stack } from '../support/stack.js';
import { AdyenStandIn } from '../support/standins/adyen.js';
import { StripeStandIn } from '../support/standins/stripe.js';

const STRIPE_WEBHOOK_SECRET = 'whsec_refunds_test_secret';

let stack: Stack;
let stripe: StripeStandIn;
let adyen: AdyenStandIn;
/** The API with payment webhook secrets (the stack's own app has none: 503). */
let webhooks: ReturnType<typeof createApp>;
const keys: Record<'finance' | 'warehouse' | 'manager', string> = { finance: '', warehouse: '', manager: '' };

interface Tender {
  provider: string;
  reference: string;
  amount: number;
  currency?: string;
  method?: string;
}

/** A delivered order of `quantity` × `unitPrice` NOK in `country`, paid with `payments`. */
async function seedPaidOrder(o: {
  country: string;
  payments: Tender[];
  quantity?: number;
  unitPrice?: number;
  deliveryCost?: number;
}) {
  const sku = uid('SKU');
  const orderId = uid('ORD');
  const customerId = uid('CUS');
  const unitPrice = o.unitPrice ?? 79_900;
  const product = await stack.call('PUT', `/v1/products/${sku}`, {
    name: 'Wool sweater',
    category: 'apparel',
    price: unitPrice,
    currency: 'NOK',
    stock: 5,
    returnable: true,
  });
  expect(product.status).toBe(200);
  const delivered = new Date(Date.now() - 3 * 86_400_000);
  const body = {
    id: orderId,
    customer: {
      id: customerId,
      email: `${customerId}@example.no`,
      name: 'Kari Nordmann',
      locale: 'nb-NO',
      country: o.country,
    },
    currency: 'NOK',
    placedAt: new Date(delivered.getTime() - 2 * 86_400_000).toISOString(),
    deliveredAt: delivered.toISOString(),
    lines: [{ id: 'L1', sku, name: 'Wool sweater', quantity: o.quantity ?? 2, unitPrice, vatRate: 25 }],
    ...(o.deliveryCost !== undefined ? { deliveryCost: o.deliveryCost } : {}),
    payments: o.payments.map((p) => ({ currency: 'NOK', ...p })),
  };
  const order = await stack.call('POST', '/v1/orders', body);
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  return { orderId, customerId, sku, body };
}

/** Started, scanned in and inspected (L1 new, restock): the case as the inspection left it. */
async function returnAndInspect(orderId: string, over: Record<string, unknown> = {}): Promise<CaseDetail> {
  const c = await startReturn(stack, { ...returnRequest({ orderId }), ...over });
  await scanParcel(stack, trackingNumberOf(c));
  return inspectCase(stack, c.id);
}

const refundsSettled = (v: CaseDetail) => v.refunds.length > 0 && v.refunds.every((r) => r.status === 'succeeded');

async function webhook(provider: string, body: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const res = await webhooks.request(`/v1/webhooks/payments/${provider}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* Adyen's [accepted] */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

beforeAll(async () => {
  stack = await startStack({ worker: false });
  stripe = await StripeStandIn.start({ webhookSecret: STRIPE_WEBHOOK_SECRET });
  adyen = await AdyenStandIn.start();
  await stack.startWorker({
    payments: {
      stripe: stripeProvider({ apiKey: 'sk_test_refunds', apiUrl: stripe.url }),
      adyen: adyenProvider({
        apiKey: adyen.apiKey,
        merchantAccount: adyen.merchantAccount,
        checkoutUrl: adyen.checkoutUrl,
      }),
      // klarna: deliberately not configured — its refunds wait, pending with the reason.
    },
  });
  webhooks = createApp({
    db: stack.db,
    temporal: stack.env.client,
    taskQueue: stack.taskQueue,
    adminApiKey: ADMIN_KEY,
    paymentSecrets: { PAYMENT_WEBHOOK_SECRET_ADYEN: adyen.hmacKey, stripe: STRIPE_WEBHOOK_SECRET },
    readiness: { database: async () => {}, temporal: async () => {} },
  });
  // Markets of this file's own: other files on the shared database rely on the default policy of SE, DK, NO, …
  const policies: Record<string, object> = {
    // Card + gift card: a return shipping fee.
    HR: { ...policyRequest({ followUpAfter: 'PT1S' }), returnShippingFee: 4_900 },
    // Store credit with a bonus.
    HU: { ...policyRequest({ followUpAfter: 'PT1S' }), storeCreditBonusPercent: 10 },
    // The legal clock in seconds: a refund not settled shows stuck almost at once.
    SI: { ...policyRequest({ followUpAfter: 'PT1S' }), refundDeadline: 'PT2S' },
    RO: policyRequest({ followUpAfter: 'PT1S' }),
  };
  for (const [market, body] of Object.entries(policies)) {
    const put = await stack.call('PUT', `/v1/policies/${market}`, body);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  }
  for (const role of Object.keys(keys) as (keyof typeof keys)[]) {
    const res = await stack.call('POST', '/v1/api-keys', { name: `${role} (refunds test)`, role });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    keys[role] = res.body.key;
  }
});

afterAll(async () => {
  await stack?.close();
  await stripe?.close();
  await adyen?.close();
});

describe('POST /v1/orders with payments', () => {
  it('keeps the payments and the delivery cost, shows them, and a re-import of the same body changes nothing', async () => {
    const pi = stripe.addPaymentIntent({ amount: 100_000, currency: 'nok' });
    const { orderId, body } = await seedPaidOrder({
      country: 'RO',
      deliveryCost: 4_900,
      payments: [
        { provider: 'gift_card', reference: 'GC-1111-2222', amount: 64_700 },
        { provider: 'stripe', reference: pi.id, amount: 100_000, method: 'card' },
      ],
    });
    const again = await stack.call('POST', '/v1/orders', body);
    expect(again.status).toBe(200);
    const got = await stack.call('GET', `/v1/orders/${orderId}`);
    expect(got.status).toBe(200);
    expect(got.body.deliveryCost).toBe(4_900);
    expect(got.body.payments).toEqual([
      { provider: 'gift_card', reference: 'GC-1111-2222', amount: 64_700, currency: 'NOK', method: null, refunded: 0 },
      { provider: 'stripe', reference: pi.id, amount: 100_000, currency: 'NOK', method: 'card', refunded: 0 },
    ]);
    // A different body for the id is still a conflict.
    expectProblem(await stack.call('POST', '/v1/orders', { ...body, payments: [] }), 409);
  });

  it('refuses payments in another currency, above the order total, of unknown providers or of no amount, naming the field', async () => {
    const base = (await seedPaidOrder({ country: 'RO', payments: [] })).body;
    const order = (payments: unknown[], extra: object = {}) => ({ ...base, id: uid('ORD'), payments, ...extra });
    expectProblem(
      await stack.call(
        'POST',
        '/v1/orders',
        order([{ provider: 'stripe', reference: 'pi_x', amount: 1_000, currency: 'SEK' }]),
      ),
      422,
      'payments[0].currency',
    );
    // 2 × 79 900 = 159 800; with a delivery cost of 100 the total is 159 900.
    expectProblem(
      await stack.call(
        'POST',
        '/v1/orders',
        order([{ provider: 'stripe', reference: 'pi_x', amount: 159_901, currency: 'NOK' }], { deliveryCost: 100 }),
      ),
      422,
      'payments',
    );
    const exact = await stack.call(
      'POST',
      '/v1/orders',
      order([{ provider: 'stripe', reference: 'pi_x', amount: 159_900, currency: 'NOK' }], { deliveryCost: 100 }),
    );
    expect(exact.status, JSON.stringify(exact.body)).toBe(201);
    expectProblem(
      await stack.call(
        'POST',
        '/v1/orders',
        order([{ provider: 'paypal', reference: 'x', amount: 1_000, currency: 'NOK' }]),
      ),
      422,
      'payments[0].provider',
    );
    expectProblem(
      await stack.call(
        'POST',
        '/v1/orders',
        order([{ provider: 'stripe', reference: 'pi_x', amount: 0, currency: 'NOK' }]),
      ),
      422,
      'payments[0].amount',
    );
    expectProblem(await stack.call('POST', '/v1/orders', order([], { deliveryCost: -1 })), 422, 'deliveryCost');
  });
});

describe('refunds through the providers', () => {
  it('card + gift card: after inspection the credit less the return shipping fee goes back in proportion, one Stripe request with an idempotency key', async () => {
    const pi = stripe.addPaymentIntent({ amount: 100_000, currency: 'nok' });
    const { orderId, customerId } = await seedPaidOrder({
      country: 'HR',
      payments: [
        { provider: 'stripe', reference: pi.id, amount: 100_000, method: 'card' },
        { provider: 'gift_card', reference: 'GC-SPLIT-0001', amount: 59_800 },
      ],
    });
    const inspected = await returnAndInspect(orderId);
    const done = await waitForCase(stack, inspected.id, (v) => v.status === 'completed' && refundsSettled(v));

    // Credited 79 900, fee 4 900 → 75 000 over room 100 000 : 59 800 (largest remainder to the card).
    expect(done.creditNotes.map((n) => n.amount)).toEqual([79_900]);
    const byProvider = Object.fromEntries(done.refunds.map((r) => [r.provider, r]));
    expect(byProvider.stripe).toMatchObject({
      amount: 46_934,
      currency: 'NOK',
      status: 'succeeded',
      purpose: 'return_credit',
      caseId: done.id,
    });
    expect(byProvider.gift_card).toMatchObject({
      amount: 28_066,
      status: 'succeeded',
      providerReference: 'GC-SPLIT-0001',
    });
    expect(done.refunds).toHaveLength(2);
    expect(done.refundDueBy).toEqual(expect.any(String));
    expect(done.refundMethod).toBe('original_payment');
    expect(done.timeline.filter((e) => e.type === 'refund.succeeded')).toHaveLength(2);

    // Exactly one refund request reached Stripe, with the key and the amount.
    const calls = stripe.requestsTo('POST', '/v1/refunds').filter((r) => r.body.payment_intent === pi.id);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls[0]!.body).toMatchObject({ payment_intent: pi.id, amount: '46934' });
    expect(stripe.refundsOf(pi.id).map((r) => r.id)).toEqual([byProvider.stripe!.providerReference]);

    const order = await stack.call('GET', `/v1/orders/${orderId}`);
    expect(order.body.payments.map((p: { refunded: number }) => p.refunded)).toEqual([46_934, 28_066]);
    const card = await stack.call('GET', `/v1/customers/${customerId}`, undefined, { key: keys.finance });
    expect(card.status).toBe(200);
    expect(card.body.refunds.map((r: { id: string }) => r.id).sort()).toEqual(done.refunds.map((r) => r.id).sort());
    // The gift card is our own ledger: the refund went back onto its code.
    expect(card.body.storeCredit).toMatchObject({
      balance: 28_066,
      currency: 'NOK',
      entries: [{ code: 'GC-SPLIT-0001', amount: 28_066, bonus: 0, caseId: done.id }],
    });
  });

  it('store credit: the credit plus the policy bonus on the customer card, nothing asked of the card', async () => {
    const pi = stripe.addPaymentIntent({ amount: 159_800, currency: 'nok' });
    const { orderId, customerId } = await seedPaidOrder({
      country: 'HU',
      payments: [{ provider: 'stripe', reference: pi.id, amount: 159_800 }],
    });
    const inspected = await returnAndInspect(orderId, { refundMethod: 'store_credit' });
    expect(inspected.refundMethod).toBe('store_credit');
    const done = await waitForCase(stack, inspected.id, (v) => v.status === 'completed' && refundsSettled(v));
    // 79 900 + 10 % = 87 890, on one code.
    expect(done.refunds).toEqual([
      expect.objectContaining({ provider: 'gift_card', amount: 87_890, status: 'succeeded' }),
    ]);
    expect(stripe.requestsTo('POST', '/v1/refunds').filter((r) => r.body.payment_intent === pi.id)).toHaveLength(0);
    const card = await stack.call('GET', `/v1/customers/${customerId}`);
    expect(card.body.storeCredit.balance).toBe(87_890);
    expect(card.body.storeCredit.currency).toBe('NOK');
    expect(card.body.storeCredit.entries).toEqual([
      {
        code: done.refunds[0]!.providerReference,
        amount: 87_890,
        bonus: 7_990,
        currency: 'NOK',
        caseId: done.id,
        refundId: done.refunds[0]!.id,
        createdAt: expect.any(String),
      },
    ]);
    expect(card.body.storeCredit.entries[0].code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
  });
});

describe('POST /v1/webhooks/payments/:provider', () => {
  it('an Adyen refund waits for its REFUND notification; the signed notification settles it, a redelivery changes nothing, a bad HMAC is refused', async () => {
    const payment = adyen.addPayment({ amount: 159_800, currency: 'NOK' });
    const { orderId } = await seedPaidOrder({
      country: 'RO',
      payments: [{ provider: 'adyen', reference: payment.pspReference, amount: 159_800 }],
    });
    const inspected = await returnAndInspect(orderId);
    const waiting = await waitForCase(stack, inspected.id, (v) => v.waitingFor === 'refund' && v.refunds.length === 1);
    const [refund] = waiting.refunds;
    expect(refund).toMatchObject({ provider: 'adyen', amount: 79_900, status: 'pending' });
    expect(waiting.stuck).toBe(false);
    const [atAdyen] = adyen.refundsOf(payment.pspReference);
    expect(atAdyen).toMatchObject({ pspReference: refund!.providerReference, reference: refund!.id, amount: 79_900 });
    const requests = adyen.requests.filter((r) => r.path.endsWith(`/payments/${payment.pspReference}/refunds`));
    expect(requests).toHaveLength(1);
    expect(requests[0]!.idempotencyKey).toEqual(expect.any(String));

    // Forged (another key): 401, nothing kept, nothing changed.
    const forged = adyen.notification(atAdyen!.pspReference, { hmacKey: 'AB'.repeat(32) });
    expectProblem(await webhook('adyen', forged.payload), 401);
    expect((await stack.call('GET', `/v1/refunds/${refund!.id}`)).body.status).toBe('pending');

    // Late, as notifications are: the case is well into its wait by then.
    await new Promise((r) => setTimeout(r, 500));
    const { payload } = adyen.notification(atAdyen!.pspReference);
    const first = await webhook('adyen', payload);
    expect(first.status).toBe(200);
    expect(first.body).toBe('[accepted]');
    const done = await waitForCase(stack, inspected.id, (v) => v.status === 'completed');
    expect(done.refunds).toEqual([
      expect.objectContaining({ id: refund!.id, status: 'succeeded', settledAt: expect.any(String) }),
    ]);
    const settledAt = done.refunds[0]!.settledAt;

    const again = await webhook('adyen', payload);
    expect(again.status).toBe(200);
    expect(again.body).toBe('[accepted]');
    const after = await waitForCase(stack, inspected.id, () => true);
    expect(after.refunds[0]!.settledAt).toBe(settledAt);
    expect(after.timeline.filter((e) => e.type === 'refund.succeeded')).toHaveLength(1);
  });

  it('a pending Stripe refund settled by a signed refund.updated event (answered with JSON); unknown refunds are kept and answered 2xx', async () => {
    const pi = stripe.addPaymentIntent({ amount: 159_800, currency: 'nok' });
    const { orderId } = await seedPaidOrder({
      country: 'RO',
      payments: [{ provider: 'stripe', reference: pi.id, amount: 159_800 }],
    });
    stripe.nextRefundStatus('pending');
    const inspected = await returnAndInspect(orderId);
    const waiting = await waitForCase(
      stack,
      inspected.id,
      (v) => v.waitingFor === 'refund' && v.refunds[0]?.status === 'pending',
    );
    const refund = waiting.refunds[0]!;
    const atStripe = stripe.settleRefund(refund.providerReference!, 'succeeded');

    const bad = stripe.event('refund.updated', atStripe, { secret: 'whsec_someone_else' });
    expectProblem(await webhook('stripe', bad.payload, { 'stripe-signature': bad.signature }), 401);

    const e = stripe.event('refund.updated', atStripe);
    const res = await webhook('stripe', e.payload, { 'stripe-signature': e.signature });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      provider: 'stripe',
      notifications: [{ eventId: e.id, refundId: refund.id, outcome: 'settled' }],
    });
    await waitForCase(stack, inspected.id, (v) => v.status === 'completed' && refundsSettled(v));
    const again = await webhook('stripe', e.payload, { 'stripe-signature': e.signature });
    expect(again.body.notifications).toEqual([{ eventId: e.id, refundId: null, outcome: 'duplicate' }]);

    const stranger = stripe.event('refund.updated', { ...atStripe, id: 're_not_ours', metadata: {} });
    const unknown = await webhook('stripe', stranger.payload, { 'stripe-signature': stranger.signature });
    expect(unknown.status).toBe(200);
    expect(unknown.body.notifications).toEqual([{ eventId: stranger.id, refundId: null, outcome: 'unknown' }]);
  });

  it('unknown providers and Klarna → 404; no secret configured → 503; a body above 1 MiB → 413', async () => {
    expectProblem(await webhook('paypal', '{}'), 404);
    expectProblem(await webhook('klarna', '{}'), 404);
    // The stack's app has no payment secrets.
    expectProblem(await stack.call('POST', '/v1/webhooks/payments/adyen', '{}'), 503);
    expectProblem(await webhook('adyen', JSON.stringify({ live: 'false', padding: 'x'.repeat(1024 * 1024) })), 413);
  });
});

describe('finance', () => {
  it('a declined refund leaves the case stuck; finance retries it and the case completes', async () => {
    const pi = stripe.addPaymentIntent({ amount: 159_800, currency: 'nok' });
    const { orderId } = await seedPaidOrder({
      country: 'SI',
      payments: [{ provider: 'stripe', reference: pi.id, amount: 159_800 }],
    });
    stripe.nextRefundStatus('failed', 'expired_or_canceled_card');
    const inspected = await returnAndInspect(orderId);
    const stuck = await waitForCase(stack, inspected.id, (v) => v.stuck && v.refunds[0]?.status === 'failed');
    const refund = stuck.refunds[0]!;
    expect(stuck.waitingFor).toBe('refund');
    expect(refund.failureReason).toContain('expired_or_canceled_card');
    expect(stuck.stuckReason).toContain(refund.id);

    expectProblem(await stack.call('POST', `/v1/refunds/${refund.id}/retry`, undefined, { key: keys.warehouse }), 403);
    expectProblem(await stack.call('POST', '/v1/refunds/RF-NOPE/retry', undefined, { key: keys.finance }), 404);

    const retried = await stack.call('POST', `/v1/refunds/${refund.id}/retry`, undefined, { key: keys.finance });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body).toMatchObject({ id: refund.id, status: 'succeeded', attempt: 2, caseId: inspected.id });
    const done = await waitForCase(stack, inspected.id, (v) => v.status === 'completed');
    expect(done.stuck).toBe(false);
    expect(eventOf(done, 'refund.retried').detail).toMatchObject({ refundId: refund.id, by: 'finance (refunds test)' });
    // Two attempts, two keys: the second is not a replay of the refusal.
    const calls = stripe.requestsTo('POST', '/v1/refunds').filter((r) => r.body.payment_intent === pi.id);
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(2);

    // Succeeded: no second retry.
    expectProblem(await stack.call('POST', `/v1/refunds/${refund.id}/retry`, undefined, { key: keys.finance }), 409);
  });

  it('a refund still pending at refundDueBy (provider not configured) shows stuck; finance settles it by hand and the case completes', async () => {
    const { orderId } = await seedPaidOrder({
      country: 'SI',
      payments: [{ provider: 'klarna', reference: 'klarna-order-0001', amount: 159_800 }],
    });
    const inspected = await returnAndInspect(orderId);
    const stuck = await waitForCase(stack, inspected.id, (v) => v.stuck && v.waitingFor === 'refund');
    const refund = stuck.refunds[0]!;
    expect(refund).toMatchObject({ provider: 'klarna', status: 'pending', amount: 79_900 });
    expect(refund.failureReason).toContain('not configured');
    expect(stuck.stuckReason).toContain('not settled by');
    expect(Date.parse(stuck.refundDueBy!)).toBeLessThanOrEqual(Date.now());

    // A pending refund is not retried (only a failed one is).
    expectProblem(await stack.call('POST', `/v1/refunds/${refund.id}/retry`, undefined, { key: keys.finance }), 409);
    expectProblem(
      await stack.call('POST', `/v1/refunds/${refund.id}/settle-manually`, { note: '' }, { key: keys.finance }),
      422,
      'note',
    );
    const settled = await stack.call(
      'POST',
      `/v1/refunds/${refund.id}/settle-manually`,
      { note: 'paid by bank transfer, ref 4711' },
      { key: keys.finance },
    );
    expect(settled.status, JSON.stringify(settled.body)).toBe(200);
    expect(settled.body).toMatchObject({
      id: refund.id,
      status: 'succeeded',
      settledBy: 'finance (refunds test)',
      note: 'paid by bank transfer, ref 4711',
    });
    const done = await waitForCase(stack, inspected.id, (v) => v.status === 'completed');
    expect(done.stuck).toBe(false);
    expect(eventOf(done, 'refund.settled_manually').detail).toMatchObject({
      refundId: refund.id,
      note: 'paid by bank transfer, ref 4711',
    });
    expectProblem(
      await stack.call('POST', `/v1/refunds/${refund.id}/settle-manually`, { note: 'again' }, { key: keys.finance }),
      409,
    );
  });

  it('GET /v1/refunds: newest first, filtered by status, provider and period, paged; finance and managers only', async () => {
    const all = await stack.call('GET', '/v1/refunds?limit=200', undefined, { key: keys.finance });
    expect(all.status).toBe(200);
    expect(all.body.items.length).toBeGreaterThanOrEqual(6);
    expect(all.body.nextCursor).toBeNull();
    const created = all.body.items.map((r: { createdAt: string }) => r.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    for (const r of all.body.items)
      expect(r).toMatchObject({
        id: expect.any(String),
        caseId: expect.any(String),
        orderId: expect.any(String),
        status: expect.any(String),
      });

    const stripeOnly = await stack.call('GET', '/v1/refunds?provider=stripe&status=succeeded', undefined, {
      key: keys.manager,
    });
    expect(stripeOnly.status).toBe(200);
    expect(stripeOnly.body.items.length).toBeGreaterThanOrEqual(3);
    for (const r of stripeOnly.body.items) expect(r).toMatchObject({ provider: 'stripe', status: 'succeeded' });
    const pending = await stack.call('GET', '/v1/refunds?status=pending', undefined, { key: keys.finance });
    for (const r of pending.body.items) expect(r.status).toBe('pending');

    const future = new Date(Date.now() + 3_600_000).toISOString();
    const none = await stack.call('GET', `/v1/refunds?from=${encodeURIComponent(future)}`, undefined, {
      key: keys.finance,
    });
    expect(none.body.items).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ApiResponse = await stack.call(
        'GET',
        `/v1/refunds?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        { key: keys.finance },
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((r: { id: string }) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.body.items.map((r: { id: string }) => r.id));

    expectProblem(await stack.call('GET', '/v1/refunds?cursor=nope', undefined, { key: keys.finance }), 400, 'cursor');
    expectProblem(await stack.call('GET', '/v1/refunds?status=lost', undefined, { key: keys.finance }), 400, 'status');
    expectProblem(await stack.call('GET', '/v1/refunds', undefined, { key: keys.warehouse }), 403);
    expectProblem(
      await stack.call('GET', `/v1/refunds/${all.body.items[0].id}`, undefined, { key: keys.warehouse }),
      403,
    );
    expectProblem(await stack.call('GET', '/v1/refunds/RF-NOPE', undefined, { key: keys.finance }), 404);
  });

  it('finance reads credit notes; the OpenAPI document has the finance routes', async () => {
    const [note] = (await stack.call('GET', '/v1/returns?status=completed&limit=50')).body.items.flatMap(
      (c: CaseDetail) => c.creditNotes,
    );
    expect(note).toBeDefined();
    expect((await stack.call('GET', `/v1/credit-notes/${note.number}`, undefined, { key: keys.finance })).status).toBe(
      200,
    );
    expectProblem(await stack.call('GET', `/v1/credit-notes/${note.number}`, undefined, { key: keys.warehouse }), 403);
    const doc = (await stack.call('GET', '/openapi.json')).body;
    for (const path of [
      '/v1/refunds',
      '/v1/refunds/{id}/retry',
      '/v1/refunds/{id}/settle-manually',
      '/v1/reports/reconciliation',
      '/v1/webhooks/payments/adyen',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.components.schemas.CreateApiKey.properties.role.enum).toContain('finance');
  });
});
