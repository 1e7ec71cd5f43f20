import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adyenProvider, adyenSigningString, type AdyenPaymentProvider } from '../../payments/adyen.js';
import {
  idempotencyKey,
  InvalidSignature,
  OutcomeUnknown,
  ProviderNotConfigured,
  ProviderUnavailable,
  type RefundNotification,
  type RefundRequest,
} from '../../payments/provider.js';
import { adyenItemSignature, AdyenStandIn } from '../support/standins/adyen.js';
import { lookupOf, startNotificationReceiver } from './helpers.js';

// Well above a loaded CI machine's answer time; the late answers below are twice this.
const TIMEOUT_MS = 1500;
let standin: AdyenStandIn;
let adyen: AdyenPaymentProvider;
let caseNo = 0;

beforeAll(async () => {
  standin = await AdyenStandIn.start();
  adyen = adyenProvider({
    apiKey: standin.apiKey,
    merchantAccount: standin.merchantAccount,
    checkoutUrl: standin.checkoutUrl,
    timeoutMs: TIMEOUT_MS,
  });
});
afterAll(async () => {
  await standin.close();
});

function refundOf(psp: string, amount: number, currency = 'NOK', caseId = `case-${++caseNo}`): RefundRequest {
  return {
    idempotencyKey: idempotencyKey(caseId, 'refund', psp),
    paymentReference: psp,
    amount,
    currency,
    refundId: `rf-${caseId}`,
    caseId,
  };
}
const noHeaders = () => undefined;

describe('Adyen refunds', () => {
  it('POSTs /payments/{pspReference}/refunds with X-API-Key and Idempotency-Key; received → pending with the refund’s own pspReference', async () => {
    const payment = standin.addPayment({ amount: 59_900, currency: 'NOK' });
    const req = refundOf(payment.pspReference, 19_900);
    const out = await adyen.refund(req);

    const [made] = standin.refundsOf(payment.pspReference);
    expect(out).toMatchObject({ status: 'pending', providerReference: made!.pspReference });
    expect(made!.pspReference).not.toBe(payment.pspReference);
    const sent = standin.requests.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe(`/v71/payments/${payment.pspReference}/refunds`);
    expect(sent.headers['x-api-key']).toBe(standin.apiKey);
    expect(sent.idempotencyKey).toBe(req.idempotencyKey);
    expect(sent.headers['content-type']).toMatch(/application\/json/);
    expect(sent.body).toEqual({
      merchantAccount: standin.merchantAccount,
      amount: { value: 19_900, currency: 'NOK' },
      reference: req.refundId,
    });
    expect(sent.status).toBe(201);
  });

  it('the same key twice is one refund at Adyen', async () => {
    const payment = standin.addPayment({ amount: 10_000 });
    const req = refundOf(payment.pspReference, 5_000);
    const first = await adyen.refund(req);
    expect(await adyen.refund(req)).toEqual(first);
    expect(standin.refundsOf(payment.pspReference)).toHaveLength(1);
    expect(standin.requests.at(-1)!.replayed).toBe(true);
  });

  it('5xx, 429 and 704 (key in progress) → ProviderUnavailable, nothing refunded', async () => {
    const payment = standin.addPayment({ amount: 10_000 });
    const req = refundOf(payment.pspReference, 1_000);
    standin.failNext(1, 500);
    await expect(adyen.refund(req)).rejects.toBeInstanceOf(ProviderUnavailable);
    standin.failNext(1, 429);
    await expect(adyen.refund(req)).rejects.toBeInstanceOf(ProviderUnavailable);
    standin.rejectNext({ status: 422, errorCode: '704', message: 'request already processed or in progress' });
    await expect(adyen.refund(req)).rejects.toBeInstanceOf(ProviderUnavailable);
    expect(standin.refundsOf(payment.pspReference)).toHaveLength(0);
    expect((await adyen.refund(req)).status).toBe('pending');
    expect(standin.refundsOf(payment.pspReference)).toHaveLength(1);
  });

  it('a timeout after Adyen took the refund → OutcomeUnknown; findRefund repeats with the key and gets that refund back', async () => {
    const payment = standin.addPayment({ amount: 30_000 });
    const req = refundOf(payment.pspReference, 12_345);
    standin.delayNext(TIMEOUT_MS * 2);
    await expect(adyen.refund(req)).rejects.toBeInstanceOf(OutcomeUnknown);
    const made = standin.refundsOf(payment.pspReference);
    expect(made).toHaveLength(1);

    const found = await adyen.findRefund(lookupOf(req));
    expect(found).toMatchObject({ status: 'pending', providerReference: made[0]!.pspReference });
    const repeat = standin.requests.at(-1)!;
    expect(repeat.idempotencyKey).toBe(req.idempotencyKey);
    expect(repeat.replayed).toBe(true);
    expect(standin.refundsOf(payment.pspReference)).toHaveLength(1);
  });

  it('findRefund that times out is ProviderUnavailable (look again), not OutcomeUnknown', async () => {
    const payment = standin.addPayment({ amount: 1_000 });
    const req = refundOf(payment.pspReference, 100);
    standin.delayNext(TIMEOUT_MS * 2);
    await expect(adyen.findRefund(lookupOf(req))).rejects.toBeInstanceOf(ProviderUnavailable);
    expect(await adyen.findRefund(lookupOf(req))).toMatchObject({ status: 'pending' });
    expect(standin.refundsOf(payment.pspReference)).toHaveLength(1);
  });

  it('a synchronous refusal → failed with errorCode and message; auth problems → ProviderNotConfigured', async () => {
    expect(await adyen.refund(refundOf('8835000000000000', 100))).toEqual({
      status: 'failed',
      providerReference: null,
      reason: '167: Original pspReference required for this operation',
    });
    const payment = standin.addPayment({ amount: 1_000, currency: 'SEK' });
    expect(await adyen.refund(refundOf(payment.pspReference, 100, 'NOK'))).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^138: /),
    });

    const wrongKey = adyenProvider({
      apiKey: 'wrong',
      merchantAccount: standin.merchantAccount,
      checkoutUrl: standin.checkoutUrl,
    });
    await expect(wrongKey.refund(refundOf(payment.pspReference, 100, 'SEK'))).rejects.toBeInstanceOf(
      ProviderNotConfigured,
    );
    const wrongAccount = adyenProvider({
      apiKey: standin.apiKey,
      merchantAccount: 'Other',
      checkoutUrl: standin.checkoutUrl,
    });
    await expect(wrongAccount.refund(refundOf(payment.pspReference, 100, 'SEK'))).rejects.toBeInstanceOf(
      ProviderNotConfigured,
    );
    const unset = adyenProvider({ apiKey: '', merchantAccount: '', checkoutUrl: standin.checkoutUrl });
    await expect(unset.refund(refundOf(payment.pspReference, 100, 'SEK'))).rejects.toThrow(
      /ADYEN_API_KEY, ADYEN_MERCHANT_ACCOUNT/,
    );
    expect(standin.refundsOf(payment.pspReference)).toHaveLength(0);
  });

  it('offers no off-session charge (no stored-details token on the order payment)', () => {
    expect(adyen.charge).toBeUndefined();
  });
});

describe('Adyen notifications', () => {
  async function received(
    amount = 5_000,
    refuse?: string,
  ): Promise<{ req: RefundRequest; psp: string; payment: string }> {
    const payment = standin.addPayment({ amount: 5_000 });
    if (refuse) standin.refuseNextRefund(refuse);
    const req = refundOf(payment.pspReference, amount);
    const out = await adyen.refund(req);
    return { req, psp: out.providerReference!, payment: payment.pspReference };
  }

  it('REFUND success=true → succeeded, with the payment and our refund id', async () => {
    const { req, psp, payment } = await received();
    const { payload } = standin.notification(psp);
    const [n] = adyen.parseNotification!(payload, noHeaders, standin.hmacKey);
    expect(n).toEqual<RefundNotification>({
      eventId: expect.stringMatching(/^adyen:[0-9a-f]{32}$/) as unknown as string,
      providerReference: psp,
      paymentReference: payment,
      refundId: req.refundId,
      outcome: { status: 'succeeded', providerReference: psp },
    });
    // The same notification delivered again has the same event id (deduplicated by the caller).
    expect(adyen.parseNotification!(payload, noHeaders, standin.hmacKey)[0]!.eventId).toBe(n!.eventId);
  });

  it('REFUND success=false → failed with Adyen’s reason (e.g. more than is left on the payment)', async () => {
    const { psp } = await received(6_000);
    const [n] = adyen.parseNotification!(standin.notification(psp).payload, noHeaders, standin.hmacKey);
    expect(n!.outcome).toEqual({ status: 'failed', providerReference: psp, reason: 'Insufficient balance on payment' });

    const refused = await received(1_000, 'Card closed');
    expect(
      adyen.parseNotification!(standin.notification(refused.psp).payload, noHeaders, standin.hmacKey)[0]!.outcome,
    ).toMatchObject({ status: 'failed', reason: 'Card closed' });
  });

  it('REFUND_FAILED and REFUNDED_REVERSED → failed', async () => {
    const { psp } = await received();
    const failed = adyen.parseNotification!(
      standin.notification(psp, { eventCode: 'REFUND_FAILED', reason: 'Account closed' }).payload,
      noHeaders,
      standin.hmacKey,
    );
    expect(failed[0]!.outcome).toEqual({
      status: 'failed',
      providerReference: psp,
      reason: 'REFUND_FAILED: Account closed',
    });
    const reversed = adyen.parseNotification!(
      standin.notification(psp, { eventCode: 'REFUNDED_REVERSED', reason: '' }).payload,
      noHeaders,
      standin.hmacKey,
    );
    expect(reversed[0]!.outcome).toEqual({ status: 'failed', providerReference: psp, reason: 'REFUNDED_REVERSED' });
    expect(reversed[0]!.eventId).not.toBe(failed[0]!.eventId);
  });

  it('verifies against Adyen’s published test vector (its Node library’s HMAC test key and item)', () => {
    const key = 'DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00';
    const item = {
      pspReference: 'pspReference',
      originalReference: 'originalReference',
      merchantAccountCode: 'merchantAccount',
      merchantReference: 'reference',
      amount: { currency: 'EUR', value: 1000 },
      eventCode: 'CAPTURE',
      success: 'true',
      reason: 'reason',
      additionalData: { hmacSignature: 'xhpHvYq2u2Np0rstbZ6QjLGu7JWhvf7Iwaa6EviJSX0=' },
    };
    expect(adyenSigningString(item)).toBe(
      'pspReference:originalReference:merchantAccount:reference:1000:EUR:CAPTURE:true',
    );
    expect(adyenItemSignature(item, key)).toBe(item.additionalData.hmacSignature);
    const body = JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: item }] });
    // Verified, and ignored: not a refund event.
    expect(adyen.parseNotification!(body, noHeaders, key)).toEqual([]);
    // The same with eventCode REFUND signed the same way is parsed; absent originalReference signs as ''.
    const refund = { ...item, eventCode: 'REFUND', originalReference: undefined };
    expect(adyenSigningString(refund)).toBe('pspReference::merchantAccount:reference:1000:EUR:REFUND:true');
    const signed = { ...refund, additionalData: { hmacSignature: adyenItemSignature(refund, key) } };
    expect(
      adyen.parseNotification!(
        JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: signed }] }),
        noHeaders,
        key,
      ),
    ).toMatchObject([
      {
        providerReference: 'pspReference',
        paymentReference: null,
        refundId: 'reference',
        outcome: { status: 'succeeded' },
      },
    ]);
  });

  it('a wrong key, a changed field, a missing signature or one forged item refuses the whole delivery', async () => {
    const { psp } = await received();
    const { payload, item } = standin.notification(psp);
    expect(() => adyen.parseNotification!(payload, noHeaders, 'A'.repeat(64))).toThrow(InvalidSignature);
    expect(() =>
      adyen.parseNotification!(payload.replace('"success":"true"', '"success":"false"'), noHeaders, standin.hmacKey),
    ).toThrow(InvalidSignature);
    const unsigned = JSON.stringify({
      live: 'false',
      notificationItems: [{ NotificationRequestItem: { ...item, additionalData: {} } }],
    });
    expect(() => adyen.parseNotification!(unsigned, noHeaders, standin.hmacKey)).toThrow(InvalidSignature);
    const mixed = JSON.stringify({
      live: 'false',
      notificationItems: [
        { NotificationRequestItem: item },
        { NotificationRequestItem: { ...item, amount: { value: 1, currency: 'NOK' } } },
      ],
    });
    expect(() => adyen.parseNotification!(mixed, noHeaders, standin.hmacKey)).toThrow(InvalidSignature);
    expect(() => adyen.parseNotification!('not json', noHeaders, standin.hmacKey)).toThrow(InvalidSignature);
    // A key that is not hex is a configuration error, not a forged notification.
    expect(() => adyen.parseNotification!(payload, noHeaders, 'not-hex')).toThrow(/hexadecimal/);
  });

  it('a late REFUND notification over HTTP settles the pending refund; the receiver answers [accepted]', async () => {
    const { psp, req } = await received();
    const receiver = await startNotificationReceiver(
      '/v1/webhooks/payments/adyen',
      (body) => adyen.parseNotification(body, noHeaders, standin.hmacKey),
      {
        headers: { 'content-type': 'text/plain' },
        body: '[accepted]',
      },
    );
    const { url, got } = receiver;
    try {
      expect(await standin.sendNotification(url, psp)).toMatchObject({ status: 200, accepted: true });
      expect(got).toEqual([
        expect.objectContaining({
          providerReference: psp,
          refundId: req.refundId,
          outcome: { status: 'succeeded', providerReference: psp },
        }),
      ]);
      expect((await standin.sendNotification(url, psp, { hmacKey: 'B'.repeat(64) })).status).toBe(401);
      expect(got).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});
