import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { klarnaProvider } from '../../payments/klarna.js';
import { idempotencyKey, OutcomeUnknown, ProviderUnavailable, type RefundRequest } from '../../payments/provider.js';
import { startKlarnaStandIn, type KlarnaStandIn } from '../support/standins/klarna.js';
import { lookupOf } from './helpers.js';

// Well above a loaded CI machine's answer time; the late answers below are twice this.
const TIMEOUT_MS = 1500;
let klarna: KlarnaStandIn;
let orderSeq = 0;

beforeAll(async () => {
  klarna = await startKlarnaStandIn();
});
afterAll(async () => {
  await klarna.close();
});

let orderId: string;
beforeEach(() => {
  orderSeq += 1;
  orderId = `a1b2c3d4-0000-4000-8000-${String(orderSeq).padStart(12, '0')}`;
  klarna.addOrder({ orderId, currency: 'SEK', capturedAmount: 100_000 });
  klarna.requests.length = 0;
});

const provider = () => klarnaProvider({ ...klarna.settings, timeoutMs: TIMEOUT_MS });
const request = (over: Partial<RefundRequest> = {}): RefundRequest => ({
  idempotencyKey: idempotencyKey('case-1', `refund:${orderSeq}`, orderId),
  paymentReference: orderId,
  amount: 49_900,
  currency: 'SEK',
  refundId: `ref_${orderSeq}`,
  caseId: 'case-1',
  description: 'Return RMA-1001',
  ...over,
});

describe('Klarna Order Management refunds', () => {
  it('POSTs the refund with Basic auth, the idempotency key and the amount; 201 + Refund-Id → succeeded', async () => {
    const req = request();
    const outcome = await provider().refund(req);

    const made = klarna.refunds(orderId);
    expect(made).toHaveLength(1);
    expect(outcome).toEqual({ status: 'succeeded', providerReference: made[0]!.refund_id });

    const sent = klarna.requests.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe(`/ordermanagement/v1/orders/${orderId}/refunds`);
    expect(sent.headers.authorization).toBe(
      `Basic ${Buffer.from(`${klarna.settings.username}:${klarna.settings.password}`).toString('base64')}`,
    );
    expect(sent.headers['klarna-idempotency-key']).toBe(req.idempotencyKey);
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.json).toEqual({ refunded_amount: 49_900, reference: req.refundId, description: 'Return RMA-1001' });
    expect(made[0]).toMatchObject({
      refunded_amount: 49_900,
      reference: req.refundId,
      idempotencyKey: req.idempotencyKey,
    });
  });

  it('the same key twice is one refund with one id', async () => {
    const req = request();
    const first = await provider().refund(req);
    const second = await provider().refund(req);
    expect(second).toEqual(first);
    expect(klarna.refunds(orderId)).toHaveLength(1);
    expect(klarna.requests.map((r) => r.handling)).toEqual(['answered', 'replayed']);
  });

  it('5xx and 429 throw ProviderUnavailable without refunding; the retry with the same key refunds once', async () => {
    const req = request();
    klarna.failNext(1, 503);
    await expect(provider().refund(req)).rejects.toBeInstanceOf(ProviderUnavailable);
    klarna.failNext(1, 429);
    await expect(provider().refund(req)).rejects.toThrow(/429 TOO_MANY_REQUESTS/);
    klarna.failNext(1, 500);
    await expect(provider().refund(req)).rejects.toThrow(/500 INTERNAL_SERVER_ERROR/);
    expect(klarna.refunds(orderId)).toHaveLength(0);

    const outcome = await provider().refund(req);
    expect(outcome.status).toBe('succeeded');
    expect(klarna.refunds(orderId)).toHaveLength(1);
  });

  it('a lost answer is OutcomeUnknown; findRefund then finds exactly the one refund', async () => {
    const req = request();
    klarna.answerLate(TIMEOUT_MS * 2);
    await expect(provider().refund(req)).rejects.toBeInstanceOf(OutcomeUnknown);
    expect(klarna.refunds(orderId)).toHaveLength(1);

    const found = await provider().findRefund(lookupOf(req));
    expect(found).toEqual({ status: 'succeeded', providerReference: klarna.refunds(orderId)[0]!.refund_id });
    expect(klarna.requests.at(-1)).toMatchObject({ method: 'GET', path: `/ordermanagement/v1/orders/${orderId}` });

    // And asking again with the same key (blindly) still makes no second refund.
    expect(await provider().refund(req)).toEqual(found);
    expect(klarna.refunds(orderId)).toHaveLength(1);
  });

  it('findRefund: by Klarna id when known; null when Klarna never saw it or the order does not exist', async () => {
    const req = request();
    const made = await provider().refund(req);
    if (made.status !== 'succeeded') throw new Error('expected a refund');
    // Found by id even when our reference were different.
    expect(await provider().findRefund({ ...lookupOf(req, made.providerReference), refundId: 'other' })).toEqual(made);
    expect(
      await provider().findRefund(
        lookupOf(request({ idempotencyKey: idempotencyKey('case-1', 'other', orderId), refundId: 'ref_never' })),
      ),
    ).toBeNull();
    expect(await provider().findRefund(lookupOf(request({ paymentReference: 'no-such-order' })))).toBeNull();
  });

  it('findRefund: 5xx or a timeout on the lookup is ProviderUnavailable (a read can be retried)', async () => {
    const req = request();
    klarna.failNext(1, 502);
    await expect(provider().findRefund(lookupOf(req))).rejects.toBeInstanceOf(ProviderUnavailable);
    klarna.answerLate(TIMEOUT_MS * 2);
    await expect(provider().findRefund(lookupOf(req))).rejects.toBeInstanceOf(ProviderUnavailable);
  });

  it('an expired order is refused for good: failed with Klarna’s reason, nothing refunded', async () => {
    klarna.setOrderStatus(orderId, 'EXPIRED');
    const outcome = await provider().refund(request());
    expect(outcome).toMatchObject({ status: 'failed', providerReference: null });
    if (outcome.status !== 'failed') throw new Error('expected failed');
    expect(outcome.reason).toMatch(
      /403 REFUND_NOT_ALLOWED: Order .* is expired\. Refund not possible \(correlation_id [0-9a-f-]+\)/,
    );
    expect(klarna.refunds(orderId)).toHaveLength(0);
  });

  it('more than is left to refund, a cancelled order, an unknown order: failed with the reason', async () => {
    const tooMuch = await provider().refund(request({ amount: 100_001 }));
    expect(tooMuch).toMatchObject({ status: 'failed' });
    expect(tooMuch.status === 'failed' && tooMuch.reason).toMatch(/REFUND_NOT_ALLOWED: Refunded amount 100001 exceeds/);

    // (Klarna keys are global: only the key matters, so another refund needs another key.)
    const unknown = await provider().refund(
      request({ paymentReference: 'no-such-order', idempotencyKey: idempotencyKey('case-1', 'y', 'no-such-order') }),
    );
    expect(unknown.status === 'failed' && unknown.reason).toMatch(/404 NO_SUCH_ORDER/);

    klarna.setOrderStatus(orderId, 'CANCELLED');
    const cancelled = await provider().refund(request({ idempotencyKey: idempotencyKey('case-1', 'x', orderId) }));
    expect(cancelled.status === 'failed' && cancelled.reason).toMatch(/is cancelled/);
    expect(klarna.refunds(orderId)).toHaveLength(0);
  });

  it('wrong credentials are ProviderUnavailable (fix the settings, the same call then works)', async () => {
    const wrong = klarnaProvider({ ...klarna.settings, password: 'nope', timeoutMs: TIMEOUT_MS });
    await expect(wrong.refund(request())).rejects.toThrow(/401/);
    expect(klarna.refunds(orderId)).toHaveLength(0);
  });

  it('has no charge and no notifications (OM refunds are settled by their answer)', () => {
    const p = provider();
    expect(p.name).toBe('klarna');
    expect(p.charge).toBeUndefined();
    expect(p.parseNotification).toBeUndefined();
  });

  it('rejects an amount that is not positive minor units before calling Klarna', async () => {
    await expect(provider().refund(request({ amount: 0 }))).rejects.toThrow(/positive integer/);
    await expect(provider().refund(request({ amount: 12.5 }))).rejects.toThrow(/positive integer/);
    expect(klarna.requests).toHaveLength(0);
  });
});
