/**
 * Charges and authorization holds against the real database and the Stripe stand-in (no workflow):
 * a charge is collected off-session once, falls back to a Checkout payment link when the card
 * refuses, is looked up (never charged twice) when an answer was lost, and stays with the shop when
 * no provider here can collect it; a hold is made once, released, captured, or fails to capture.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargeActivities, chargeKey, COLLECTED_BY_SHOP } from '../../activities/charges.js';
import { emailActivities } from '../../activities/email.js';
import { holdActivities, holdKey } from '../../activities/holds.js';
import type { OutgoingMail } from '../../activities/mail-transport.js';
import type { Database } from '../../db/client.js';
import { loadCaseView } from '../../db/case-view.js';
import {
  authorizationHolds,
  charges,
  customers,
  orderPayments,
  orders,
  outboundEmails,
  returnCases,
} from '../../db/schema.js';
import { DEFAULT_WAREHOUSE } from '../../documents/label-pdf.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import type { PaymentProviderName } from '../../domain/refunds.js';
import type { PaymentProviders } from '../../payments/index.js';
import { idempotencyKey, OutcomeUnknown } from '../../payments/provider.js';
import { stripeProvider, type StripePaymentProvider } from '../../payments/stripe.js';
import { StripeStandIn } from '../support/standins/stripe.js';
import { openTestDatabase, TEST_BRAND, TEST_LINK_SECRET, uid } from '../support/stack.js';

const API_KEY = 'sk_test_charges';
const PUBLIC_URL = 'http://returns.test';
const TIMEOUT_MS = 400;

let database: Database;
let standin: StripeStandIn;
let stripe: StripePaymentProvider;

beforeAll(async () => {
  [database, standin] = await Promise.all([openTestDatabase(), StripeStandIn.start({ apiKey: API_KEY })]);
  stripe = stripeProvider({ apiKey: API_KEY, apiUrl: standin.url, timeoutMs: TIMEOUT_MS });
});
afterAll(async () => {
  await Promise.all([database?.close(), standin?.close()]);
});

const activities = (payments: PaymentProviders = { stripe }) => ({
  ...chargeActivities({ db: database.db, payments, publicUrl: PUBLIC_URL }),
  ...holdActivities({ db: database.db, payments }),
});

/** A case on an order paid by `paidWith` (a Stripe PaymentIntent at the stand-in by default). */
async function seedCase(
  paidWith: { provider: PaymentProviderName; reference?: string }[] = [{ provider: 'stripe' }],
): Promise<{ caseId: string; references: string[] }> {
  const db = database.db;
  const customerId = uid('CUS');
  const orderId = uid('ORD');
  const caseId = uid('RET');
  await db
    .insert(customers)
    .values({ id: customerId, email: `${customerId}@example.se`, name: 'Anna', locale: 'sv-SE', country: 'SE' });
  await db.insert(orders).values({
    id: orderId,
    customerId,
    currency: 'SEK',
    placedAt: new Date(),
    bodyHash: 'x',
    body: {
      id: orderId,
      customer: { id: customerId, email: 'a@example.se', name: 'Anna', locale: 'sv-SE', country: 'SE' },
      currency: 'SEK',
      placedAt: new Date().toISOString(),
      lines: [],
    },
  });
  const references = paidWith.map(
    (p) =>
      p.reference ?? (p.provider === 'stripe' ? standin.addPaymentIntent({ amount: 100_000 }).id : uid(p.provider)),
  );
  await db.insert(orderPayments).values(
    paidWith.map((p, i) => ({
      orderId,
      position: i,
      provider: p.provider,
      reference: references[i]!,
      amount: 100_000,
      currency: 'SEK',
    })),
  );
  await db.insert(returnCases).values({
    id: caseId,
    orderId,
    customerId,
    method: 'exchange',
    channel: 'portal',
    status: 'inspected',
    currency: 'SEK',
    policy: DEFAULT_POLICY,
  });
  return { caseId, references };
}

async function seedCharge(
  amount = 12_500,
  paidWith?: Parameters<typeof seedCase>[0],
): Promise<{ caseId: string; references: string[] }> {
  const seeded = await seedCase(paidWith);
  await activities().recordCharge({
    caseId: seeded.caseId,
    purpose: 'price_difference',
    amount,
    currency: 'SEK',
    reason: 'price difference for the replacement',
  });
  return seeded;
}

const intentsWithKey = (key: string) =>
  [...standin.paymentIntents.values()].filter((p) => p.metadata.idempotencyKey === key);
const sessionsOf = (caseId: string) =>
  [...standin.checkoutSessions.values()].filter((s) => s.metadata.caseId === caseId);

/** The 'charged' e-mail as the customer would get it. */
async function chargedEmail(caseId: string): Promise<OutgoingMail> {
  const sent: OutgoingMail[] = [];
  await emailActivities({
    db: database.db,
    mail: { send: async (m) => void sent.push(m) },
    publicUrl: PUBLIC_URL,
    warehouse: DEFAULT_WAREHOUSE,
    brand: TEST_BRAND,
    linkSecret: TEST_LINK_SECRET,
  }).sendCaseEmail({ caseId, kind: 'charged' });
  const [row] = await database.db
    .select()
    .from(outboundEmails)
    .where(and(eq(outboundEmails.caseId, caseId), eq(outboundEmails.kind, 'charged')));
  expect(row!.body).toBe(sent[0]!.text);
  return sent[0]!;
}

describe('collectCharge', () => {
  it('charges the saved card off-session once, with the key from case + purpose + payment; a retry charges nothing more', async () => {
    const { caseId, references } = await seedCharge(12_500);
    const key = chargeKey(caseId, 'price_difference', references[0]!);
    expect(key).toBe(idempotencyKey(caseId, 'charge:price_difference', references[0]!));
    const posts = standin.requestsTo('POST', '/v1/payment_intents').length;

    const state = await activities().collectCharge({ caseId, purpose: 'price_difference' });
    expect(state).toMatchObject({
      status: 'collected',
      amount: 12_500,
      currency: 'SEK',
      paymentUrl: null,
      failureReason: null,
      reason: 'price difference for the replacement',
    });
    const [pi] = intentsWithKey(key);
    expect(state.providerReference).toBe(pi!.id);
    expect(pi).toMatchObject({
      status: 'succeeded',
      amount_received: 12_500,
      currency: 'sek',
      off_session: true,
      customer: standin.paymentIntents.get(references[0]!)!.customer,
    });
    expect(
      standin
        .requestsTo('POST', '/v1/payment_intents')
        .slice(posts)
        .map((r) => r.idempotencyKey),
    ).toEqual([key]);

    expect(await activities().collectCharge({ caseId, purpose: 'price_difference' })).toEqual(state);
    expect(standin.requestsTo('POST', '/v1/payment_intents')).toHaveLength(posts + 1);
    expect(intentsWithKey(key)).toHaveLength(1);

    const [row] = await database.db.select().from(charges).where(eq(charges.caseId, caseId));
    expect(row).toMatchObject({
      status: 'collected',
      provider: 'stripe',
      paymentReference: references[0],
      providerReference: pi!.id,
    });
    expect(row!.settledAt).toBeInstanceOf(Date);
    const view = await loadCaseView(database.db, caseId);
    expect(view!.charges).toEqual([
      {
        amount: 12_500,
        currency: 'SEK',
        reason: 'price difference for the replacement',
        purpose: 'price_difference',
        status: 'collected',
        paymentUrl: null,
        providerReference: pi!.id,
      },
    ]);
    expect(view!.authorizationHold).toBeNull();
    const mail = await chargedEmail(caseId);
    // The customer is sv-SE: Swedish text, amounts formatted for the locale.
    expect(mail.subject).toBe(`Betalning för order ${view!.orderId}`);
    expect(mail.text).toContain('125,00 kr: price difference for the replacement (draget från ditt kort)');
    expect(mail.text).not.toContain('betala här');
    expect(mail.html).toContain('125,00 kr');
  });

  it('charges the first payment that can be charged (a gift card before the card is skipped)', async () => {
    const { caseId, references } = await seedCharge(5_000, [{ provider: 'gift_card' }, { provider: 'stripe' }]);
    const state = await activities().collectCharge({ caseId, purpose: 'price_difference' });
    expect(state.status).toBe('collected');
    expect(intentsWithKey(chargeKey(caseId, 'price_difference', references[1]!))).toHaveLength(1);
  });

  it('a decline falls back to a Checkout payment link, made once', async () => {
    const { caseId } = await seedCharge(19_900);
    standin.declineNextCharge('card_declined', 'insufficient_funds');
    const before = standin.requestsTo('POST', '/v1/checkout/sessions').length;

    const state = await activities().collectCharge({ caseId, purpose: 'price_difference' });
    expect(state).toMatchObject({ status: 'payment_link', amount: 19_900, currency: 'SEK' });
    expect(state.failureReason).toMatch(
      /^stripe: card_declined \(insufficient_funds\): Your card was declined\. \(pi_/,
    );
    const [session] = sessionsOf(caseId);
    expect(state.providerReference).toBe(session!.id);
    expect(session!.id).toMatch(/^cs_/);
    expect(state.paymentUrl).toBe(`https://checkout.stripe.com/c/pay/${session!.id}`);

    const sent = standin.requestsTo('POST', '/v1/checkout/sessions').slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.idempotencyKey).toBe(idempotencyKey(caseId, 'payment_link:price_difference', 'stripe'));
    expect(sent[0]!.body).toMatchObject({
      mode: 'payment',
      line_items: {
        '0': {
          quantity: '1',
          price_data: {
            currency: 'sek',
            unit_amount: '19900',
            product_data: { name: `price difference for the replacement (return ${caseId})` },
          },
        },
      },
      success_url: `${PUBLIC_URL}/portal?case=${caseId}&payment=succeeded`,
      cancel_url: `${PUBLIC_URL}/portal?case=${caseId}&payment=cancelled`,
      client_reference_id: caseId,
      metadata: { caseId, purpose: 'price_difference' },
      payment_intent_data: { metadata: { caseId, purpose: 'price_difference' } },
    });
    expect(session!.customer_email).toMatch(/@example\.se$/);

    // Asked again (a retried activity): the same link, no new session, no new charge attempt.
    const charges0 = standin.requestsTo('POST', '/v1/payment_intents').length;
    expect(await activities().collectCharge({ caseId, purpose: 'price_difference' })).toEqual(state);
    expect(standin.requestsTo('POST', '/v1/checkout/sessions')).toHaveLength(before + 1);
    expect(standin.requestsTo('POST', '/v1/payment_intents')).toHaveLength(charges0);

    const view = await loadCaseView(database.db, caseId);
    expect(view!.charges[0]).toMatchObject({
      status: 'payment_link',
      paymentUrl: state.paymentUrl,
      providerReference: session!.id,
    });
    const mail = await chargedEmail(caseId);
    expect(mail.subject).toBe(`Betalning att göra för order ${view!.orderId}`);
    expect(mail.text).toContain(`199,00 kr: price difference for the replacement – betala här: ${state.paymentUrl}`);
    expect(mail.text).toContain('Betalningslänken gäller i 24 timmar');
  });

  it('authentication required (3-D Secure) → a payment link too', async () => {
    const { caseId } = await seedCharge(7_000);
    standin.declineNextCharge('authentication_required');
    const state = await activities().collectCharge({ caseId, purpose: 'price_difference' });
    expect(state).toMatchObject({
      status: 'payment_link',
      failureReason: expect.stringMatching(/^stripe: authentication_required/),
    });
    expect(sessionsOf(caseId)).toHaveLength(1);
  });

  it('an order paid otherwise (Klarna) with Stripe configured → a payment link, no charge attempt', async () => {
    const { caseId } = await seedCharge(3_000, [{ provider: 'klarna' }]);
    const posts = standin.requestsTo('POST', '/v1/payment_intents').length;
    const state = await activities().collectCharge({ caseId, purpose: 'price_difference' });
    expect(state).toMatchObject({
      status: 'payment_link',
      failureReason: 'no saved card to charge: payment link sent',
      paymentUrl: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_/),
    });
    expect(standin.requestsTo('POST', '/v1/payment_intents')).toHaveLength(posts);
  });

  it('a lost answer is looked up (findCharge), not charged again', async () => {
    const { caseId, references } = await seedCharge(4_400);
    const key = chargeKey(caseId, 'price_difference', references[0]!);
    // The retrieve of the original payment answers; the charge is made and its answer lost.
    standin.delayNext(0);
    standin.delayNext(TIMEOUT_MS * 3);
    const state = await activities().collectCharge({ caseId, purpose: 'price_difference' });
    expect(state.status).toBe('collected');
    const mine = intentsWithKey(key);
    expect(mine).toHaveLength(1);
    expect(state.providerReference).toBe(mine[0]!.id);
    expect(standin.requestsTo('POST', '/v1/payment_intents').filter((r) => r.idempotencyKey === key)).toHaveLength(1);
  });

  it('a worker that died after the charge: the next attempt looks it up before anything else', async () => {
    const { caseId, references } = await seedCharge(6_600);
    const key = chargeKey(caseId, 'price_difference', references[0]!);
    let chargeCalls = 0;
    let lookups = 0;
    const dying: StripePaymentProvider = {
      ...stripe,
      charge: async (req) => {
        chargeCalls++;
        await stripe.charge(req);
        throw new Error('worker killed right after the charge call');
      },
      findCharge: async (lookup) => {
        lookups++;
        return stripe.findCharge(lookup);
      },
    };
    await expect(activities({ stripe: dying }).collectCharge({ caseId, purpose: 'price_difference' })).rejects.toThrow(
      /worker killed/,
    );
    expect(lookups).toBe(0);
    const state = await activities({ stripe: dying }).collectCharge({ caseId, purpose: 'price_difference' });
    expect(state.status).toBe('collected');
    expect({ chargeCalls, lookups }).toEqual({ chargeCalls: 1, lookups: 1 });
    expect(intentsWithKey(key)).toHaveLength(1);
  });

  it('an unknown outcome that Stripe never saw is thrown (the activity retries with the same key)', async () => {
    const { caseId, references } = await seedCharge(2_200);
    const key = chargeKey(caseId, 'price_difference', references[0]!);
    const lossy: StripePaymentProvider = {
      ...stripe,
      charge: () => Promise.reject(new OutcomeUnknown('connection dropped')),
    };
    await expect(
      activities({ stripe: lossy }).collectCharge({ caseId, purpose: 'price_difference' }),
    ).rejects.toBeInstanceOf(OutcomeUnknown);
    expect(intentsWithKey(key)).toHaveLength(0);
    const state = await activities().collectCharge({ caseId, purpose: 'price_difference' });
    expect(state.status).toBe('collected');
    expect(intentsWithKey(key)).toHaveLength(1);
  });

  it('Stripe unavailable (503) is thrown for the retry; the retry charges once', async () => {
    const { caseId, references } = await seedCharge(1_100);
    standin.failNext(1, 503);
    await expect(activities().collectCharge({ caseId, purpose: 'price_difference' })).rejects.toThrow(/HTTP 503/);
    expect((await activities().collectCharge({ caseId, purpose: 'price_difference' })).status).toBe('collected');
    expect(intentsWithKey(chargeKey(caseId, 'price_difference', references[0]!))).toHaveLength(1);
  });

  it('no Stripe at all → recorded, collected by the shop (no fake link)', async () => {
    const { caseId } = await seedCharge(8_800, [{ provider: 'klarna' }]);
    const state = await activities({}).collectCharge({ caseId, purpose: 'price_difference' });
    expect(state).toEqual({
      status: 'recorded',
      amount: 8_800,
      currency: 'SEK',
      providerReference: null,
      paymentUrl: null,
      reason: 'price difference for the replacement',
      failureReason: COLLECTED_BY_SHOP,
    });
    expect(await activities({}).collectCharge({ caseId, purpose: 'price_difference' })).toEqual(state);
    const view = await loadCaseView(database.db, caseId);
    expect(view!.charges[0]).toMatchObject({ status: 'recorded', paymentUrl: null, providerReference: null });
    const mail = await chargedEmail(caseId);
    expect(mail.text).toContain('88,00 kr: price difference for the replacement');
    expect(mail.text).not.toMatch(/betala här|draget från ditt kort|Betalningslänken/);
  });

  it('a charge that was never recorded is an error', async () => {
    const { caseId } = await seedCase();
    await expect(activities().collectCharge({ caseId, purpose: 'price_difference' })).rejects.toThrow(
      /no price_difference charge recorded/,
    );
  });
});

describe('authorization holds', () => {
  const holdOn = async (amount = 29_900) => {
    const seeded = await seedCase();
    const state = await activities().holdReplacementValue({ caseId: seeded.caseId, amount });
    return { ...seeded, state, key: holdKey(seeded.caseId, seeded.references[0]!) };
  };

  it('holds the replacement value on the card once (manual capture), then releases it when the return arrives', async () => {
    const { caseId, state, key, references } = await holdOn(29_900);
    expect(key).toBe(idempotencyKey(caseId, 'hold', references[0]!));
    const [pi] = intentsWithKey(key);
    expect(state).toEqual({ status: 'held', amount: 29_900, currency: 'SEK', providerReference: pi!.id, reason: null });
    expect(pi).toMatchObject({
      status: 'requires_capture',
      capture_method: 'manual',
      amount_capturable: 29_900,
      off_session: true,
    });
    const posts = standin.requestsTo('POST', '/v1/payment_intents').length;
    expect(await activities().holdReplacementValue({ caseId, amount: 29_900 })).toEqual(state);
    expect(standin.requestsTo('POST', '/v1/payment_intents')).toHaveLength(posts);
    expect((await loadCaseView(database.db, caseId))!.authorizationHold).toEqual({
      amount: 29_900,
      currency: 'SEK',
      status: 'held',
    });

    const released = await activities().releaseHold({ caseId });
    expect(released).toMatchObject({ status: 'released', providerReference: pi!.id });
    expect(standin.paymentIntents.get(pi!.id)!.status).toBe('canceled');
    const cancels = standin.requestsTo('POST', `/v1/payment_intents/${pi!.id}/cancel`).length;
    expect(cancels).toBe(1);
    expect(await activities().releaseHold({ caseId })).toEqual(released);
    expect(await activities().captureHold({ caseId })).toEqual(released); // released stays released: the caller charges otherwise
    expect(standin.requestsTo('POST', `/v1/payment_intents/${pi!.id}/cancel`)).toHaveLength(1);
    expect(standin.requestsTo('POST', `/v1/payment_intents/${pi!.id}/capture`)).toHaveLength(0);
    const [row] = await database.db.select().from(authorizationHolds).where(eq(authorizationHolds.caseId, caseId));
    expect(row).toMatchObject({ status: 'released', provider: 'stripe', amount: 29_900 });
    expect(row!.settledAt).toBeInstanceOf(Date);
    expect((await loadCaseView(database.db, caseId))!.authorizationHold).toEqual({
      amount: 29_900,
      currency: 'SEK',
      status: 'released',
    });
  });

  it('captures the hold when the return never arrives, once', async () => {
    const { caseId, state } = await holdOn(15_000);
    const captured = await activities().captureHold({ caseId });
    expect(captured).toEqual({
      status: 'captured',
      amount: 15_000,
      currency: 'SEK',
      providerReference: state.providerReference,
      reason: null,
    });
    expect(standin.paymentIntents.get(state.providerReference!)).toMatchObject({
      status: 'succeeded',
      amount_received: 15_000,
    });
    const capture = standin.requestsTo('POST', `/v1/payment_intents/${state.providerReference}/capture`);
    expect(capture).toHaveLength(1);
    expect(capture[0]!.idempotencyKey).toBe(idempotencyKey(caseId, 'hold:capture', state.providerReference!));
    expect(await activities().captureHold({ caseId })).toEqual(captured);
    expect(await activities().releaseHold({ caseId })).toEqual(captured);
    expect(standin.requestsTo('POST', `/v1/payment_intents/${state.providerReference}/capture`)).toHaveLength(1);
  });

  it('a capture that fails (the authorization lapsed) → failed with the reason; the charge is then collected otherwise', async () => {
    const { caseId, state, references } = await holdOn(15_000);
    standin.lapseAuthorization(state.providerReference!);
    const failed = await activities().captureHold({ caseId });
    expect(failed).toMatchObject({
      status: 'failed',
      providerReference: state.providerReference,
      reason: expect.stringMatching(/^capture: payment_intent_unexpected_state: .*status of canceled/),
    });
    expect(await activities().captureHold({ caseId })).toEqual(failed);
    expect((await loadCaseView(database.db, caseId))!.authorizationHold).toMatchObject({ status: 'failed' });

    // The caller's fallback: record the charge and collect it off-session.
    await activities().recordCharge({
      caseId,
      purpose: 'unreturned_replacement',
      amount: 15_000,
      currency: 'SEK',
      reason: 'replacement not returned',
    });
    const charged = await activities().collectCharge({ caseId, purpose: 'unreturned_replacement' });
    expect(charged.status).toBe('collected');
    expect(intentsWithKey(chargeKey(caseId, 'unreturned_replacement', references[0]!))).toHaveLength(1);
  });

  it('a declined hold → failed, kept; asked again it is not retried', async () => {
    const { caseId } = await seedCase();
    standin.declineNextCharge('card_declined', 'do_not_honor');
    const state = await activities().holdReplacementValue({ caseId, amount: 10_000 });
    expect(state).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^card_declined \(do_not_honor\)/) });
    const posts = standin.requestsTo('POST', '/v1/payment_intents').length;
    expect(await activities().holdReplacementValue({ caseId, amount: 10_000 })).toEqual(state);
    expect(standin.requestsTo('POST', '/v1/payment_intents')).toHaveLength(posts);
    expect(await activities().captureHold({ caseId })).toEqual(state);
  });

  it('a hold whose answer was lost is looked up (findHold), not made twice', async () => {
    const { caseId, references } = await seedCase();
    const key = holdKey(caseId, references[0]!);
    standin.delayNext(0);
    standin.delayNext(TIMEOUT_MS * 3);
    const state = await activities().holdReplacementValue({ caseId, amount: 9_000 });
    expect(state.status).toBe('held');
    expect(intentsWithKey(key)).toHaveLength(1);
    expect(state.providerReference).toBe(intentsWithKey(key)[0]!.id);
  });

  it('a worker that died mid-hold: the next attempt looks it up first', async () => {
    const { caseId, references } = await seedCase();
    const key = holdKey(caseId, references[0]!);
    let holds = 0;
    const dying: StripePaymentProvider = {
      ...stripe,
      holdAuthorization: async (req) => {
        holds++;
        await stripe.holdAuthorization(req);
        throw new Error('worker killed right after the hold call');
      },
    };
    await expect(activities({ stripe: dying }).holdReplacementValue({ caseId, amount: 9_500 })).rejects.toThrow(
      /worker killed/,
    );
    expect((await loadCaseView(database.db, caseId))!.authorizationHold).toEqual({
      amount: 9_500,
      currency: 'SEK',
      status: 'pending',
    });
    const state = await activities({ stripe: dying }).holdReplacementValue({ caseId, amount: 9_500 });
    expect(state).toMatchObject({ status: 'held', amount: 9_500 });
    expect(holds).toBe(1);
    expect(intentsWithKey(key)).toHaveLength(1);
  });

  it('no Stripe payment (or no Stripe here) → not held, no row; release and capture answer not_held', async () => {
    const klarna = await seedCase([{ provider: 'klarna' }]);
    expect(await activities().holdReplacementValue({ caseId: klarna.caseId, amount: 5_000 })).toEqual({
      status: 'not_held',
      amount: 5_000,
      currency: 'SEK',
      providerReference: null,
      reason: 'no card payment that can hold money (order paid by klarna)',
    });
    const card = await seedCase();
    expect(await activities({}).holdReplacementValue({ caseId: card.caseId, amount: 5_000 })).toMatchObject({
      status: 'not_held',
      reason: 'stripe is not configured here: no authorization hold',
    });
    for (const caseId of [klarna.caseId, card.caseId]) {
      expect(await database.db.select().from(authorizationHolds).where(eq(authorizationHolds.caseId, caseId))).toEqual(
        [],
      );
      expect(await activities().releaseHold({ caseId })).toMatchObject({ status: 'not_held' });
      expect(await activities().captureHold({ caseId })).toMatchObject({ status: 'not_held' });
      expect((await loadCaseView(database.db, caseId))!.authorizationHold).toBeNull();
    }
  });
});
