import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCase, inspectionRequest, returnRequest, startReturn, withLabel } from '../support/requests.js';
import { seedOrder, startStack, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function startCase(quantity = 1) {
  const { orderId } = await seedOrder(stack, { quantity });
  return withLabel(await startReturn(stack, returnRequest({ orderId, channel: 'store', quantity, reason: 'fit' })));
}

describe('warehouse reports', () => {
  it('lists parcels on their way with carrier, status and age; received ones leave the list', async () => {
    const a = await startCase();
    const b = await startCase();
    await stack.call('POST', '/v1/scans', { trackingNumber: b.label.trackingNumber });
    const warehouse = await stack.call('POST', '/v1/api-keys', { name: 'dock', role: 'warehouse' });
    const res = await stack.call('GET', '/v1/reports/in-transit', undefined, { key: warehouse.body.key });
    expect(res.status).toBe(200);
    const mine = res.body.parcels.find((p: { caseId: string }) => p.caseId === a.id);
    expect(mine).toMatchObject({
      trackingNumber: a.label.trackingNumber,
      carrier: 'local',
      status: 'awaiting_parcel',
      ageDays: 0,
    });
    expect(res.body.parcels.some((p: { caseId: string }) => p.caseId === b.id)).toBe(false);
    expect(res.body.count).toBe(res.body.parcels.length);
    expect(res.body.byCarrier.local).toBeGreaterThanOrEqual(1);
    expect(res.body.byAge['0-2d']).toBeGreaterThanOrEqual(1);
    const marketing = await stack.call('POST', '/v1/api-keys', { name: 'mkt', role: 'marketing' });
    expect((await stack.call('GET', '/v1/reports/in-transit', undefined, { key: marketing.body.key })).status).toBe(
      403,
    );
  });

  it('counts what was received and inspected in a period, by disposition and condition', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const c = await startCase(2);
    await stack.call('POST', '/v1/scans', { trackingNumber: c.label.trackingNumber });
    await inspectCase(stack, c.id, inspectionRequest({ condition: 'damaged', disposition: 'scrap' }));
    await waitForCase(stack, c.id, (v) => v.status === 'completed');
    const to = new Date(Date.now() + 1000).toISOString();
    const res = await stack.call('GET', `/v1/reports/returns?from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    expect(res.body.received).toBeGreaterThanOrEqual(1);
    expect(res.body.inspected).toBeGreaterThanOrEqual(1);
    expect(res.body.dispositions.scrap.quantity).toBeGreaterThanOrEqual(2);
    expect(res.body.conditions.damaged.lines).toBeGreaterThanOrEqual(1);
    // A period with nothing in it.
    const empty = await stack.call('GET', '/v1/reports/returns?from=2001-01-01T00:00:00Z&to=2001-02-01T00:00:00Z');
    expect(empty.body).toMatchObject({ received: 0, inspected: 0, dispositions: {}, conditions: {} });
    expect((await stack.call('GET', `/v1/reports/returns?from=${to}&to=${from}`)).status).toBe(400);
    expect((await stack.call('GET', '/v1/reports/returns?from=yesterday&to=today')).status).toBe(400);
  });
});
