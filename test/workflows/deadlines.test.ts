/**
 * Every wait has a deadline: the time-skipping test server runs 30-day policies in moments of test
 * time, with the real worker, activities and database.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundEmails } from '../../db/schema.js';
import { caseWorkflowId } from '../../workflows/messages.js';
import { seedOrder, startStack, uid, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

const mailKinds = async (caseId: string) =>
  (await stack.db.select().from(outboundEmails).where(eq(outboundEmails.caseId, caseId))).map((m) => m.kind).sort();

async function startCase(country: string) {
  const { orderId } = await seedOrder(stack, { quantity: 1, country });
  const res = await stack.call('POST', '/v1/returns', {
    orderId,
    method: 'return_to_stock',
    channel: 'portal',
    lines: [{ orderLineId: 'L1', quantity: 1, reason: 'wrong colour' }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('deadlines (time-skipping)', () => {
  it('reminds after labelReminderAfter and expires after parcelDeadline', async () => {
    const c = await startCase('SE'); // default policy: reminder P7D, parcel deadline P30D
    expect(c.policy).toMatchObject({ labelReminderAfter: 'P7D', parcelDeadline: 'P30D' });
    await stack.env.sleep('8 days');
    expect(await mailKinds(c.id)).toEqual(['label', 'label_reminder']);
    const result = await stack.env.client.workflow.getHandle(caseWorkflowId(c.id)).result();
    expect(result).toBe('expired');
    const view = (await stack.call('GET', `/v1/returns/${c.id}`)).body;
    expect(view).toMatchObject({ status: 'expired', waitingFor: null });
    expect(view.closedAt).not.toBeNull();
    expect(await mailKinds(c.id)).toEqual(['expired', 'label', 'label_reminder']);
    // An expired case gives its quantity back.
    expect((await stack.call('GET', `/v1/orders/${c.orderId}`)).body.lines[0].returnedQuantity).toBe(0);
  });

  it('marks a missed inspection deadline as stuck, keeps waiting, then completes and follows up', async () => {
    const policy = {
      returnWindow: 'P30D',
      labelReminderAfter: 'P7D',
      parcelDeadline: 'P30D',
      inspectionDeadline: 'PT48H',
      followUpAfter: 'P3D',
      restockingFeePercent: { opened: 10, damaged: 20 },
      exchangeWithoutReturnMaxValue: 50_000,
      nonReturnableCategories: [],
    };
    expect((await stack.call('PUT', '/v1/policies/EE', policy)).status).toBe(200);
    const c = await startCase('EE');
    await stack.call('POST', '/v1/scans', { trackingNumber: c.label.trackingNumber });
    await stack.env.sleep('49 hours');
    const stuck = (await stack.call('GET', `/v1/returns/${c.id}`)).body;
    expect(stuck).toMatchObject({ status: 'received', waitingFor: 'inspection', stuck: true });
    expect(stuck.stuckReason).toContain('PT48H');
    const listed = await stack.call('GET', `/v1/returns?stuck=true&customerId=${c.customerId}`);
    expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([c.id]);

    const inspected = await stack.call('POST', `/v1/returns/${c.id}/inspection`, {
      lines: [{ orderLineId: 'L1', condition: 'opened', disposition: 'restock' }],
    });
    expect(inspected.status).toBe(200);
    expect(inspected.body.stuck).toBe(false);
    const result = await stack.env.client.workflow.getHandle(caseWorkflowId(c.id)).result();
    expect(result).toBe('completed');
    const view = (await stack.call('GET', `/v1/returns/${c.id}`)).body;
    expect(view.status).toBe('completed');
    expect(view.creditNotes[0].amount).toBe(79_900 - 7_990); // opened: 10 % fee under the EE policy
    expect(await mailKinds(c.id)).toEqual(['credit_issued', 'follow_up', 'inspected', 'label', 'received']);
  });

  it('charges for an immediately shipped replacement when the return never arrives', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1, unitPrice: 59_900, country: 'SE' });
    const sku = uid('NEW');
    await stack.call('PUT', `/v1/products/${sku}`, {
      name: 'Replacement',
      category: 'apparel',
      price: 64_900,
      currency: 'NOK',
      stock: 1,
      returnable: true,
    });
    const res = await stack.call('POST', '/v1/returns', {
      orderId,
      method: 'exchange',
      channel: 'customer_service',
      shipReplacement: 'immediately',
      replacements: [{ sku, quantity: 1 }],
      lines: [{ orderLineId: 'L1', quantity: 1, reason: 'wrong size' }],
    });
    expect(res.status).toBe(201);
    expect(await stack.env.client.workflow.getHandle(caseWorkflowId(res.body.id)).result()).toBe('expired');
    const view = (await stack.call('GET', `/v1/returns/${res.body.id}`)).body;
    expect(view.status).toBe('expired');
    expect(view.shipments).toHaveLength(1);
    expect(view.charges).toEqual([expect.objectContaining({ amount: 64_900, purpose: 'unreturned_replacement' })]);
    expect(await mailKinds(res.body.id)).toEqual([
      'charged',
      'expired',
      'label',
      'label_reminder',
      'replacement_shipped',
    ]);
  });

  it('waits for an out-of-stock replacement, stuck after the policy deadline, and ships once restocked', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1, unitPrice: 19_900, country: 'SE' });
    const sku = uid('NEW');
    const put = (stock: number) =>
      stack.call('PUT', `/v1/products/${sku}`, {
        name: 'Replacement',
        category: 'apparel',
        price: 19_900,
        currency: 'NOK',
        stock,
        returnable: true,
      });
    await put(0);
    const res = await stack.call('POST', '/v1/returns', {
      orderId,
      method: 'exchange_without_return',
      channel: 'store',
      replacements: [{ sku, quantity: 1 }],
      lines: [{ orderLineId: 'L1', quantity: 1, reason: 'defect' }],
    });
    const waiting = await waitForCase(stack, res.body.id, (v) =>
      v.timeline.some((e: { type: string }) => e.type === 'replacement.out_of_stock'),
    );
    expect(waiting.stuck).toBe(false);
    await stack.env.sleep('8 days'); // default replacementStockDeadline P7D
    const stuck = (await stack.call('GET', `/v1/returns/${res.body.id}`)).body;
    expect(stuck.stuck).toBe(true);
    expect(stuck.stuckReason).toContain(sku);
    await put(4);
    expect(await stack.env.client.workflow.getHandle(caseWorkflowId(res.body.id)).result()).toBe('completed');
    const done = (await stack.call('GET', `/v1/returns/${res.body.id}`)).body;
    expect(done.shipments).toHaveLength(1);
    expect((await stack.call('GET', `/v1/products/${sku}`)).body.stock).toBe(3);
  });

  it('marks an approval nobody gives in time as stuck, and still takes the decision later', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1, unitPrice: 99_900, country: 'SE' });
    const sku = uid('NEW');
    await stack.call('PUT', `/v1/products/${sku}`, {
      name: 'Replacement',
      category: 'apparel',
      price: 99_900,
      currency: 'NOK',
      stock: 1,
      returnable: true,
    });
    const res = await stack.call('POST', '/v1/returns', {
      orderId,
      method: 'exchange_without_return',
      channel: 'customer_service',
      replacements: [{ sku, quantity: 1 }],
      lines: [{ orderLineId: 'L1', quantity: 1, reason: 'defect' }],
    });
    expect(res.body.status).toBe('awaiting_approval');
    await stack.env.sleep('4 days'); // default approvalDeadline P3D
    const stuck = (await stack.call('GET', `/v1/returns/${res.body.id}`)).body;
    expect(stuck).toMatchObject({ status: 'awaiting_approval', waitingFor: 'approval', stuck: true });
    expect((await stack.call('GET', `/v1/returns?stuck=true&orderId=${orderId}`)).body.items).toHaveLength(1);
    expect((await stack.call('POST', `/v1/returns/${res.body.id}/approval`, { approved: true })).status).toBe(200);
    expect(await stack.env.client.workflow.getHandle(caseWorkflowId(res.body.id)).result()).toBe('completed');
  });
});
