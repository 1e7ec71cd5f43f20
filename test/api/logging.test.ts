/**
 * No key, secret or payment token in the logs: requests with bearer keys, a signed payment
 * webhook and a Stripe refund (its client error logged as the code would) through a logger writing
 * to memory; then the captured output is grepped for every secret value.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { stripeProvider } from '../../payments/stripe.js';
import { createRedactingLogger, scrubLine } from '../../runtime/logging.js';
import { ADMIN_KEY, startStack, uid, type Stack } from '../support/stack.js';
import { StripeStandIn } from '../support/standins/stripe.js';

const STRIPE_SECRET_KEY = 'sk_test_logging_51HxYzSecretValue0123';
const STRIPE_WEBHOOK_SECRET = 'whsec_logging_test_secret_value_0123';
let stack: Stack;
let stripe: StripeStandIn;
let out = '';
const sink = new Writable({
  write(chunk, _enc, done) {
    out += String(chunk);
    done();
  },
});
const logger = createRedactingLogger({ level: 'trace' }, sink);

beforeAll(async () => {
  stack = await startStack({ worker: false });
  stripe = await StripeStandIn.start({ webhookSecret: STRIPE_WEBHOOK_SECRET });
}, 60_000);
afterAll(async () => {
  await stripe?.close();
  await stack?.close();
});

describe('the logs', () => {
  it('never hold a key, a secret or a payment token', async () => {
    const app = createApp({
      db: stack.db,
      temporal: stack.env.client,
      taskQueue: stack.taskQueue,
      adminApiKey: ADMIN_KEY,
      logger,
      paymentSecrets: { stripe: STRIPE_WEBHOOK_SECRET },
      readiness: { database: async () => {}, temporal: async () => {} },
    });
    const call = (method: string, path: string, key: string | undefined, body?: unknown) =>
      app.request(path, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const created = await (await call('POST', '/v1/api-keys', ADMIN_KEY, { name: 'logging', role: 'manager' })).json();
    const apiKey = created.key as string;
    expect(apiKey).toMatch(/^rok_/);
    const sku = uid('LOG');
    const put = await call('PUT', `/v1/products/${sku}`, apiKey, {
      name: 'Logged sweater',
      category: 'apparel',
      price: 1000,
      currency: 'NOK',
      stock: 1,
      returnable: true,
    });
    expect(put.status).toBe(200);
    expect((await call('PUT', `/v1/products/${sku}`, `${apiKey}x`, {})).status).toBe(401);
    expect((await call('DELETE', `/v1/api-keys/${created.id}`, ADMIN_KEY)).status).toBe(204);
    expect((await call('POST', '/v1/returns', apiKey, {})).status).toBe(401);

    // A signed Stripe webhook: the signature is computed with the secret.
    const event = stripe.event('refund.updated', { id: 're_unknown_1', object: 'refund', status: 'succeeded' });
    const hook = await app.request('/v1/webhooks/payments/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': event.signature },
      body: event.payload,
    });
    expect(hook.status).toBeLessThan(500);

    // A Stripe-like refund: the client's requests carry the secret key; what comes back and what
    // fails is logged the way the code logs (objects, errors with their causes).
    const provider = stripeProvider({ apiKey: STRIPE_SECRET_KEY, apiUrl: stripe.url });
    const pi = stripe.addPaymentIntent({ amount: 10_000, currency: 'nok' });
    const outcome = await provider.refund({
      idempotencyKey: uid('idem'),
      paymentReference: pi.id,
      amount: 5_000,
      currency: 'NOK',
      refundId: uid('rf'),
      caseId: uid('case'),
    });
    logger.info({ outcome, provider: 'stripe' }, 'refund asked');
    const failed = await provider
      .refund({
        idempotencyKey: uid('idem'),
        paymentReference: 'pi_does_not_exist',
        amount: 5_000,
        currency: 'NOK',
        refundId: uid('rf'),
        caseId: uid('case'),
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    const err = Object.assign(new Error(`stripe answered 401 for Bearer ${STRIPE_SECRET_KEY}`), {
      cause: failed,
      request: { headers: { Authorization: `Bearer ${STRIPE_SECRET_KEY}`, 'Stripe-Signature': event.signature } },
      config: { apiKey: STRIPE_SECRET_KEY, webhookSecret: STRIPE_WEBHOOK_SECRET },
    });
    logger.error({ err, req: { headers: { authorization: `Bearer ${apiKey}` } } }, 'refund failed');
    logger.warn(`retrying with https://api.example/track?apikey=${STRIPE_SECRET_KEY}&id=1`);
    await new Promise((r) => setTimeout(r, 200)); // the audit lines are written after the responses

    expect(out).toContain('state-changing request'); // the logs are not empty
    expect(out).toContain('refund failed');
    expect(out).toContain('/v1/products/{sku}');
    for (const secret of [
      ADMIN_KEY,
      apiKey,
      apiKey.slice(4),
      STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET,
      event.signature,
    ]) {
      expect(out.includes(secret), `found ${secret} in the logs:\n${out}`).toBe(false);
    }
    expect(out).not.toMatch(/sk_test_[A-Za-z0-9]/);
    expect(out).not.toMatch(/rok_[A-Za-z0-9]/);
    expect(out).toContain('[redacted]');
  });

  it('scrub every line, at any depth, and keep what only names a key', () => {
    const line = JSON.stringify({
      keyId: 'k-1',
      idempotencyKey: 'idem-1',
      deep: {
        deeper: {
          headers: { 'x-api-key': 'abc', cookie: 'session=1' },
          clientSecret: 'cs',
          note: 'Basic dXNlcjpwdw==',
        },
      },
    });
    const scrubbed = JSON.parse(scrubLine(line));
    expect(scrubbed.keyId).toBe('k-1');
    expect(scrubbed.idempotencyKey).toBe('idem-1');
    expect(scrubbed.deep.deeper).toEqual({
      headers: { 'x-api-key': '[redacted]', cookie: '[redacted]' },
      clientSecret: '[redacted]',
      note: 'Basic [redacted]',
    });
  });
});
