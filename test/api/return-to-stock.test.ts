import { readdirSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditNotes, outboundEmails, stockMovements } from '../../db/schema.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import {
  expectProblem,
  getCase,
  inspectCase,
  inspectionLine,
  inspectionRequest,
  policyRequest,
  returnRequest,
  startReturn,
  withLabel,
} from '../support/requests.js';
import { seedOrder, startStack, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** `POST /v1/returns` of `quantity` units of L1, the answer as is (some are refused). */
const postReturn = (orderId: string, quantity = 1, headers?: Record<string, string>) =>
  stack.call('POST', '/v1/returns', returnRequest({ orderId, quantity }), { headers });
/** The same, asserting 201: the case with its label. */
const start = async (orderId: string, quantity = 1) =>
  withLabel(await startReturn(stack, returnRequest({ orderId, quantity })));

describe('return to stock, end to end through the HTTP API', () => {
  it('issues a label, receives, inspects, restocks, credits and completes', async () => {
    const { sku, orderId, customerId } = await seedOrder(stack, { quantity: 2, unitPrice: 79_900, stock: 5 });
    const c = await start(orderId, 2);
    expect(c).toMatchObject({
      orderId,
      customerId,
      method: 'return_to_stock',
      channel: 'customer_service',
      status: 'awaiting_parcel',
      waitingFor: 'parcel',
      stuck: false,
    });
    expect(c.label.trackingNumber).toMatch(/^LR\d{12}$/);
    expect(new Date(c.deadline!).getTime() - new Date(c.waitingSince!).getTime()).toBe(30 * 86_400_000);

    const scanned = await stack.call('POST', '/v1/scans', {
      barcode: `  ${c.label.trackingNumber.toLowerCase()} `,
      location: 'dock-2',
    });
    expect(scanned.status).toBe(200);
    expect(scanned.body).toMatchObject({ status: 'received', waitingFor: 'inspection' });
    // A second scan of the same parcel changes nothing.
    const again = await stack.call('POST', '/v1/scans', { trackingNumber: c.label.trackingNumber });
    expect(again.status).toBe(200);
    expect(again.body.waitingSince).toBe(scanned.body.waitingSince);

    const inspected = await inspectCase(stack, c.id, {
      ...inspectionRequest({ condition: 'damaged' }),
      note: 'small stain',
    });
    expect(inspected.lines[0]).toMatchObject({ condition: 'damaged', disposition: 'restock' });

    const done = await waitForCase(stack, c.id, (v) => v.status === 'completed');
    // Paid 2 × 799.00 = 1598.00; damaged → 20 % restocking fee (319.60) → credit 1278.40, VAT 25 % inside.
    expect(done.creditNotes).toEqual([
      { number: expect.stringMatching(/^CN-\d{6}$/), amount: 127_840, currency: 'NOK' },
    ]);
    expect(done.waitingFor).toBeNull();
    const types = done.timeline.map((e: { type: string }) => e.type);
    for (const t of [
      'case.started',
      'label.issued',
      'parcel.received',
      'inspected',
      'stock.moved',
      'credit_note.issued',
      'completed',
      'email.sent',
    ]) {
      expect(types).toContain(t);
    }

    const note = await stack.call('GET', `/v1/credit-notes/${done.creditNotes[0]!.number}`);
    expect(note.status).toBe(200);
    expect(note.body).toMatchObject({
      caseId: c.id,
      orderId,
      customerId,
      amount: 127_840,
      currency: 'NOK',
      vat: 25_568,
    });
    expect(note.body.lines[0]).toMatchObject({ paid: 159_800, restockingFee: 31_960, amount: 127_840 });

    const product = await stack.call('GET', `/v1/products/${sku}`);
    expect(product.body.stock).toBe(7);
    const order = await stack.call('GET', `/v1/orders/${orderId}`);
    expect(order.body.lines[0].returnedQuantity).toBe(2);

    const moves = await stack.db.select().from(stockMovements).where(eq(stockMovements.caseId, c.id));
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({ sku, quantity: 2, location: 'sellable', value: 159_800 });
    const mails = await stack.db.select().from(outboundEmails).where(eq(outboundEmails.caseId, c.id));
    expect(mails.map((m) => m.kind).sort()).toEqual(['credit_issued', 'inspected', 'label', 'received']);
    expect(mails.every((m) => m.status === 'sent' && m.recipient === `${customerId}@example.no`)).toBe(true);
    expect(readdirSync(stack.mailDir).filter((f) => f.startsWith(c.id))).toHaveLength(4);

    // A late repeated scan of a settled parcel changes nothing.
    const lateScan = await stack.call('POST', '/v1/scans', { trackingNumber: c.label.trackingNumber });
    expect(lateScan.status).toBe(200);
    expect(lateScan.body.status).toBe('completed');
    expect(lateScan.body.timeline.filter((e: { type: string }) => e.type === 'parcel.received')).toHaveLength(1);

    // After settlement the case can no longer be cancelled or inspected again.
    expect((await stack.call('POST', `/v1/returns/${c.id}/cancel`, { reason: 'changed mind' })).status).toBe(409);
    const reinspect = await stack.call('POST', `/v1/returns/${c.id}/inspection`, inspectionRequest());
    expect(reinspect.status).toBe(409);
    expect(reinspect.headers.get('content-type')).toContain('application/problem+json');
  });

  it('scrap and refurbish move goods without raising sellable stock', async () => {
    const { sku, orderId } = await seedOrder(stack, { quantity: 1, stock: 3 });
    const c = await start(orderId);
    await stack.call('POST', '/v1/scans', { trackingNumber: c.label.trackingNumber });
    await inspectCase(stack, c.id, inspectionRequest({ condition: 'defective', disposition: 'scrap' }));
    const done = await waitForCase(stack, c.id, (v) => v.status === 'completed');
    expect(done.creditNotes[0]?.amount).toBe(79_900); // defective: no fee
    expect((await stack.call('GET', `/v1/products/${sku}`)).body.stock).toBe(3);
    const moves = await stack.db.select().from(stockMovements).where(eq(stockMovements.caseId, c.id));
    expect(moves.map((m) => m.location)).toEqual(['scrap']);
  });

  it('cancels before settlement and frees the quantity', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1 });
    const c = await start(orderId);
    expect((await postReturn(orderId)).status).toBe(422); // the only unit is claimed
    const cancelled = await stack.call('POST', `/v1/returns/${c.id}/cancel`, { reason: 'customer kept it' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', waitingFor: null });
    expect(
      cancelled.body.timeline.at(-1)?.type === 'cancelled' ||
        cancelled.body.timeline.some((e: any) => e.type === 'cancelled'),
    ).toBe(true);
    expect((await stack.call('POST', `/v1/returns/${c.id}/cancel`, { reason: 'again' })).status).toBe(409);
    // An inspection of a cancelled case is a conflict, a scan changes nothing.
    expect((await stack.call('POST', `/v1/returns/${c.id}/inspection`, inspectionRequest())).status).toBe(409);
    expect((await postReturn(orderId)).status).toBe(201);
    const notes = await stack.db
      .select()
      .from(creditNotes)
      .where(and(eq(creditNotes.caseId, c.id)));
    expect(notes).toHaveLength(0);
  });

  it('replays an Idempotency-Key: same body → same case, other body → 409', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 2 });
    const key = `idem-${orderId}`;
    const first = await postReturn(orderId, 1, { 'Idempotency-Key': key });
    const second = await postReturn(orderId, 1, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    const list = await stack.call('GET', `/v1/returns?orderId=${orderId}`);
    expect(list.body.items).toHaveLength(1);
    const other = await postReturn(orderId, 2, { 'Idempotency-Key': key });
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
  });

  it('lists cases with filters and a cursor', async () => {
    const { orderId, customerId } = await seedOrder(stack, { quantity: 3 });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await start(orderId)).id);
    const page1 = await stack.call('GET', `/v1/returns?customerId=${customerId}&limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.items[0].timeline).toBeUndefined();
    const page2 = await stack.call(
      'GET',
      `/v1/returns?customerId=${customerId}&limit=2&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    expect([...page1.body.items, ...page2.body.items].map((c: { id: string }) => c.id).sort()).toEqual(ids.sort());
    const byStatus = await stack.call('GET', `/v1/returns?customerId=${customerId}&status=awaiting_parcel`);
    expect(byStatus.body.items).toHaveLength(3);
    expect((await stack.call('GET', `/v1/returns?customerId=${customerId}&stuck=true`)).body.items).toHaveLength(0);
  });

  it('takes the goods back in several parcels, each with its own label, all traced', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 2 });
    const c = await start(orderId, 2);
    expect(c.parcels).toEqual([
      expect.objectContaining({ parcelNo: 1, trackingNumber: c.label.trackingNumber, receivedAt: null }),
    ]);
    const added = await stack.call('POST', `/v1/returns/${c.id}/parcels`);
    expect(added.status).toBe(201);
    expect(added.body.parcels).toHaveLength(2);
    const second = added.body.parcels[1];
    expect(second).toMatchObject({ parcelNo: 2, carrier: 'local', receivedAt: null });
    expect(second.trackingNumber).not.toBe(c.label.trackingNumber);
    expect(second.url).toContain('parcel=2');

    // The second box arrives first: the case is received; the first box is recorded when it comes.
    expect((await stack.call('POST', '/v1/scans', { trackingNumber: second.trackingNumber })).body.status).toBe(
      'received',
    );
    const both = await stack.call('POST', '/v1/scans', { trackingNumber: c.label.trackingNumber });
    expect(both.status).toBe(200);
    expect(both.body.parcels.every((p: { receivedAt: string | null }) => p.receivedAt !== null)).toBe(true);
    expect(both.body.timeline.filter((e: { type: string }) => e.type === 'label.issued')).toHaveLength(2);

    // No more labels once the goods are in.
    expect((await stack.call('POST', `/v1/returns/${c.id}/parcels`)).status).toBe(409);
    await inspectCase(stack, c.id);
    const done = await waitForCase(stack, c.id, (v) => v.status === 'completed');
    expect(done.creditNotes[0]?.amount).toBe(2 * 79_900);
    expect((await stack.call('POST', '/v1/scans', { trackingNumber: 'LR000000000000' })).status).toBe(404);
  });
});

describe('requests a running case answers', () => {
  it('a JSON body with a charset in its content type is accepted → 201', async () => {
    const { orderId } = await seedOrder(stack);
    const ok = await stack.call('POST', '/v1/returns', JSON.stringify(returnRequest({ orderId })), {
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it('a stored market policy is returned and a case for a customer of that country snapshots it', async () => {
    const policy = policyRequest({
      returnWindow: 'P21D',
      parcelDeadline: 'P14D',
      restockingFeePercent: { opened: 5, damaged: 15.5 },
      nonReturnableCategories: ['gift-cards'],
    });
    const put = await stack.call('PUT', '/v1/policies/PL', policy);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toEqual({ market: 'PL', ...policy });
    const got = await stack.call('GET', '/v1/policies/PL');
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ market: 'PL', ...policy });
    // Another country still falls back to the defaults.
    expect((await stack.call('GET', '/v1/policies/LT')).body).toMatchObject({
      market: 'default',
      returnWindow: 'P30D',
    });

    const { orderId } = await seedOrder(stack, { country: 'PL' });
    const started = await startReturn(stack, returnRequest({ orderId }));
    expect(started.policy).toMatchObject({
      market: 'PL',
      returnWindow: 'P21D',
      parcelDeadline: 'P14D',
      restockingFeePercent: { opened: 5, damaged: 15.5 },
    });
    // The parcel deadline comes from that policy.
    expect(started.waitingFor).toBe('parcel');
    expect(new Date(started.deadline!).getTime() - new Date(started.waitingSince!).getTime()).toBe(14 * 86_400_000);

    // Its window applies: 25 days after delivery is too late in PL, fine in DK.
    const latePl = await seedOrder(stack, { country: 'PL', deliveredDaysAgo: 25 });
    expectProblem(await stack.call('POST', '/v1/returns', returnRequest({ orderId: latePl.orderId })), 422, 'orderId');
    const lateDk = await seedOrder(stack, { country: 'DK', deliveredDaysAgo: 25 });
    const dk = await startReturn(stack, returnRequest({ orderId: lateDk.orderId }));
    expect(dk.policy).toMatchObject({ market: 'default', returnWindow: 'P30D' });

    // A later policy change does not touch a running case.
    expect((await stack.call('PUT', '/v1/policies/PL', policyRequest({ returnWindow: 'P10D' }))).status).toBe(200);
    expect((await getCase(stack, started.id)).policy).toMatchObject({ market: 'PL', returnWindow: 'P21D' });
    expect((await stack.call('GET', '/v1/policies/PL')).body.returnWindow).toBe('P10D');
    // The built-in defaults are still what `default` answers.
    expect((await stack.call('GET', '/v1/policies/default')).body).toEqual(DEFAULT_POLICY);
  });

  describe('POST /v1/returns/:id/inspection while the case waits for its parcel', () => {
    let caseId: string;
    beforeAll(async () => {
      const { orderId } = await seedOrder(stack, { quantity: 2 });
      caseId = (await startReturn(stack, returnRequest({ orderId }))).id;
    });

    it('a condition outside the enum → 422 naming it', async () => {
      const res = await stack.call('POST', `/v1/returns/${caseId}/inspection`, {
        lines: [{ ...inspectionLine(), condition: 'like_new' }],
      });
      expectProblem(res, 422, 'lines[0].condition');
    });

    it('a line the case lacks → 422 naming it', async () => {
      const res = await stack.call(
        'POST',
        `/v1/returns/${caseId}/inspection`,
        inspectionRequest({}, { orderLineId: 'L9' }),
      );
      expectProblem(res, 422, 'lines[1].orderLineId');
    });

    it('→ 409, and the case does not move', async () => {
      expectProblem(await stack.call('POST', `/v1/returns/${caseId}/inspection`, inspectionRequest()), 409);
      const view = await getCase(stack, caseId);
      expect(view).toMatchObject({ status: 'awaiting_parcel', waitingFor: 'parcel' });
      expect(view.lines[0]?.condition).toBeNull();
    });
  });
});
