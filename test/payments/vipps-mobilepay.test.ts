import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  idempotencyKey,
  InvalidSignature,
  OutcomeUnknown,
  ProviderUnavailable,
  type HeaderReader,
  type RefundRequest,
} from '../../payments/provider.js';
import {
  verifyVippsWebhook,
  vippsMobilePayProvider,
  vippsRefundReference,
  type VippsMobilePaySettings,
} from '../../payments/vipps-mobilepay.js';
import {
  signVippsWebhook,
  startVippsMobilePayStandIn,
  type VippsMobilePayStandIn,
} from '../support/standins/vipps-mobilepay.js';
import { lookupOf, startReceiver, type Receiver } from './helpers.js';

// Well above a loaded CI machine's answer time; the late answers below are twice this.
const TIMEOUT_MS = 1500;
const WEBHOOK_SECRET = 'c2VjcmV0LWZvci10aGUtc3RhbmQtaW4td2ViaG9vaw==';
let vipps: VippsMobilePayStandIn;
let seq = 0;
let reference: string;

beforeAll(async () => {
  vipps = await startVippsMobilePayStandIn();
});
afterAll(async () => {
  await vipps.close();
});
beforeEach(() => {
  seq += 1;
  reference = `acme-order-${String(seq).padStart(4, '0')}`;
  vipps.addPayment({ reference, currency: 'NOK', capturedAmount: 49_900 });
  vipps.requests.length = 0;
});

const provider = (over: Partial<VippsMobilePaySettings> = {}) =>
  vippsMobilePayProvider({ ...vipps.settings, timeoutMs: TIMEOUT_MS, ...over });
const request = (over: Partial<RefundRequest> = {}): RefundRequest => ({
  idempotencyKey: idempotencyKey(`case-${seq}`, 'refund', reference),
  paymentReference: reference,
  amount: 19_900,
  currency: 'NOK',
  refundId: `ref_${seq}`,
  caseId: `case-${seq}`,
  ...over,
});
const isRefundCall = (r: { path: string }) => r.path.endsWith('/refund');

describe('Vipps MobilePay ePayment refunds', () => {
  it('gets a token, then POSTs the refund with the key, the MSN and the amount → succeeded', async () => {
    const req = request();
    const outcome = await provider().refund(req);
    expect(outcome).toEqual({ status: 'succeeded', providerReference: `${reference}:${req.idempotencyKey}` });

    const [tokenCall, refundCall] = vipps.requests;
    expect(tokenCall).toMatchObject({ method: 'POST', path: '/accesstoken/get', body: '' });
    expect(tokenCall!.headers).toMatchObject({
      client_id: vipps.settings.clientId,
      client_secret: vipps.settings.clientSecret,
      'ocp-apim-subscription-key': vipps.settings.subscriptionKey,
    });
    expect(refundCall).toMatchObject({ method: 'POST', path: `/epayment/v1/payments/${reference}/refund` });
    expect(refundCall!.headers.authorization).toMatch(/^Bearer standin\./);
    expect(refundCall!.headers).toMatchObject({
      'idempotency-key': req.idempotencyKey,
      'ocp-apim-subscription-key': vipps.settings.subscriptionKey,
      'merchant-serial-number': vipps.settings.merchantSerialNumber,
      'content-type': 'application/json',
      'vipps-system-name': 'returns-orchestrator',
    });
    expect(refundCall!.json).toEqual({ modificationAmount: { currency: 'NOK', value: 19_900 } });
    expect(vipps.refunds(reference)).toEqual([
      expect.objectContaining({
        idempotencyKey: req.idempotencyKey,
        amount: { currency: 'NOK', value: 19_900 },
        success: true,
      }),
    ]);
  });

  it('the same key twice is one refund', async () => {
    const p = provider();
    const req = request();
    expect(await p.refund(req)).toEqual(await p.refund(req));
    expect(vipps.refunds(reference)).toHaveLength(1);
    expect(vipps.requests.filter(isRefundCall).map((r) => r.handling)).toEqual(['answered', 'replayed']);
  });

  it('caches the access token until shortly before it expires; a 401 fetches a new one and retries once', async () => {
    let clock = Date.now();
    const p = provider({ now: () => clock });
    const before = vipps.tokensIssued();
    await p.refund(request({ amount: 100 }));
    await p.refund(request({ amount: 200, idempotencyKey: idempotencyKey(`case-${seq}`, 'refund-2', reference) }));
    await p.findRefund(lookupOf(request()));
    expect(vipps.tokensIssued() - before).toBe(1);

    clock += 3600 * 1000 - 60 * 1000; // within the last 10 % of the hour: renewed
    await p.findRefund(lookupOf(request()));
    expect(vipps.tokensIssued() - before).toBe(2);

    vipps.revokeTokens();
    const outcome = await p.refund(
      request({ amount: 300, idempotencyKey: idempotencyKey(`case-${seq}`, 'refund-3', reference) }),
    );
    expect(outcome.status).toBe('succeeded');
    expect(vipps.tokensIssued() - before).toBe(3);
    expect(vipps.refunds(reference).map((e) => e.amount.value)).toEqual([100, 200, 300]);
  });

  it('concurrent calls share one token request', async () => {
    const p = provider();
    const before = vipps.tokensIssued();
    await Promise.all([1, 2, 3].map(() => p.findRefund(lookupOf(request()))));
    expect(vipps.tokensIssued() - before).toBe(1);
  });

  it('5xx and 429 throw ProviderUnavailable without refunding; so does a token that cannot be had', async () => {
    const p = provider();
    const req = request();
    await p.findRefund(lookupOf(req)); // token in the cache
    vipps.failNext(1, 500, isRefundCall);
    await expect(p.refund(req)).rejects.toBeInstanceOf(ProviderUnavailable);
    vipps.failNext(1, 429, isRefundCall);
    await expect(p.refund(req)).rejects.toThrow(/HTTP 429/);
    expect(vipps.refunds(reference)).toHaveLength(0);

    // A fresh adapter has no token: the token endpoint failing or hanging means the refund was never sent.
    vipps.failNext(1, 503, (r) => r.path === '/accesstoken/get');
    await expect(provider().refund(req)).rejects.toBeInstanceOf(ProviderUnavailable);
    vipps.answerLate(TIMEOUT_MS * 2, 1, (r) => r.path === '/accesstoken/get');
    await expect(provider().refund(req)).rejects.toBeInstanceOf(ProviderUnavailable);
    const wrongKeys = provider({ clientSecret: 'wrong' });
    await expect(wrongKeys.refund(req)).rejects.toThrow(/access token: HTTP 401/);
    expect(vipps.requests.filter(isRefundCall)).toHaveLength(2);
    expect(vipps.refunds(reference)).toHaveLength(0);

    expect(await p.refund(req)).toMatchObject({ status: 'succeeded' });
    expect(vipps.refunds(reference)).toHaveLength(1);
  });

  it('a lost answer is OutcomeUnknown; findRefund then finds exactly the one refund', async () => {
    const p = provider();
    const req = request();
    vipps.answerLate(TIMEOUT_MS * 2, 1, isRefundCall);
    await expect(p.refund(req)).rejects.toBeInstanceOf(OutcomeUnknown);
    expect(vipps.refunds(reference)).toHaveLength(1);

    const found = await p.findRefund(lookupOf(req));
    expect(found).toEqual({
      status: 'succeeded',
      providerReference: vippsRefundReference(reference, req.idempotencyKey),
    });
    expect(vipps.requests.at(-1)).toMatchObject({ method: 'GET', path: `/epayment/v1/payments/${reference}/events` });
    expect(await p.refund(req)).toEqual(found);
    expect(vipps.refunds(reference)).toHaveLength(1);
  });

  it('findRefund is null for a key Vipps never saw and for an unknown payment', async () => {
    const p = provider();
    expect(await p.findRefund(lookupOf(request()))).toBeNull();
    expect(await p.findRefund(lookupOf(request({ paymentReference: 'no-such-payment-1' })))).toBeNull();
    vipps.failNext(1, 500, (r) => r.path.endsWith('/events'));
    await expect(p.findRefund(lookupOf(request()))).rejects.toBeInstanceOf(ProviderUnavailable);
  });

  it('more than is captured and not refunded is refused for good: failed with the problem’s detail', async () => {
    const p = provider();
    await p.refund(request({ amount: 40_000 }));
    const outcome = await p.refund(
      request({ amount: 10_000, idempotencyKey: idempotencyKey(`case-${seq}`, 'refund-2', reference) }),
    );
    expect(outcome).toMatchObject({ status: 'failed', providerReference: null });
    expect(outcome.status === 'failed' && outcome.reason).toMatch(
      /HTTP 400: Bad Request — Refund amount 10000 is larger than the captured amount not yet refunded \(9900\) \(traceId /,
    );
    expect(vipps.refunds(reference)).toHaveLength(1);

    const unknown = await p.refund(request({ paymentReference: 'no-such-payment-2' }));
    expect(unknown.status === 'failed' && unknown.reason).toMatch(/HTTP 404/);
  });

  it('has no charge; refuses a key Vipps would not take before calling', async () => {
    const p = provider();
    expect(p.name).toBe('vipps_mobilepay');
    expect(p.charge).toBeUndefined();
    await expect(p.refund(request({ idempotencyKey: 'x'.repeat(51) }))).rejects.toThrow(/Idempotency-Key/);
    expect(vipps.requests).toHaveLength(0);
  });
});

describe('Vipps MobilePay webhooks', () => {
  // The worked example of the Webhooks API's "Request authentication" page.
  const doc = {
    secret: 'A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==',
    body: '{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}',
    headers: {
      host: 'webhook.site',
      'x-ms-date': 'Thu, 30 Mar 2023 08:38:32 GMT',
      'x-ms-content-sha256': 'lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=',
      authorization:
        'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=',
    } as Record<string, string>,
    request: { method: 'POST', pathAndQuery: '/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63' },
  };
  const reader =
    (headers: Record<string, string>): HeaderReader =>
    (name) =>
      headers[name.toLowerCase()];

  it('verifies the documented example, and the stand-in signs it the same way', () => {
    expect(() => verifyVippsWebhook(doc.body, reader(doc.headers), doc.secret, doc.request)).not.toThrow();
    // Not a refund event: verified, nothing to do.
    expect(provider().parseNotification!(doc.body, reader(doc.headers), doc.secret, doc.request)).toEqual([]);
    const signed = signVippsWebhook(
      `https://webhook.site${doc.request.pathAndQuery}`,
      doc.body,
      doc.secret,
      new Date(doc.headers['x-ms-date']!),
    );
    expect(signed).toEqual({
      'x-ms-date': doc.headers['x-ms-date'],
      'x-ms-content-sha256': doc.headers['x-ms-content-sha256'],
      authorization: doc.headers.authorization,
    });
  });

  it('refuses a changed body, path, host, date, secret or signature, and a missing request', () => {
    const p = provider();
    const refuse = (
      body: string,
      headers: Record<string, string>,
      secret = doc.secret,
      request: typeof doc.request | null = doc.request,
    ) =>
      expect(() => p.parseNotification!(body, reader(headers), secret, request ?? undefined)).toThrow(InvalidSignature);
    refuse(doc.body.replace('hello', 'hallo'), doc.headers);
    refuse(doc.body, doc.headers, doc.secret, { ...doc.request, pathAndQuery: '/other' });
    refuse(doc.body, { ...doc.headers, host: 'evil.example' });
    refuse(doc.body, { ...doc.headers, 'x-ms-date': 'Thu, 30 Mar 2023 08:38:33 GMT' });
    refuse(doc.body, doc.headers, 'another-secret');
    refuse(doc.body, { ...doc.headers, authorization: doc.headers.authorization!.replace('agAi', 'bgAi') });
    refuse(doc.body, { ...doc.headers, authorization: 'Bearer x' });
    refuse(doc.body, doc.headers, doc.secret, null);
    const { authorization: _a, ...unsigned } = doc.headers;
    refuse(doc.body, unsigned);
  });

  describe('delivered by the stand-in', () => {
    let receiver: Receiver;
    let receiverUrl: string;
    const received: { body: string; headers: IncomingMessage['headers']; pathAndQuery: string }[] = [];

    beforeAll(async () => {
      receiver = await startReceiver('/v1/webhooks/payments/vipps_mobilepay?source=test', (body, req, res) => {
        received.push({ body, headers: req.headers, pathAndQuery: req.url ?? '/' });
        res.writeHead(200).end();
      });
      receiverUrl = receiver.url;
    });
    afterAll(async () => {
      vipps.webhookOnRefund(null);
      await receiver.close();
    });

    const headerOf =
      (headers: IncomingMessage['headers']): HeaderReader =>
      (name) => {
        const v = headers[name.toLowerCase()];
        return Array.isArray(v) ? v.join(', ') : v;
      };
    const waitForDelivery = async (count: number) => {
      for (let i = 0; i < 100 && received.length < count; i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(received).toHaveLength(count);
      return received.at(-1)!;
    };

    it('epayments.payment.refunded.v1 after a refund parses into one succeeded RefundNotification', async () => {
      received.length = 0;
      vipps.webhookOnRefund({ url: receiverUrl, secret: WEBHOOK_SECRET });
      const p = provider();
      const req = request();
      const outcome = await p.refund(req);
      const delivery = await waitForDelivery(1);
      vipps.webhookOnRefund(null);

      const notifications = p.parseNotification!(delivery.body, headerOf(delivery.headers), WEBHOOK_SECRET, {
        method: 'POST',
        pathAndQuery: delivery.pathAndQuery,
      });
      const event = vipps.refunds(reference)[0]!;
      expect(notifications).toEqual([
        {
          eventId: `${reference}:${event.pspReference}`,
          providerReference: vippsRefundReference(reference, req.idempotencyKey),
          paymentReference: reference,
          idempotencyKey: req.idempotencyKey,
          outcome,
        },
      ]);
      // Tampered with on the way, or verified with another secret: refused.
      expect(() =>
        p.parseNotification!(delivery.body.replace('19900', '99900'), headerOf(delivery.headers), WEBHOOK_SECRET, {
          method: 'POST',
          pathAndQuery: delivery.pathAndQuery,
        }),
      ).toThrow(InvalidSignature);
      expect(() =>
        p.parseNotification!(delivery.body, headerOf(delivery.headers), 'wrong', {
          method: 'POST',
          pathAndQuery: delivery.pathAndQuery,
        }),
      ).toThrow(InvalidSignature);
    });

    it('a late or hand-sent webhook: an unsuccessful refund is failed; other events and other sales units are ignored', async () => {
      received.length = 0;
      const p = provider();
      const base = {
        msn: vipps.settings.merchantSerialNumber,
        reference,
        pspReference: '7686f7788898767977',
        amount: { currency: 'NOK', value: 500 },
        timestamp: new Date().toISOString(),
      };
      await vipps.sendWebhook(receiverUrl, WEBHOOK_SECRET, {
        ...base,
        name: 'REFUNDED',
        idempotencyKey: 'k-1',
        success: false,
      });
      await vipps.sendWebhook(receiverUrl, WEBHOOK_SECRET, {
        ...base,
        name: 'CAPTURED',
        idempotencyKey: 'k-2',
        success: true,
      });
      await vipps.sendWebhook(receiverUrl, WEBHOOK_SECRET, {
        ...base,
        msn: '999999',
        name: 'REFUNDED',
        idempotencyKey: 'k-3',
        success: true,
      });
      await waitForDelivery(3);
      const parsed = received.map((d) =>
        p.parseNotification!(d.body, headerOf(d.headers), WEBHOOK_SECRET, {
          method: 'POST',
          pathAndQuery: d.pathAndQuery,
        }),
      );
      expect(parsed[0]).toEqual([
        {
          eventId: `${reference}:7686f7788898767977`,
          providerReference: null,
          paymentReference: reference,
          idempotencyKey: 'k-1',
          outcome: {
            status: 'failed',
            providerReference: null,
            reason: 'Vipps MobilePay reported the refund as unsuccessful',
          },
        },
      ]);
      expect(parsed[1]).toEqual([]);
      expect(parsed[2]).toEqual([]);
      // Behind a proxy the public host is passed explicitly; the Host header is then not used.
      const d = received[0]!;
      expect(() =>
        p.parseNotification!(d.body, headerOf({ ...d.headers, host: 'internal:8080' }), WEBHOOK_SECRET, {
          method: 'POST',
          pathAndQuery: d.pathAndQuery,
          host: String(d.headers.host),
        }),
      ).not.toThrow();
    });
  });
});
