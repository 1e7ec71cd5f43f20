/**
 * A refund is made exactly once at the provider, whatever dies around the call: a worker that
 * goes away right after Stripe accepted the refund, or an answer lost on the way back. The retried
 * activity looks the refund up by its idempotency key instead of asking Stripe again blindly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPayments } from '../../db/schema.js';
import type { PaymentProvider } from '../../payments/provider.js';
import { stripeProvider } from '../../payments/stripe.js';
import { StripeStandIn } from '../support/standins/stripe.js';
import { seedOrder, startStack, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
let stripe: StripeStandIn;
/** Cases whose first refund call "crashes" right after Stripe answered. */
const crashAfterCall = new Set<string>();

/** Stripe's real client, with a crash injected after the provider accepted the refund (before we record it). */
function crashingStripe(real: PaymentProvider): PaymentProvider {
  return {
    ...real,
    refund: async (req) => {
      const outcome = await real.refund(req);
      if (crashAfterCall.delete(req.caseId)) throw new Error('simulated worker crash right after the refund call');
      return outcome;
    },
    findRefund: (l) => real.findRefund(l),
  };
}

beforeAll(async () => {
  stripe = await StripeStandIn.start();
  stack = await startStack({ worker: false });
  const real = stripeProvider({ apiKey: 'sk_test_standin', apiUrl: stripe.url, timeoutMs: 1_000 });
  await stack.startWorker({ payments: { stripe: crashingStripe(real) } });
});
afterAll(async () => {
  await stack?.close();
  await stripe?.close();
});

/** An order of two sweaters paid by card; one is returned, inspected and refunded. */
async function refundedReturn(before: (caseId: string) => void) {
  const { orderId } = await seedOrder(stack, { quantity: 2, unitPrice: 79_900 });
  const intent = stripe.addPaymentIntent({ amount: 159_800, currency: 'nok' });
  await stack.db
    .insert(orderPayments)
    .values({ orderId, position: 0, provider: 'stripe', reference: intent.id, amount: 159_800, currency: 'NOK' });
  const started = await stack.call('POST', '/v1/returns', {
    orderId,
    method: 'return_to_stock',
    channel: 'store',
    lines: [{ orderLineId: 'L1', quantity: 1, reason: 'too small' }],
  });
  expect(started.status).toBe(201);
  const caseId: string = started.body.id;
  before(caseId);
  const awaiting = await waitForCase(stack, caseId, (c) => c.status === 'awaiting_parcel');
  expect((await stack.call('POST', '/v1/scans', { trackingNumber: awaiting.label?.trackingNumber })).status).toBe(200);
  await waitForCase(stack, caseId, (c) => c.waitingFor === 'inspection');
  const inspected = await stack.call('POST', `/v1/returns/${caseId}/inspection`, {
    lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }],
  });
  expect(inspected.status).toBe(200);
  const done = await waitForCase(stack, caseId, (c) => c.status === 'completed', 60_000);
  return { caseId, intent, done };
}

describe('refund exactly once', () => {
  it('a worker gone right after Stripe accepted the refund: the retry finds it, no second refund', async () => {
    const { intent, done } = await refundedReturn((id) => crashAfterCall.add(id));
    expect(crashAfterCall.size).toBe(0); // the crash happened
    expect(stripe.refundsOf(intent.id)).toHaveLength(1);
    expect(stripe.refundsOf(intent.id)[0]?.amount).toBe(79_900);
    const posts = stripe.requestsTo('POST', '/v1/refunds').filter((r) => r.body.payment_intent === intent.id);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(done.refunds).toEqual([
      expect.objectContaining({ provider: 'stripe', amount: 79_900, currency: 'NOK', status: 'succeeded' }),
    ]);
    expect(done.refunds[0]?.providerReference).toBe(stripe.refundsOf(intent.id)[0]?.id);
    expect(done.timeline?.map((e) => e.type)).toEqual(
      expect.arrayContaining(['refund.pending', 'refund.succeeded', 'refund.completed']),
    );
  });

  it('an answer lost after Stripe made the refund: resolved by a lookup, still one refund', async () => {
    // The stand-in refunds, then answers after the client gave up (timeout 1 s).
    const { intent, done } = await refundedReturn(() => stripe.delayNext(2_500));
    expect(stripe.refundsOf(intent.id)).toHaveLength(1);
    expect(done.refunds).toEqual([expect.objectContaining({ amount: 79_900, status: 'succeeded' })]);
    const lookups = stripe.requestsTo('GET', '/v1/refunds').filter((r) => r.query.payment_intent === intent.id);
    expect(lookups.length).toBeGreaterThanOrEqual(1);
  });
});
