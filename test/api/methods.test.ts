/** Credit only, exchange (ship immediately / after receipt) and exchange without return, end to end through the API. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { charges, outboundEmails, stockMovements } from '../../db/schema.js';
import {
  eventOf,
  inspectCase,
  returnRequest,
  scanParcel,
  trackingNumberOf,
  type ReturnRequest,
} from '../support/requests.js';
import { seedOrder, startStack, uid, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function product(price: number, stock: number) {
  const sku = uid('NEW');
  const res = await stack.call('PUT', `/v1/products/${sku}`, {
    name: 'Replacement',
    category: 'apparel',
    price,
    currency: 'NOK',
    stock,
    returnable: true,
  });
  expect(res.status).toBe(200);
  return sku;
}

/** `POST /v1/returns` of one line L1 (one unit unless `quantity`), the answer as is: these tests look at refusals too. */
const start = (
  body: Partial<Omit<ReturnRequest, 'lines'>> & {
    orderId: string;
    method: ReturnRequest['method'];
    quantity?: number;
    reason?: string;
  },
) => stack.call('POST', '/v1/returns', returnRequest({ reason: 'size', ...body }));

const mailKinds = async (caseId: string) =>
  (await stack.db.select().from(outboundEmails).where(eq(outboundEmails.caseId, caseId))).map((m) => m.kind).sort();

async function receiveAndInspect(c: Parameters<typeof trackingNumberOf>[0]) {
  expect((await scanParcel(stack, trackingNumberOf(c))).status).toBe('received');
  await inspectCase(stack, c.id);
}

describe('credit only', () => {
  it('credits the paid value by default, moves no goods and claims no quantity', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 2, unitPrice: 50_000 });
    const res = await start({ orderId, method: 'credit_only', quantity: 2, reason: 'late delivery' });
    expect(res.status).toBe(201);
    const done = await waitForCase(stack, res.body.id, (v) => v.status === 'completed');
    expect(done.label).toBeNull();
    expect(done.creditNotes.map((n: { amount: number }) => n.amount)).toEqual([100_000]);
    expect(await stack.db.select().from(stockMovements).where(eq(stockMovements.caseId, done.id))).toHaveLength(0);
    expect(await mailKinds(done.id)).toEqual(['credit_issued']);
    expect((await stack.call('GET', `/v1/orders/${orderId}`)).body.lines[0].returnedQuantity).toBe(0);
    // Everything paid is credited: nothing more can be.
    const more = await start({ orderId, method: 'credit_only', creditAmount: 1 });
    expect(more.status).toBe(422);
    expect(more.body.errors.map((e: { field: string }) => e.field)).toContain('creditAmount');
  });

  it('takes an agreed partial amount and refuses more than was paid', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1, unitPrice: 40_000, vatRate: 25 });
    const tooMuch = await start({ orderId, method: 'credit_only', creditAmount: 40_001 });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.errors[0].field).toBe('creditAmount');
    const res = await start({ orderId, method: 'credit_only', creditAmount: 12_500, note: 'wrong price' });
    const done = await waitForCase(stack, res.body.id, (v) => v.status === 'completed');
    const note = await stack.call('GET', `/v1/credit-notes/${done.creditNotes[0]!.number}`);
    expect(note.body).toMatchObject({ amount: 12_500, vat: 2_500, orderId });
    const rest = await start({ orderId, method: 'credit_only', creditAmount: 27_501 });
    expect(rest.status).toBe(422);
    expect((await start({ orderId, method: 'credit_only', creditAmount: 27_500 })).status).toBe(201);
  });

  it('refuses creditAmount and replacements on methods they do not belong to', async () => {
    const { orderId } = await seedOrder(stack);
    expect((await start({ orderId, method: 'return_to_stock', creditAmount: 100 })).body.errors[0].field).toBe(
      'creditAmount',
    );
    expect((await start({ orderId, method: 'exchange' })).body.errors[0].field).toBe('replacements');
    expect(
      (await start({ orderId, method: 'exchange', replacements: [{ sku: 'NOPE', quantity: 1 }] })).body.errors[0].field,
    ).toBe('replacements[0].sku');
  });
});

describe('exchange', () => {
  it('after receipt: ships once inspected, restocks the return and charges a higher price', async () => {
    const { orderId, sku } = await seedOrder(stack, { quantity: 1, unitPrice: 79_900, stock: 0 });
    const newSku = await product(89_900, 3);
    const res = await start({
      orderId,
      method: 'exchange',
      replacements: [{ sku: newSku, quantity: 1 }],
      shipReplacement: 'after_receipt',
    });
    expect(res.status).toBe(201);
    const c = res.body;
    expect(c).toMatchObject({ status: 'awaiting_parcel', priceDifference: { amount: 10_000, currency: 'NOK' } });
    expect(c.shipments).toEqual([]);
    await receiveAndInspect(c);
    const done = await waitForCase(stack, c.id, (v) => v.status === 'completed');
    expect(done.shipments).toEqual([
      expect.objectContaining({
        sku: newSku,
        quantity: 1,
        status: 'shipped',
        trackingNumber: expect.stringMatching(/^LS\d{12}$/),
      }),
    ]);
    expect(done.charges).toEqual([expect.objectContaining({ amount: 10_000, purpose: 'price_difference' })]);
    expect(done.creditNotes).toEqual([]);
    expect((await stack.call('GET', `/v1/products/${newSku}`)).body.stock).toBe(2);
    expect((await stack.call('GET', `/v1/products/${sku}`)).body.stock).toBe(1);
    expect(await mailKinds(c.id)).toEqual(['charged', 'inspected', 'label', 'received', 'replacement_shipped']);
  });

  it('immediately: ships before the parcel arrives and credits a lower price', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1, unitPrice: 79_900 });
    const newSku = await product(59_900, 1);
    const res = await start({
      orderId,
      method: 'exchange',
      replacements: [{ sku: newSku, quantity: 1 }],
      shipReplacement: 'immediately',
    });
    expect(res.status).toBe(201);
    const waiting = await waitForCase(
      stack,
      res.body.id,
      (v) => v.status === 'awaiting_parcel' && v.shipments.length === 1,
    );
    expect(waiting.priceDifference?.amount).toBe(-20_000);
    await receiveAndInspect(waiting);
    const done = await waitForCase(stack, waiting.id, (v) => v.status === 'completed');
    expect(done.creditNotes.map((n: { amount: number }) => n.amount)).toEqual([20_000]);
    expect(done.charges).toEqual([]);
    expect((await stack.call('GET', `/v1/products/${newSku}`)).body.stock).toBe(0);
  });
});

describe('exchange without return', () => {
  it('under the limit: ships and completes with no label', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1, unitPrice: 29_900 });
    const newSku = await product(29_900, 2);
    const res = await start({
      orderId,
      method: 'exchange_without_return',
      replacements: [{ sku: newSku, quantity: 1 }],
    });
    const done = await waitForCase(stack, res.body.id, (v) => v.status === 'completed');
    expect(done.label).toBeNull();
    expect(done.shipments).toHaveLength(1);
    expect(done.charges).toEqual([]);
    expect(done.creditNotes).toEqual([]);
    expect((await stack.call('GET', `/v1/orders/${orderId}`)).body.lines[0].returnedQuantity).toBe(1);
  });

  it('above the limit: waits for a manager, then ships when approved', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1, unitPrice: 79_900 });
    const newSku = await product(79_900, 2);
    const res = await start({
      orderId,
      method: 'exchange_without_return',
      replacements: [{ sku: newSku, quantity: 1 }],
    });
    expect(res.body).toMatchObject({ status: 'awaiting_approval', waitingFor: 'approval', stuck: false });
    expect(res.body.deadline).not.toBeNull();
    const manager = await stack.call('POST', '/v1/api-keys', { name: 'Mona', role: 'manager' });
    const agent = await stack.call('POST', '/v1/api-keys', { name: 'Agent', role: 'customer_service' });
    expect(
      (await stack.call('POST', `/v1/returns/${res.body.id}/approval`, { approved: true }, { key: agent.body.key }))
        .status,
    ).toBe(403);
    expect(
      (await stack.call('POST', `/v1/returns/${res.body.id}/approval`, { approved: 'yes' }, { key: manager.body.key }))
        .status,
    ).toBe(422);
    const approved = await stack.call(
      'POST',
      `/v1/returns/${res.body.id}/approval`,
      { approved: true, note: 'loyal customer' },
      { key: manager.body.key },
    );
    expect(approved.status).toBe(200);
    expect(approved.body.waitingFor).toBeNull();
    const done = await waitForCase(stack, res.body.id, (v) => v.status === 'completed');
    expect(eventOf(done, 'approved').detail.by).toBe('Mona');
    expect(done.shipments).toHaveLength(1);
    expect((await stack.call('POST', `/v1/returns/${res.body.id}/approval`, { approved: true })).status).toBe(409);
  });

  it('above the limit and rejected: ends rejected and frees the quantity', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1, unitPrice: 79_900 });
    const newSku = await product(79_900, 2);
    const res = await start({
      orderId,
      method: 'exchange_without_return',
      replacements: [{ sku: newSku, quantity: 1 }],
    });
    const rejected = await stack.call('POST', `/v1/returns/${res.body.id}/approval`, {
      approved: false,
      note: 'too expensive',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    expect(rejected.body.shipments).toEqual([]);
    await waitForCase(stack, res.body.id, (v) => v.timeline.some((e: { type: string }) => e.type === 'email.sent'));
    expect(await mailKinds(res.body.id)).toEqual(['rejected']);
    expect((await stack.call('GET', `/v1/products/${newSku}`)).body.stock).toBe(2);
    expect((await stack.call('GET', `/v1/orders/${orderId}`)).body.lines[0].returnedQuantity).toBe(0);
  });

  it('a replacement out of stock makes the case wait, stuck, and says why', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1, unitPrice: 19_900 });
    const newSku = await product(19_900, 0);
    const res = await start({
      orderId,
      method: 'exchange_without_return',
      replacements: [{ sku: newSku, quantity: 1 }],
    });
    const waiting = await waitForCase(stack, res.body.id, (v) =>
      v.timeline?.some((e: { type: string }) => e.type === 'replacement.out_of_stock'),
    );
    expect(waiting.status).not.toBe('completed');
    expect(waiting.shipments).toEqual([]);
    expect(
      waiting.stuckReason ?? (waiting.timeline.at(-1)?.detail as { reason?: string } | undefined)?.reason,
    ).toContain(newSku);
  });
});

describe('over-returning under concurrency', () => {
  it('lets exactly the bought quantity through when many requests race', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 3 });
    const results = await Promise.all(Array.from({ length: 8 }, () => start({ orderId, method: 'return_to_stock' })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 422)).toHaveLength(5);
    expect((await stack.call('GET', `/v1/orders/${orderId}`)).body.lines[0].returnedQuantity).toBe(3);
    expect(await stack.db.select().from(charges).where(eq(charges.orderId, orderId))).toHaveLength(0);
  });
});
