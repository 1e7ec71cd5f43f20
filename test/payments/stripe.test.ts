import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  idempotencyKey,
  InvalidSignature,
  OutcomeUnknown,
  ProviderNotConfigured,
  ProviderUnavailable,
  type ChargeRequest,
  type HeaderReader,
  type RefundNotification,
  type RefundRequest,
} from '../../payments/provider.js';
import {
  stripeClientConfig,
  stripeProvider,
  type PaymentLinkRequest,
  type StripePaymentProvider,
} from '../../payments/stripe.js';
import { stripeSignatureHeader, StripeStandIn } from '../support/standins/stripe.js';
import { startNotificationReceiver } from './helpers.js';

const API_KEY = 'sk_test_standin_123';
const SECRET = 'whsec_standin_secret';
// Well above a loaded CI machine's answer time; the late answers below are twice this.
const TIMEOUT_MS = 1500;

let standin: StripeStandIn;
let stripe: StripePaymentProvider;
let caseNo = 0;

beforeAll(async () => {
  standin = await StripeStandIn.start({ apiKey: API_KEY, webhookSecret: SECRET });
  stripe = stripeProvider({ apiKey: API_KEY, apiUrl: standin.url, timeoutMs: TIMEOUT_MS });
});
afterAll(async () => {
  await standin.close();
});

function refundOf(pi: string, amount: number, caseId = `case-${++caseNo}`): RefundRequest {
  return {
    idempotencyKey: idempotencyKey(caseId, 'refund', pi),
    paymentReference: pi,
    amount,
    currency: 'SEK',
    refundId: `rf-${caseId}`,
    caseId,
  };
}
function chargeOn(pi: string, amount: number, purpose = 'charge', caseId = `case-${++caseNo}`): ChargeRequest {
  return {
    idempotencyKey: idempotencyKey(caseId, purpose, pi),
    paymentReference: pi,
    amount,
    currency: 'SEK',
    caseId,
    description: `Price difference, ${caseId}`,
  };
}
const headers =
  (h: Record<string, string | undefined>): HeaderReader =>
  (name) =>
    h[name.toLowerCase()];

describe('Stripe settings', () => {
  it('points the SDK at host/port/protocol of STRIPE_API_URL, without retries', () => {
    expect(stripeClientConfig({ apiKey: 'k', apiUrl: 'http://127.0.0.1:4242', timeoutMs: 5000 })).toMatchObject({
      host: '127.0.0.1',
      port: '4242',
      protocol: 'http',
      maxNetworkRetries: 0,
      timeout: 5000,
    });
    expect(stripeClientConfig({ apiKey: 'k' })).toMatchObject({ host: 'api.stripe.com', port: 443, protocol: 'https' });
    expect(() => stripeClientConfig({ apiKey: 'k', apiUrl: 'http://x/v1' })).toThrow(/without a path/);
  });

  it('without an API key every call is ProviderNotConfigured; a wrong key too', async () => {
    const pi = standin.addPaymentIntent({ amount: 1000 });
    await expect(
      stripeProvider({ apiKey: '', apiUrl: standin.url }).refund(refundOf(pi.id, 100)),
    ).rejects.toBeInstanceOf(ProviderNotConfigured);
    await expect(
      stripeProvider({ apiKey: 'sk_test_wrong', apiUrl: standin.url }).refund(refundOf(pi.id, 100)),
    ).rejects.toBeInstanceOf(ProviderNotConfigured);
    expect(standin.refundsOf(pi.id)).toHaveLength(0);
  });
});

describe('Stripe refunds', () => {
  it('POSTs /v1/refunds with payment_intent, amount, metadata and our Idempotency-Key', async () => {
    const pi = standin.addPaymentIntent({ amount: 49_900 });
    const req = refundOf(pi.id, 19_900);
    const out = await stripe.refund(req);

    expect(out.status).toBe('succeeded');
    const [r] = standin.refundsOf(pi.id);
    expect(out).toEqual({ status: 'succeeded', providerReference: r!.id });
    expect(r).toMatchObject({
      amount: 19_900,
      currency: 'sek',
      metadata: { caseId: req.caseId, refundId: req.refundId, idempotencyKey: req.idempotencyKey },
    });

    const sent = standin.requestsTo('POST', '/v1/refunds').at(-1)!;
    expect(sent.idempotencyKey).toBe(req.idempotencyKey);
    expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent.headers['content-type']).toMatch(/application\/x-www-form-urlencoded/);
    expect(sent.body).toMatchObject({
      payment_intent: pi.id,
      amount: '19900',
      metadata: { caseId: req.caseId, refundId: req.refundId, idempotencyKey: req.idempotencyKey },
    });
  });

  it('the same key twice is one refund at Stripe (the second answer is the replay)', async () => {
    const pi = standin.addPaymentIntent({ amount: 10_000 });
    const req = refundOf(pi.id, 2_500);
    const first = await stripe.refund(req);
    const second = await stripe.refund(req);
    expect(second).toEqual(first);
    expect(standin.refundsOf(pi.id)).toHaveLength(1);
    expect(standin.requestsTo('POST', '/v1/refunds').at(-1)!.replayed).toBe(true);
  });

  it('the same key with another amount is refused by Stripe (idempotency_error), not a second refund', async () => {
    const pi = standin.addPaymentIntent({ amount: 10_000 });
    const req = refundOf(pi.id, 2_500);
    await stripe.refund(req);
    expect(await stripe.refund({ ...req, amount: 3_000 })).toMatchObject({
      status: 'failed',
      providerReference: null,
      reason: expect.stringMatching(/^idempotency_error: /),
    });
    expect(standin.refundsOf(pi.id)).toHaveLength(1);
  });

  it('5xx and 429 → ProviderUnavailable, nothing refunded; the retry then refunds once', async () => {
    const pi = standin.addPaymentIntent({ amount: 10_000 });
    const req = refundOf(pi.id, 1_000);
    standin.failNext(1, 500);
    await expect(stripe.refund(req)).rejects.toBeInstanceOf(ProviderUnavailable);
    standin.failNext(1, 503);
    await expect(stripe.refund(req)).rejects.toBeInstanceOf(ProviderUnavailable);
    standin.failNext(1, 429, { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' });
    await expect(stripe.refund(req)).rejects.toBeInstanceOf(ProviderUnavailable);
    expect(standin.refundsOf(pi.id)).toHaveLength(0);
    // The SDK does not retry on its own: one request per call.
    expect(standin.requests.filter((r) => r.idempotencyKey === req.idempotencyKey)).toHaveLength(3);

    expect((await stripe.refund(req)).status).toBe('succeeded');
    expect(standin.refundsOf(pi.id)).toHaveLength(1);
  });

  it('a connection that cannot be opened → ProviderUnavailable', async () => {
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = stripeProvider({ apiKey: API_KEY, apiUrl: `http://127.0.0.1:${port}`, timeoutMs: TIMEOUT_MS });
    await expect(down.refund(refundOf('pi_x', 100))).rejects.toBeInstanceOf(ProviderUnavailable);
  });

  it('a timeout after Stripe made the refund → OutcomeUnknown; findRefund finds exactly that one', async () => {
    const pi = standin.addPaymentIntent({ amount: 30_000 });
    const req = refundOf(pi.id, 12_345);
    standin.delayNext(TIMEOUT_MS * 2);
    await expect(stripe.refund(req)).rejects.toBeInstanceOf(OutcomeUnknown);
    // The stand-in did the work before the (lost) answer.
    const made = standin.refundsOf(pi.id);
    expect(made).toHaveLength(1);

    const found = await stripe.findRefund({
      idempotencyKey: req.idempotencyKey,
      paymentReference: pi.id,
      providerReference: null,
      refundId: req.refundId,
      amount: req.amount,
      currency: req.currency,
    });
    expect(found).toEqual({ status: 'succeeded', providerReference: made[0]!.id });
    const listed = standin.requestsTo('GET', '/v1/refunds').at(-1)!;
    expect(listed.query).toMatchObject({ payment_intent: pi.id });

    // Asking again with the same key is the same refund, never a second one.
    expect(await stripe.refund(req)).toEqual(found);
    expect(standin.refundsOf(pi.id)).toHaveLength(1);
  });

  it('findRefund by provider reference retrieves it; an unknown key is null', async () => {
    const pi = standin.addPaymentIntent({ amount: 5_000 });
    standin.nextRefundStatus('pending');
    const req = refundOf(pi.id, 5_000);
    const out = await stripe.refund(req);
    expect(out.status).toBe('pending');
    standin.settleRefund(out.providerReference!, 'succeeded');
    const lookup = {
      idempotencyKey: req.idempotencyKey,
      paymentReference: pi.id,
      providerReference: out.providerReference,
      refundId: req.refundId,
      amount: req.amount,
      currency: req.currency,
    };
    expect(await stripe.findRefund(lookup)).toEqual({ status: 'succeeded', providerReference: out.providerReference });
    expect(standin.requestsTo('GET', `/v1/refunds/${out.providerReference}`)).toHaveLength(1);

    const other = refundOf(pi.id, 100);
    expect(
      await stripe.findRefund({ ...lookup, idempotencyKey: other.idempotencyKey, providerReference: null }),
    ).toBeNull();
    // A payment Stripe does not know: it never saw a refund of it.
    expect(await stripe.findRefund({ ...lookup, paymentReference: 'pi_unknown', providerReference: null })).toBeNull();
  });

  it('findRefund pages through many refunds of one payment', async () => {
    const pi = standin.addPaymentIntent({ amount: 1_000 });
    const first = refundOf(pi.id, 1);
    const firstOut = await stripe.refund(first);
    for (let i = 0; i < 104; i++) await stripe.refund(refundOf(pi.id, 1));
    const found = await stripe.findRefund({
      idempotencyKey: first.idempotencyKey,
      paymentReference: pi.id,
      providerReference: null,
      refundId: first.refundId,
      amount: 1,
      currency: 'SEK',
    });
    expect(found).toEqual(firstOut);
    expect(
      standin
        .requestsTo('GET', '/v1/refunds')
        .slice(-2)
        .map((r) => r.query.starting_after !== undefined),
    ).toEqual([false, true]);
  });

  it('permanent refusals → failed with the reason: too large, already refunded, a refund that failed or was canceled', async () => {
    const pi = standin.addPaymentIntent({ amount: 1_000 });
    const tooLarge = await stripe.refund(refundOf(pi.id, 1_001));
    expect(tooLarge.status).toBe('failed');
    expect(tooLarge).toMatchObject({ providerReference: null, reason: expect.stringMatching(/^amount_too_large: /) });

    expect((await stripe.refund(refundOf(pi.id, 1_000))).status).toBe('succeeded');
    const again = await stripe.refund(refundOf(pi.id, 1));
    expect(again).toMatchObject({
      status: 'failed',
      providerReference: null,
      reason: expect.stringMatching(/^charge_already_refunded: /),
    });

    const card = standin.addPaymentIntent({ amount: 1_000 });
    standin.nextRefundStatus('failed', 'expired_or_canceled_card');
    const failed = await stripe.refund(refundOf(card.id, 500));
    expect(failed).toEqual({
      status: 'failed',
      providerReference: standin.refundsOf(card.id)[0]!.id,
      reason: 'expired_or_canceled_card',
    });
    standin.nextRefundStatus('canceled');
    expect(await stripe.refund(refundOf(card.id, 100))).toMatchObject({ status: 'failed', reason: 'canceled' });
    standin.nextRefundStatus('requires_action');
    expect(await stripe.refund(refundOf(card.id, 100))).toMatchObject({
      status: 'pending',
      reason: expect.stringMatching(/^requires_action/),
    });
  });

  it('a refund of an unknown payment is failed (resource_missing), not retried', async () => {
    expect(await stripe.refund(refundOf('pi_does_not_exist', 100))).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^resource_missing: /),
    });
  });
});

describe('Stripe off-session charges', () => {
  it('charges the customer and payment method of the original payment, off-session, with the key', async () => {
    const pi = standin.addPaymentIntent({ amount: 40_000, customer: 'cus_anna', payment_method: 'pm_card_anna' });
    const req = chargeOn(pi.id, 7_500);
    const out = await stripe.charge(req);
    expect(out.status).toBe('succeeded');
    const sent = standin.requestsTo('POST', '/v1/payment_intents').at(-1)!;
    expect(sent.idempotencyKey).toBe(req.idempotencyKey);
    expect(sent.body).toMatchObject({
      amount: '7500',
      currency: 'sek',
      customer: 'cus_anna',
      payment_method: 'pm_card_anna',
      off_session: 'true',
      confirm: 'true',
      metadata: { caseId: req.caseId, idempotencyKey: req.idempotencyKey },
    });
    expect(sent.body.capture_method).toBeUndefined();
    expect(standin.paymentIntents.get(out.providerReference!)).toMatchObject({
      status: 'succeeded',
      amount_received: 7_500,
    });

    expect(await stripe.charge(req)).toEqual(out);
    expect(
      [...standin.paymentIntents.values()].filter((p) => p.metadata.idempotencyKey === req.idempotencyKey),
    ).toHaveLength(1);
  });

  it('a decline or authentication_required → failed with the reason and the PaymentIntent', async () => {
    const pi = standin.addPaymentIntent({ amount: 40_000 });
    standin.declineNextCharge('card_declined', 'insufficient_funds');
    const declined = await stripe.charge(chargeOn(pi.id, 1_000));
    expect(declined).toMatchObject({
      status: 'failed',
      reason: 'card_declined (insufficient_funds): Your card was declined.',
    });
    expect(declined.providerReference).toMatch(/^pi_/);

    standin.declineNextCharge('authentication_required');
    expect(await stripe.charge(chargeOn(pi.id, 1_000))).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^authentication_required: /),
    });
  });

  it('no saved payment method on the original payment → failed without a charge attempt', async () => {
    const pi = standin.addPaymentIntent({ amount: 40_000, customer: null });
    const before = standin.requestsTo('POST', '/v1/payment_intents').length;
    expect(await stripe.charge(chargeOn(pi.id, 1_000))).toMatchObject({
      status: 'failed',
      providerReference: null,
      reason: expect.stringMatching(/^no saved payment method/),
    });
    expect(standin.requestsTo('POST', '/v1/payment_intents')).toHaveLength(before);
  });

  it('a charge whose answer was lost is found by its key', async () => {
    const pi = standin.addPaymentIntent({ amount: 40_000, customer: 'cus_lost' });
    const req = chargeOn(pi.id, 2_000);
    // The retrieve of the original payment answers; the create is made and its answer lost.
    standin.delayNext(0);
    standin.delayNext(TIMEOUT_MS * 2);
    await expect(stripe.charge(req)).rejects.toBeInstanceOf(OutcomeUnknown);
    const found = await stripe.findCharge({ idempotencyKey: req.idempotencyKey, paymentReference: pi.id });
    expect(found).toMatchObject({ status: 'succeeded' });
    expect(standin.paymentIntents.get(found!.providerReference!)!.metadata.idempotencyKey).toBe(req.idempotencyKey);
    expect(await stripe.findCharge({ idempotencyKey: 'never-used', paymentReference: pi.id })).toBeNull();
  });
});

describe('Stripe authorization holds (exchange shipped at once)', () => {
  it('holds with manual capture, then captures (part of) it', async () => {
    const pi = standin.addPaymentIntent({ amount: 40_000 });
    const hold = await stripe.holdAuthorization(chargeOn(pi.id, 29_900, 'hold'));
    expect(hold).toMatchObject({ status: 'held', amount: 29_900 });
    if (hold.status !== 'held') throw new Error('no hold');
    expect(standin.requestsTo('POST', '/v1/payment_intents').at(-1)!.body).toMatchObject({
      capture_method: 'manual',
      off_session: 'true',
      confirm: 'true',
    });

    const captureKey = idempotencyKey('c', 'capture', hold.providerReference);
    const captured = await stripe.captureHold({
      idempotencyKey: captureKey,
      holdReference: hold.providerReference,
      amount: 20_000,
    });
    expect(captured).toEqual({ status: 'succeeded', providerReference: hold.providerReference });
    expect(standin.paymentIntents.get(hold.providerReference)).toMatchObject({
      status: 'succeeded',
      amount_received: 20_000,
    });
    expect(standin.requestsTo('POST', `/v1/payment_intents/${hold.providerReference}/capture`).at(-1)!.body).toEqual({
      amount_to_capture: '20000',
    });
    // Captured already, asked again under another key: still captured, not an error.
    expect(await stripe.captureHold({ idempotencyKey: 'other', holdReference: hold.providerReference })).toEqual(
      captured,
    );
  });

  it('releases a hold (cancel); releasing it again is still released', async () => {
    const pi = standin.addPaymentIntent({ amount: 40_000 });
    const hold = await stripe.holdAuthorization(chargeOn(pi.id, 10_000, 'hold'));
    if (hold.status !== 'held') throw new Error('no hold');
    expect(await stripe.releaseHold({ idempotencyKey: 'rel-1', holdReference: hold.providerReference })).toEqual({
      status: 'released',
      providerReference: hold.providerReference,
    });
    expect(standin.paymentIntents.get(hold.providerReference)!.status).toBe('canceled');
    expect(await stripe.releaseHold({ idempotencyKey: 'rel-2', holdReference: hold.providerReference })).toEqual({
      status: 'released',
      providerReference: hold.providerReference,
    });
    // Captured after release is refused for good.
    expect(
      await stripe.captureHold({ idempotencyKey: 'cap-late', holdReference: hold.providerReference }),
    ).toMatchObject({ status: 'failed', reason: expect.stringMatching(/payment_intent_unexpected_state/) });
  });

  it('a declined hold → failed', async () => {
    const pi = standin.addPaymentIntent({ amount: 40_000 });
    standin.declineNextCharge('card_declined', 'do_not_honor');
    expect(await stripe.holdAuthorization(chargeOn(pi.id, 10_000, 'hold'))).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^card_declined \(do_not_honor\)/),
    });
  });
});

describe('Stripe holds whose answer was lost', () => {
  it('findHold finds a hold by its key; an unknown key is null', async () => {
    const pi = standin.addPaymentIntent({ amount: 40_000 });
    const req = chargeOn(pi.id, 12_000, 'hold');
    standin.delayNext(0);
    standin.delayNext(TIMEOUT_MS * 2);
    await expect(stripe.holdAuthorization(req)).rejects.toBeInstanceOf(OutcomeUnknown);
    const found = await stripe.findHold({ idempotencyKey: req.idempotencyKey, paymentReference: pi.id });
    expect(found).toMatchObject({ status: 'held', amount: 12_000 });
    expect(standin.paymentIntents.get(found!.providerReference!)).toMatchObject({
      capture_method: 'manual',
      status: 'requires_capture',
    });
    expect(await stripe.findHold({ idempotencyKey: 'never-used', paymentReference: pi.id })).toBeNull();
  });
});

describe('Stripe payment links (Checkout Sessions)', () => {
  function linkFor(amount: number, caseId = `case-${++caseNo}`): PaymentLinkRequest {
    return {
      idempotencyKey: idempotencyKey(caseId, 'payment_link:price_difference', 'stripe'),
      amount,
      currency: 'SEK',
      description: 'Price difference for the replacement',
      caseId,
      purpose: 'price_difference',
      successUrl: `https://shop.example/portal?case=${caseId}&payment=succeeded`,
      cancelUrl: `https://shop.example/portal?case=${caseId}&payment=cancelled`,
      customerEmail: 'anna@example.se',
    };
  }

  it('POSTs /v1/checkout/sessions (mode=payment, one price_data line item, URLs, metadata) with our Idempotency-Key', async () => {
    const req = linkFor(19_900);
    const out = await stripe.createPaymentLink(req);
    if (out.status !== 'created') throw new Error(`no link: ${out.reason}`);
    expect(out.providerReference).toMatch(/^cs_/);
    expect(out.url).toBe(`https://checkout.stripe.com/c/pay/${out.providerReference}`);
    expect(Date.parse(out.expiresAt!) - Date.now()).toBeGreaterThan(23 * 3600_000);

    const sent = standin.requestsTo('POST', '/v1/checkout/sessions').at(-1)!;
    expect(sent.idempotencyKey).toBe(req.idempotencyKey);
    expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent.body).toEqual({
      mode: 'payment',
      line_items: {
        '0': {
          quantity: '1',
          price_data: { currency: 'sek', unit_amount: '19900', product_data: { name: req.description } },
        },
      },
      success_url: req.successUrl,
      cancel_url: req.cancelUrl,
      client_reference_id: req.caseId,
      customer_email: 'anna@example.se',
      metadata: { caseId: req.caseId, purpose: 'price_difference', idempotencyKey: req.idempotencyKey },
      payment_intent_data: {
        metadata: { caseId: req.caseId, purpose: 'price_difference', idempotencyKey: req.idempotencyKey },
      },
    });
    expect(standin.checkoutSessions.get(out.providerReference)).toMatchObject({
      status: 'open',
      payment_status: 'unpaid',
      amount_total: 19_900,
      currency: 'sek',
    });
  });

  it('the same key twice is one session (the second answer is the replay)', async () => {
    const req = linkFor(5_000);
    const first = await stripe.createPaymentLink(req);
    expect(await stripe.createPaymentLink(req)).toEqual(first);
    expect(
      [...standin.checkoutSessions.values()].filter((cs) => cs.metadata.idempotencyKey === req.idempotencyKey),
    ).toHaveLength(1);
    expect(
      standin
        .requestsTo('POST', '/v1/checkout/sessions')
        .filter((r) => r.idempotencyKey === req.idempotencyKey)
        .at(-1)!.replayed,
    ).toBe(true);
  });

  it('5xx → ProviderUnavailable, no session; a timeout → OutcomeUnknown (the retry with the key gets the same session)', async () => {
    const req = linkFor(3_000);
    standin.failNext(1, 502);
    await expect(stripe.createPaymentLink(req)).rejects.toBeInstanceOf(ProviderUnavailable);
    expect(
      [...standin.checkoutSessions.values()].filter((cs) => cs.metadata.idempotencyKey === req.idempotencyKey),
    ).toHaveLength(0);

    standin.delayNext(TIMEOUT_MS * 2);
    await expect(stripe.createPaymentLink(req)).rejects.toBeInstanceOf(OutcomeUnknown);
    const again = await stripe.createPaymentLink(req);
    const made = [...standin.checkoutSessions.values()].filter(
      (cs) => cs.metadata.idempotencyKey === req.idempotencyKey,
    );
    expect(made).toHaveLength(1);
    expect(again).toMatchObject({ status: 'created', providerReference: made[0]!.id });
  });

  it('a refusal (amount not above zero) → failed with the Stripe code; a wrong key → ProviderNotConfigured', async () => {
    expect(await stripe.createPaymentLink(linkFor(0))).toMatchObject({
      status: 'failed',
      providerReference: null,
      reason: expect.stringMatching(/^amount_too_small: /),
    });
    await expect(
      stripeProvider({ apiKey: 'sk_test_wrong', apiUrl: standin.url }).createPaymentLink(linkFor(100)),
    ).rejects.toBeInstanceOf(ProviderNotConfigured);
  });

  it('a paid session makes a succeeded PaymentIntent carrying our metadata (stand-in)', async () => {
    const req = linkFor(7_700);
    const out = await stripe.createPaymentLink(req);
    if (out.status !== 'created') throw new Error('no link');
    const paid = standin.completeCheckoutSession(out.providerReference);
    expect(paid).toMatchObject({ status: 'complete', payment_status: 'paid', url: null });
    expect(standin.paymentIntents.get(paid.payment_intent!)).toMatchObject({
      status: 'succeeded',
      amount_received: 7_700,
      metadata: { caseId: req.caseId, purpose: 'price_difference' },
    });
  });
});

describe('Stripe webhooks', () => {
  async function pendingRefund(): Promise<{ id: string; req: RefundRequest; pi: string }> {
    const pi = standin.addPaymentIntent({ amount: 9_900 });
    standin.nextRefundStatus('pending');
    const req = refundOf(pi.id, 9_900);
    const out = await stripe.refund(req);
    return { id: out.providerReference!, req, pi: pi.id };
  }

  it('a valid signature: refund.updated (succeeded) and refund.failed are parsed with our metadata', async () => {
    const { id, req, pi } = await pendingRefund();
    const ok = standin.event('refund.updated', standin.settleRefund(id, 'succeeded'));
    const [n] = stripe.parseNotification(ok.payload, headers({ 'stripe-signature': ok.signature }), SECRET);
    expect(n).toEqual<RefundNotification>({
      eventId: ok.id,
      providerReference: id,
      paymentReference: pi,
      idempotencyKey: req.idempotencyKey,
      refundId: req.refundId,
      outcome: { status: 'succeeded', providerReference: id },
    });

    const bad = standin.event('refund.failed', standin.settleRefund(id, 'failed', 'lost_or_stolen_card'));
    expect(
      stripe.parseNotification(bad.payload, headers({ 'stripe-signature': bad.signature }), SECRET)[0]!.outcome,
    ).toEqual({
      status: 'failed',
      providerReference: id,
      reason: 'lost_or_stolen_card',
    });
    const charge = standin.event('charge.refund.updated', { ...standin.refunds.get(id)!, status: 'succeeded' });
    expect(
      stripe.parseNotification(charge.payload, headers({ 'stripe-signature': charge.signature }), SECRET)[0]!.outcome
        .status,
    ).toBe('succeeded');
  });

  it('accepts a header made by the Stripe SDK’s own signer (the same scheme as Stripe)', () => {
    const e = standin.event('refund.updated', {
      id: 're_sdk',
      object: 'refund',
      status: 'succeeded',
      payment_intent: 'pi_sdk',
      metadata: {},
    });
    const sig = Stripe.webhooks.generateTestHeaderString({ payload: e.payload, secret: SECRET });
    expect(stripe.parseNotification(e.payload, headers({ 'stripe-signature': sig }), SECRET)[0]!.outcome).toEqual({
      status: 'succeeded',
      providerReference: 're_sdk',
    });
  });

  it('other events are verified and ignored', () => {
    const e = standin.event('payment_intent.succeeded', { id: 'pi_1', object: 'payment_intent' });
    expect(stripe.parseNotification(e.payload, headers({ 'stripe-signature': e.signature }), SECRET)).toEqual([]);
  });

  it('invalid, missing, stale or future signatures → InvalidSignature', async () => {
    const { id } = await pendingRefund();
    const e = standin.event('refund.updated', standin.refunds.get(id));
    const parse =
      (payload: string, sig: string | undefined, secret = SECRET) =>
      () =>
        stripe.parseNotification(payload, headers({ 'stripe-signature': sig }), secret);
    expect(parse(e.payload, e.signature)).not.toThrow();
    expect(parse(e.payload, e.signature, 'whsec_other')).toThrow(InvalidSignature);
    expect(parse(e.payload.replace('"pending"', '"succeeded"'), e.signature)).toThrow(InvalidSignature);
    expect(parse(e.payload, undefined)).toThrow(InvalidSignature);
    expect(parse(e.payload, 'garbage')).toThrow(InvalidSignature);
    expect(parse(e.payload, e.signature.replace(/v1=[0-9a-f]+/, 'v1=00'))).toThrow(InvalidSignature);

    const now = Math.floor(Date.now() / 1000);
    expect(parse(e.payload, stripeSignatureHeader(e.payload, SECRET, now - 290))).not.toThrow();
    expect(parse(e.payload, stripeSignatureHeader(e.payload, SECRET, now - 600))).toThrow(/tolerance/);
    expect(parse(e.payload, stripeSignatureHeader(e.payload, SECRET, now + 600))).toThrow(/tolerance/);
    // Secret rotation: one of several v1 signatures matching is enough.
    const rotated = `${stripeSignatureHeader(e.payload, 'whsec_old', now)},v1=${stripeSignatureHeader(e.payload, SECRET, now).split('v1=')[1]}`;
    expect(parse(e.payload, rotated)).not.toThrow();
  });

  it('a late notification over HTTP settles a pending refund', async () => {
    const { id, req } = await pendingRefund();
    const receiver = await startNotificationReceiver('/v1/webhooks/payments/stripe', (body, r) =>
      stripe.parseNotification(body, (n) => r.headers[n.toLowerCase()] as string | undefined, SECRET),
    );
    const { url, got } = receiver;
    try {
      standin.settleRefund(id, 'succeeded');
      expect((await standin.notifyRefund(url, id)).status).toBe(200);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({
        providerReference: id,
        idempotencyKey: req.idempotencyKey,
        outcome: { status: 'succeeded' },
      });
      expect((await standin.notifyRefund(url, id, { secret: 'whsec_wrong' })).status).toBe(401);
      expect(got).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});
