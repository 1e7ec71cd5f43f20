/**
 * The reconciliation report over real cases in a database of its own: a card refund with the
 * delivery cost back, a declined refund, a refund pending at a provider without settings, store
 * credit with a bonus, and an order without payments (a shortfall). Credit notes balance against
 * refunds, store credit, fees, delivery and shortfall; the difference is what is pending or failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeProvider } from '../../payments/stripe.js';
import {
  expectProblem,
  inspectCase,
  policyRequest,
  returnRequest,
  scanParcel,
  startReturn,
  trackingNumberOf,
  type CaseDetail,
} from '../support/requests.js';
import { startStack, uid, waitForCase, type Stack } from '../support/stack.js';
import { StripeStandIn } from '../support/standins/stripe.js';

let stack: Stack;
let stripe: StripeStandIn;
const keys: Record<'finance' | 'manager' | 'warehouse' | 'customer_service', string> = {
  finance: '',
  manager: '',
  warehouse: '',
  customer_service: '',
};

async function seedPaidOrder(o: {
  quantity: number;
  unitPrice: number;
  deliveryCost?: number;
  payments: { provider: string; reference: string; amount: number }[];
}) {
  const sku = uid('SKU');
  const orderId = uid('ORD');
  const customerId = uid('CUS');
  expect(
    (
      await stack.call('PUT', `/v1/products/${sku}`, {
        name: 'Rain jacket',
        category: 'apparel',
        price: o.unitPrice,
        currency: 'EUR',
        stock: 5,
        returnable: true,
      })
    ).status,
  ).toBe(200);
  const delivered = new Date(Date.now() - 2 * 86_400_000);
  const order = await stack.call('POST', '/v1/orders', {
    id: orderId,
    customer: {
      id: customerId,
      email: `${customerId}@example.no`,
      name: 'Ola Nordmann',
      locale: 'nb-NO',
      country: 'PT',
    },
    currency: 'EUR',
    placedAt: new Date(delivered.getTime() - 86_400_000).toISOString(),
    deliveredAt: delivered.toISOString(),
    lines: [{ id: 'L1', sku, name: 'Rain jacket', quantity: o.quantity, unitPrice: o.unitPrice, vatRate: 25 }],
    ...(o.deliveryCost !== undefined ? { deliveryCost: o.deliveryCost } : {}),
    payments: o.payments.map((p) => ({ ...p, currency: 'EUR' })),
  });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  return orderId;
}

async function returnOne(
  orderId: string,
  done: (v: CaseDetail) => boolean,
  over: Record<string, unknown> = {},
): Promise<CaseDetail> {
  const c = await startReturn(stack, { ...returnRequest({ orderId }), ...over });
  await scanParcel(stack, trackingNumberOf(c));
  await inspectCase(stack, c.id);
  return waitForCase(stack, c.id, done);
}

/** From this file's start: a rerun on the same database sees only its own cases. */
const fileStart = new Date(Date.now() - 1_000);
const hourAround = () => ({ from: fileStart.toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() });
const query = (p: { from: string; to: string }) =>
  `/v1/reports/reconciliation?from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}`;

beforeAll(async () => {
  stack = await startStack({ worker: false });
  stripe = await StripeStandIn.start();
  await stack.startWorker({
    payments: { stripe: stripeProvider({ apiKey: 'sk_test_reconciliation', apiUrl: stripe.url }) },
  });
  const put = await stack.call('PUT', '/v1/policies/PT', {
    ...policyRequest({ followUpAfter: 'PT1S' }),
    returnShippingFee: 4_900,
    storeCreditBonusPercent: 10,
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  for (const role of Object.keys(keys) as (keyof typeof keys)[]) {
    const res = await stack.call('POST', '/v1/api-keys', { name: `${role} (reconciliation test)`, role });
    expect(res.status).toBe(201);
    keys[role] = res.body.key;
  }
});

afterAll(async () => {
  await stack?.close();
  await stripe?.close();
});

describe('GET /v1/reports/reconciliation', () => {
  it('balances: the difference between credit notes and money out is exactly the pending and failed refunds', async () => {
    // 1. The whole order back: credit 50 000 − fee 4 900 + delivery 9 900 = 55 000 to the card.
    const whole = stripe.addPaymentIntent({ amount: 59_900, currency: 'eur' });
    const c1 = await returnOne(
      await seedPaidOrder({
        quantity: 1,
        unitPrice: 50_000,
        deliveryCost: 9_900,
        payments: [{ provider: 'stripe', reference: whole.id, amount: 59_900 }],
      }),
      (v) => v.status === 'completed',
    );
    expect(c1.refunds).toEqual([expect.objectContaining({ provider: 'stripe', amount: 55_000, status: 'succeeded' })]);

    // 2. Declined by the card: 75 000 failed, waiting for finance.
    const declined = stripe.addPaymentIntent({ amount: 159_800, currency: 'eur' });
    stripe.nextRefundStatus('failed', 'expired_or_canceled_card');
    const c2 = await returnOne(
      await seedPaidOrder({
        quantity: 2,
        unitPrice: 79_900,
        payments: [{ provider: 'stripe', reference: declined.id, amount: 159_800 }],
      }),
      (v) => v.refunds[0]?.status === 'failed',
    );
    expect(c2.refunds).toEqual([expect.objectContaining({ amount: 75_000, status: 'failed' })]);

    // 3. Klarna without settings: 75 000 pending.
    const c3 = await returnOne(
      await seedPaidOrder({
        quantity: 2,
        unitPrice: 79_900,
        payments: [{ provider: 'klarna', reference: uid('KL'), amount: 159_800 }],
      }),
      (v) => v.waitingFor === 'refund' && v.refunds.length === 1,
    );
    expect(c3.refunds).toEqual([expect.objectContaining({ provider: 'klarna', amount: 75_000, status: 'pending' })]);

    // 4. Store credit: principal 75 000, bonus 7 500.
    const sc = stripe.addPaymentIntent({ amount: 159_800, currency: 'eur' });
    const c4 = await returnOne(
      await seedPaidOrder({
        quantity: 2,
        unitPrice: 79_900,
        payments: [{ provider: 'stripe', reference: sc.id, amount: 159_800 }],
      }),
      (v) => v.status === 'completed',
      { refundMethod: 'store_credit' },
    );
    expect(c4.refunds).toEqual([
      expect.objectContaining({ provider: 'gift_card', amount: 82_500, status: 'succeeded' }),
    ]);

    // 5. An order that says nothing of its payments: the payout is a shortfall for finance.
    const c5 = await returnOne(
      await seedPaidOrder({ quantity: 2, unitPrice: 79_900, payments: [] }),
      (v) => v.status === 'completed',
    );
    expect(c5.refunds).toEqual([]);

    const res = await stack.call('GET', query(hourAround()), undefined, { key: keys.finance });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // Other files share the database in CI: only this file's currency is its own.
    expect(res.body.totals.filter((t: { currency: string }) => t.currency === 'EUR')).toEqual([
      {
        currency: 'EUR',
        creditNotes: 50_000 + 4 * 79_900,
        refundsSucceeded: 55_000,
        refundsPending: 75_000,
        refundsFailed: 75_000,
        storeCredit: { principal: 75_000, bonus: 7_500 },
        fees: 5 * 4_900,
        delivery: 9_900,
        shortfall: 75_000,
        charges: 0,
        difference: 150_000,
        explainedBy: { pending: 75_000, failed: 75_000 },
        unexplained: 0,
      },
    ]);
    // Per UTC day: the same figures (on one day, unless the test ran across midnight UTC).
    type Figures = { day: string; currency: string; creditNotes: number; difference: number; unexplained: number };
    const eur = <T extends { currency: string }>(rows: T[]) => rows.filter((r) => r.currency === 'EUR');
    const days = eur(res.body.days as Figures[]);
    const [total] = eur(res.body.totals as Figures[]);
    expect(days.length).toBeGreaterThanOrEqual(1);
    for (const d of days) expect(d.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(days.reduce((s, d) => s + d.creditNotes, 0)).toBe(total?.creditNotes);
    expect(days.reduce((s, d) => s + d.difference, 0)).toBe(150_000);
    if (days.length === 1) {
      const { day, ...figures } = days[0]!;
      expect(day).toBe(new Date().toISOString().slice(0, 10));
      expect(figures).toEqual(total);
    }

    // Finance settles the failed one by hand: the difference is what is still pending.
    const settled = await stack.call(
      'POST',
      `/v1/refunds/${c2.refunds[0]!.id}/settle-manually`,
      { note: 'paid by bank transfer' },
      { key: keys.finance },
    );
    expect(settled.status, JSON.stringify(settled.body)).toBe(200);
    const after = await stack.call('GET', query(hourAround()), undefined, { key: keys.manager });
    expect(eur(after.body.totals as Figures[])[0]).toMatchObject({
      refundsSucceeded: 130_000,
      refundsFailed: 0,
      refundsPending: 75_000,
      difference: 75_000,
      explainedBy: { pending: 75_000, failed: 0 },
      unexplained: 0,
    });
  });

  it('an empty period has no days; the period is checked like the warehouse report; finance and managers only', async () => {
    const past = { from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' };
    const empty = await stack.call('GET', query(past), undefined, { key: keys.finance });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({
      from: '2020-01-01T00:00:00.000Z',
      to: '2020-02-01T00:00:00.000Z',
      days: [],
      totals: [],
    });
    expectProblem(
      await stack.call('GET', query({ from: past.to, to: past.from }), undefined, { key: keys.finance }),
      400,
      'to',
    );
    expectProblem(
      await stack.call('GET', '/v1/reports/reconciliation?to=2020-02-01T00:00:00Z', undefined, { key: keys.finance }),
      400,
      'from',
    );
    expectProblem(await stack.call('GET', query(past), undefined, { key: keys.warehouse }), 403);
    expectProblem(await stack.call('GET', query(past), undefined, { key: keys.customer_service }), 403);
    // finance reads refunds and reports, not the warehouse's.
    expectProblem(await stack.call('GET', '/v1/reports/in-transit', undefined, { key: keys.finance }), 403);
  });
});
