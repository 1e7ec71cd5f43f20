/**
 * Return analytics through the API, on cases this file makes. The database is shared with other
 * test files, so the checks look at groups only this file can fill (its own SKU, category and reasons).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inspectCase,
  returnRequest,
  scanParcel,
  startReturn,
  trackingNumberOf,
  type ReturnLineRequest,
} from '../support/requests.js';
import { startStack, uid, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('GET /v1/analytics/returns', () => {
  it('groups cases by SKU, category and reason with return rate, refunds and processing time', async () => {
    const sku = uid('SKU');
    const category = uid('cat');
    const [small, colour] = [uid('too small'), uid('wrong colour')];
    expect(
      (
        await stack.call('PUT', `/v1/products/${sku}`, {
          name: 'Linen shirt',
          category,
          price: 59_900,
          currency: 'NOK',
          stock: 3,
          returnable: true,
        })
      ).status,
    ).toBe(200);
    const orderId = uid('ORD');
    const customerId = uid('CUS');
    const placedAt = new Date(Date.now() - 3 * 86_400_000);
    const order = await stack.call('POST', '/v1/orders', {
      id: orderId,
      customer: { id: customerId, email: `${customerId}@example.no`, name: 'Kari', locale: 'nb-NO', country: 'NO' },
      currency: 'NOK',
      placedAt: placedAt.toISOString(),
      deliveredAt: new Date(placedAt.getTime() + 86_400_000).toISOString(),
      lines: [
        { id: 'L1', sku, name: 'Linen shirt', quantity: 3, unitPrice: 59_900, vatRate: 25 },
        { id: 'L2', sku, name: 'Linen shirt', quantity: 5, unitPrice: 59_900, vatRate: 25 },
      ],
    });
    expect(order.status).toBe(201);

    const start = (lines: ReturnLineRequest[]) =>
      startReturn(stack, returnRequest({ orderId, channel: 'portal', lines }));
    const done = await start([{ orderLineId: 'L1', quantity: 2, reason: small }]);
    await scanParcel(stack, trackingNumberOf(done));
    await waitForCase(stack, done.id, (c) => c.status === 'received');
    await inspectCase(stack, done.id);
    await waitForCase(stack, done.id, (c) => c.status === 'completed');
    // A second case, left waiting for its parcel.
    await start([
      { orderLineId: 'L2', quantity: 1, reason: colour },
      { orderLineId: 'L1', quantity: 1, reason: small },
    ]);

    const period = `from=${encodeURIComponent(new Date(placedAt.getTime() - 60_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`;
    const bySku = await stack.call('GET', `/v1/analytics/returns?${period}&groupBy=sku`);
    expect(bySku.status).toBe(200);
    const shirt = bySku.body.groups.find((g: { key: string }) => g.key === sku);
    // 4 of 8 units sold came back; one case done with a credit of 2 × 599.00.
    expect(shirt).toMatchObject({
      cases: 2,
      units: 4,
      returnRate: 0.5,
      refunded: [{ amount: 119_800, currency: 'NOK' }],
      completed: 1,
    });
    expect(shirt.averageProcessingSeconds).toBeGreaterThanOrEqual(0);
    expect(shirt.averageProcessingTime).toMatch(/^P/);
    expect(bySku.body.total.cases).toBeGreaterThanOrEqual(2);

    const byCategory = await stack.call('GET', `/v1/analytics/returns?${period}&groupBy=category`);
    expect(byCategory.body.groups.find((g: { key: string }) => g.key === category)).toMatchObject({
      cases: 2,
      units: 4,
      returnRate: 0.5,
    });

    const byReason = await stack.call('GET', `/v1/analytics/returns?${period}&groupBy=reason`);
    expect(byReason.body.groups.find((g: { key: string }) => g.key === small)).toMatchObject({
      cases: 2,
      units: 3,
      refunded: [{ amount: 119_800, currency: 'NOK' }],
    });
    expect(byReason.body.groups.find((g: { key: string }) => g.key === colour)).toMatchObject({
      cases: 1,
      units: 1,
      refunded: [],
      completed: 0,
      averageProcessingSeconds: null,
    });

    // A period before any of it: none of this file's groups.
    const before = await stack.call(
      'GET',
      `/v1/analytics/returns?from=2000-01-01T00:00:00Z&to=2000-02-01T00:00:00Z&groupBy=sku`,
    );
    expect(before.body).toMatchObject({ groups: [], total: { cases: 0, units: 0, returnRate: null } });
  });

  it('validates the query, naming the field, and is for managers', async () => {
    const ok = 'from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z';
    const bad = async (query: string, field: string) => {
      const res = await stack.call('GET', `/v1/analytics/returns?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    };
    await bad(`${ok}&groupBy=colour`, 'groupBy');
    await bad('to=2026-02-01T00:00:00Z', 'from');
    await bad('from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'to');
    const marketing = await stack.call('POST', '/v1/api-keys', { name: 'Mads', role: 'marketing' });
    expect(
      (await stack.call('GET', `/v1/analytics/returns?${ok}`, undefined, { key: marketing.body.key })).status,
    ).toBe(403);
    const manager = await stack.call('POST', '/v1/api-keys', { name: 'Mona', role: 'manager' });
    expect((await stack.call('GET', `/v1/analytics/returns?${ok}`, undefined, { key: manager.body.key })).status).toBe(
      200,
    );
  });
});
