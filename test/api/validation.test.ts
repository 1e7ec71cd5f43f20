import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys } from '../../db/schema.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { expectProblem, inspectionRequest, policyRequest, returnRequest } from '../support/requests.js';
import { ADMIN_KEY, seedOrder, startStack, uid, type ApiResponse, type Stack } from '../support/stack.js';

/*
 * Requests refused before any workflow would act on them: no worker runs here. Requests that a
 * running case answers (its policy snapshot, inspection while waiting for the parcel, a body that
 * is accepted) are checked in return-to-stock.test.ts.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack?.close();
});

/** A valid `POST /v1/returns` body with `over` on top, which may well make it invalid. */
const validReturn = (orderId: string, over: Record<string, unknown> = {}) => ({
  ...returnRequest({ orderId }),
  ...over,
});

const validOrder = (over: Record<string, unknown> = {}) => {
  const id = uid('ORD');
  const customerId = uid('CUS');
  return {
    id,
    customer: {
      id: customerId,
      email: `${customerId}@example.no`,
      name: 'Ola Nordmann',
      locale: 'nb-NO',
      country: 'NO',
    },
    currency: 'NOK',
    placedAt: '2026-01-10T10:00:00Z',
    deliveredAt: '2026-01-12T10:00:00Z',
    lines: [{ id: 'L1', sku: uid('SKU'), name: 'Scarf', quantity: 1, unitPrice: 29_900, vatRate: 25 }],
    ...over,
  };
};

/** A valid policy body with `over` on top, which may well make it invalid. */
const validPolicy = (over: Record<string, unknown> = {}) => ({ ...policyRequest(), ...over });

/** A raw request through the app, for what `stack.call` always adds (auth, content-type). */
const raw = (path: string, init: RequestInit) => stack.app.request(path, init);
async function rawProblem(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* leave as text */
  }
  return { status: res.status, headers: res.headers, body };
}

describe('POST /v1/returns: request validation', () => {
  it('a missing orderId → 422 naming orderId', async () => {
    const { orderId: _ignored, ...body } = validReturn('x');
    expectProblem(await stack.call('POST', '/v1/returns', body), 422, 'orderId');
  });

  it('a method outside the enum → 422 naming method', async () => {
    expectProblem(await stack.call('POST', '/v1/returns', validReturn('ORD-1', { method: 'refund' })), 422, 'method');
  });

  it('a channel outside the enum → 422 naming channel', async () => {
    expectProblem(await stack.call('POST', '/v1/returns', validReturn('ORD-1', { channel: 'fax' })), 422, 'channel');
  });

  it('no lines → 422 naming lines', async () => {
    expectProblem(await stack.call('POST', '/v1/returns', validReturn('ORD-1', { lines: [] })), 422, 'lines');
  });

  it('quantity 0 → 422 naming lines[0].quantity', async () => {
    const body = validReturn('ORD-1', { lines: [{ orderLineId: 'L1', quantity: 0, reason: 'x' }] });
    const p = expectProblem(await stack.call('POST', '/v1/returns', body), 422, 'lines[0].quantity');
    expect(p.errors.map((e: { field: string }) => e.field)).not.toContain('orderId');
  });

  it('a fractional quantity in the second line → 422 naming lines[1].quantity', async () => {
    const body = validReturn('ORD-1', {
      lines: [
        { orderLineId: 'L1', quantity: 1, reason: 'x' },
        { orderLineId: 'L2', quantity: 1.5, reason: 'x' },
      ],
    });
    expectProblem(await stack.call('POST', '/v1/returns', body), 422, 'lines[1].quantity');
  });

  it('malformed JSON → a 4xx problem, never 500', async () => {
    for (const text of ['{"orderId": ', '{orderId: "x"}', 'not json at all']) {
      const res = await stack.call('POST', '/v1/returns', text);
      expect(res.status, text).toBeGreaterThanOrEqual(400);
      expect(res.status, text).toBeLessThan(500);
      expectProblem(res, res.status);
    }
  });

  it('JSON that is not an object → 422 problem', async () => {
    for (const text of ['null', '[]', '"x"', '42']) expectProblem(await stack.call('POST', '/v1/returns', text), 422);
  });

  it('no content-type or text/plain → 415 naming content-type, not a misleading list of missing fields', async () => {
    const { orderId } = await seedOrder(stack);
    const json = JSON.stringify(validReturn(orderId));
    // A byte body gets no default content type.
    const none = await rawProblem(
      await raw('/v1/returns', {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
        body: new TextEncoder().encode(json),
      }),
    );
    expect(none.body.errors?.map((e: { field: string }) => e.field)).not.toContain('orderId');
    expectProblem(none, 415, 'content-type');
    // A string body gets text/plain.
    const text = await rawProblem(
      await raw('/v1/returns', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` }, body: json }),
    );
    expectProblem(text, 415, 'content-type');
    // Nothing was started by either. (That application/json with a charset is accepted: return-to-stock.test.ts.)
    const list = await stack.call('GET', `/v1/returns?orderId=${orderId}`);
    expect(list.body.items).toHaveLength(0);
  });

  it('a NUL character in a text field → 422 naming it, never 500 (PostgreSQL cannot store U+0000)', async () => {
    const { orderId } = await seedOrder(stack);
    const body = validReturn(orderId, { lines: [{ orderLineId: 'L1', quantity: 1, reason: 'too\u0000small' }] });
    expectProblem(await stack.call('POST', '/v1/returns', body), 422, 'lines[0].reason');
    expectProblem(await stack.call('POST', '/v1/returns', validReturn(orderId, { note: 'x\u0000' })), 422, 'note');
    expect((await stack.call('GET', `/v1/returns?orderId=${orderId}`)).body.items).toHaveLength(0);
    // and in a query parameter → 400
    expectProblem(await stack.call('GET', '/v1/returns?customerId=a%00b'), 400, 'customerId');
  });

  it('an unknown order → 422 naming orderId', async () => {
    const p = expectProblem(await stack.call('POST', '/v1/returns', validReturn(uid('ORD-NONE'))), 422, 'orderId');
    expect(p.detail).toContain('ORD-NONE');
  });

  it('more than bought → 422 naming lines[0].quantity, and nothing is claimed', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 2 });
    const body = validReturn(orderId, { lines: [{ orderLineId: 'L1', quantity: 3, reason: 'x' }] });
    expectProblem(await stack.call('POST', '/v1/returns', body), 422, 'lines[0].quantity');
    const order = await stack.call('GET', `/v1/orders/${orderId}`);
    expect(order.body.lines[0].returnedQuantity).toBe(0);
    expect((await stack.call('GET', `/v1/returns?orderId=${orderId}`)).body.items).toHaveLength(0);
  });

  it('an order line the order lacks → 422 naming lines[0].orderLineId', async () => {
    const { orderId } = await seedOrder(stack);
    expectProblem(
      await stack.call(
        'POST',
        '/v1/returns',
        validReturn(orderId, { lines: [{ orderLineId: 'L7', quantity: 1, reason: 'x' }] }),
      ),
      422,
      'lines[0].orderLineId',
    );
  });

  it('outside the return window → 422 naming orderId', async () => {
    const { orderId } = await seedOrder(stack, { deliveredDaysAgo: 40 });
    const p = expectProblem(await stack.call('POST', '/v1/returns', validReturn(orderId)), 422, 'orderId');
    expect(p.detail).toMatch(/window/);
  });

  it('a non-returnable product → 422 naming the line', async () => {
    const { orderId } = await seedOrder(stack, { returnable: false });
    expectProblem(await stack.call('POST', '/v1/returns', validReturn(orderId)), 422, 'lines[0].orderLineId');
  });
});

describe('POST /v1/orders: validation and idempotency', () => {
  it('a bad email → 422 naming customer.email', async () => {
    const o = validOrder();
    expectProblem(
      await stack.call('POST', '/v1/orders', { ...o, customer: { ...o.customer, email: 'not-an-email' } }),
      422,
      'customer.email',
    );
  });

  it('a bad currency → 422 naming currency', async () => {
    expectProblem(await stack.call('POST', '/v1/orders', validOrder({ currency: 'nok' })), 422, 'currency');
    expectProblem(await stack.call('POST', '/v1/orders', validOrder({ currency: 'NOKK' })), 422, 'currency');
  });

  it('a negative price → 422 naming lines[0].unitPrice', async () => {
    const o = validOrder();
    expectProblem(
      await stack.call('POST', '/v1/orders', { ...o, lines: [{ ...o.lines[0], unitPrice: -1 }] }),
      422,
      'lines[0].unitPrice',
    );
  });

  it('a price in major units (fractional) → 422 naming lines[0].unitPrice', async () => {
    const o = validOrder();
    expectProblem(
      await stack.call('POST', '/v1/orders', { ...o, lines: [{ ...o.lines[0], unitPrice: 299.5 }] }),
      422,
      'lines[0].unitPrice',
    );
  });

  it('a VAT rate with more than two decimals → 422 naming lines[0].vatRate (money maths takes at most two)', async () => {
    const o = validOrder();
    expectProblem(
      await stack.call('POST', '/v1/orders', { ...o, lines: [{ ...o.lines[0], vatRate: 12.345 }] }),
      422,
      'lines[0].vatRate',
    );
    const ok = validOrder();
    expect((await stack.call('POST', '/v1/orders', { ...ok, lines: [{ ...ok.lines[0], vatRate: 12.5 }] })).status).toBe(
      201,
    );
  });

  it('a quantity too large to store → 422 naming lines[0].quantity, never 500', async () => {
    const o = validOrder();
    expectProblem(
      await stack.call('POST', '/v1/orders', { ...o, lines: [{ ...o.lines[0], quantity: 3_000_000_000 }] }),
      422,
      'lines[0].quantity',
    );
    expect((await stack.call('GET', `/v1/orders/${o.id}`)).status).toBe(404);
  });

  it('a product stock too large to store → 422 naming stock, never 500', async () => {
    const body = {
      name: 'Scarf',
      category: 'apparel',
      price: 29_900,
      currency: 'NOK',
      stock: 3_000_000_000,
      returnable: true,
    };
    expectProblem(await stack.call('PUT', `/v1/products/${uid('SKU')}`, body), 422, 'stock');
  });

  it('a bad timestamp → 422 naming placedAt', async () => {
    expectProblem(await stack.call('POST', '/v1/orders', validOrder({ placedAt: 'yesterday' })), 422, 'placedAt');
  });

  it('a year that PostgreSQL cannot store → 422 naming placedAt, never 500', async () => {
    expectProblem(
      await stack.call('POST', '/v1/orders', validOrder({ placedAt: '0000-06-01T00:00:00Z' })),
      422,
      'placedAt',
    );
    expectProblem(
      await stack.call('POST', '/v1/orders', validOrder({ deliveredAt: '0001-01-01T00:30:00+01:00' })),
      422,
      'deliveredAt',
    );
  });

  it('a NUL character anywhere in the order, a product or a key name → 422 naming it, never 500', async () => {
    const o = validOrder();
    expectProblem(
      await stack.call('POST', '/v1/orders', { ...o, customer: { ...o.customer, name: 'Ola\u0000' } }),
      422,
      'customer.name',
    );
    expectProblem(
      await stack.call('POST', '/v1/orders', { ...o, lines: [{ ...o.lines[0], name: '\u0000' }] }),
      422,
      'lines[0].name',
    );
    expect((await stack.call('GET', `/v1/orders/${o.id}`)).status).toBe(404);
    const product = {
      name: 'Scarf\u0000',
      category: 'apparel',
      price: 29_900,
      currency: 'NOK',
      stock: 1,
      returnable: true,
    };
    expectProblem(await stack.call('PUT', `/v1/products/${uid('SKU')}`, product), 422, 'name');
    expectProblem(
      await stack.call('PUT', '/v1/policies/SE', validPolicy({ nonReturnableCategories: ['ok', 'gift\u0000cards'] })),
      422,
      'nonReturnableCategories[1]',
    );
    expectProblem(await stack.call('POST', '/v1/api-keys', { name: 'scanner\u0000', role: 'warehouse' }), 422, 'name');
  });

  it('the same body twice → 201 then 200; another body for the same id → 409', async () => {
    const o = validOrder();
    const first = await stack.call('POST', '/v1/orders', o);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ id: o.id, currency: 'NOK', lines: [{ id: 'L1', returnedQuantity: 0 }] });
    // Same content, keys in another order.
    const reordered = {
      lines: o.lines,
      deliveredAt: o.deliveredAt,
      placedAt: o.placedAt,
      currency: o.currency,
      customer: o.customer,
      id: o.id,
    };
    const second = await stack.call('POST', '/v1/orders', reordered);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const changed = await stack.call('POST', '/v1/orders', { ...o, lines: [{ ...o.lines[0], quantity: 2 }] });
    expectProblem(changed, 409);
    // The stored order is unchanged.
    expect((await stack.call('GET', `/v1/orders/${o.id}`)).body.lines[0].quantity).toBe(1);
  });
});

describe('policies', () => {
  it('PUT with a returnWindow that is not an ISO 8601 duration → 422 naming returnWindow', async () => {
    const p = expectProblem(
      await stack.call('PUT', '/v1/policies/NO', validPolicy({ returnWindow: '30 days' })),
      422,
      'returnWindow',
    );
    expect(p.errors.map((e: { field: string }) => e.field)).toEqual(['returnWindow']);
  });

  it('PUT with a fee percent of three decimals or above 100 → 422 naming it', async () => {
    expectProblem(
      await stack.call(
        'PUT',
        '/v1/policies/NO',
        validPolicy({ restockingFeePercent: { opened: 12.345, damaged: 20 } }),
      ),
      422,
      'restockingFeePercent.opened',
    );
    expectProblem(
      await stack.call('PUT', '/v1/policies/NO', validPolicy({ restockingFeePercent: { opened: 0, damaged: 101 } })),
      422,
      'restockingFeePercent.damaged',
    );
  });

  it('a market that is neither a country code nor default → 400 naming market', async () => {
    expectProblem(await stack.call('PUT', '/v1/policies/norway', validPolicy()), 400, 'market');
  });

  it('GET /v1/policies/default returns the built-in defaults when none is stored', async () => {
    const res = await stack.call('GET', '/v1/policies/default');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(DEFAULT_POLICY);
  });
});

describe('GET /v1/returns and /v1/returns/:id', () => {
  it('limit=0 → 400 naming limit', async () => {
    expectProblem(await stack.call('GET', '/v1/returns?limit=0'), 400, 'limit');
    expectProblem(await stack.call('GET', '/v1/returns?limit=201'), 400, 'limit');
    expectProblem(await stack.call('GET', '/v1/returns?limit=ten'), 400, 'limit');
  });

  it('a garbage cursor → 400 naming cursor', async () => {
    expectProblem(await stack.call('GET', '/v1/returns?cursor=garbage'), 400, 'cursor');
    const notACursor = Buffer.from(JSON.stringify({ a: 1 })).toString('base64url');
    expectProblem(await stack.call('GET', `/v1/returns?cursor=${notACursor}`), 400, 'cursor');
  });

  it('a status outside the enum → 400 naming status', async () => {
    expectProblem(await stack.call('GET', '/v1/returns?status=lost'), 400, 'status');
  });

  it('an unknown case → 404 problem', async () => {
    expectProblem(await stack.call('GET', '/v1/returns/RET-DOESNOTEXIST'), 404);
  });
});

describe('POST /v1/returns/:id/inspection', () => {
  it('for an unknown case → 404', async () => {
    expectProblem(await stack.call('POST', '/v1/returns/RET-NOPE/inspection', inspectionRequest()), 404);
  });
});

describe('authentication and roles', () => {
  const keys: Record<string, string> = {};

  it('no Authorization → 401 problem', async () => {
    const res = await rawProblem(await raw('/v1/returns', { method: 'GET' }));
    expectProblem(res, 401);
    const post = await rawProblem(
      await raw('/v1/returns', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(validReturn('x')),
      }),
    );
    expectProblem(post, 401);
  });

  it('a wrong key or another scheme → 401 problem', async () => {
    expectProblem(await stack.call('GET', '/v1/returns', undefined, { key: 'rok_not-a-real-key' }), 401);
    expectProblem(await stack.call('GET', '/v1/returns', undefined, { key: `${ADMIN_KEY}x` }), 401);
    const basic = await rawProblem(
      await raw('/v1/returns', {
        method: 'GET',
        headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}` },
      }),
    );
    expectProblem(basic, 401);
  });

  it('an admin creates keys for roles; each is shown once and stored only as a hash', async () => {
    for (const role of ['warehouse', 'marketing'] as const) {
      const res = await stack.call('POST', '/v1/api-keys', { name: `${role} test`, role });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toEqual({ id: expect.any(String), name: `${role} test`, role, key: expect.any(String) });
      expect(res.body.key.length).toBeGreaterThanOrEqual(24);
      keys[role] = res.body.key;
      const [row] = await stack.db.select().from(apiKeys).where(eq(apiKeys.id, res.body.id));
      expect(row).toBeDefined();
      expect(row!.keyHash).toBe(createHash('sha256').update(res.body.key).digest('hex'));
      expect(JSON.stringify(row)).not.toContain(res.body.key);
    }
    expect(keys.warehouse).not.toBe(keys.marketing);
  });

  it('a warehouse key may not start a case → 403', async () => {
    const { orderId } = await seedOrder(stack);
    expectProblem(await stack.call('POST', '/v1/returns', validReturn(orderId), { key: keys.warehouse }), 403);
    expect((await stack.call('GET', `/v1/returns?orderId=${orderId}`)).body.items).toHaveLength(0);
  });

  it('a marketing key may not list cases → 403', async () => {
    expectProblem(await stack.call('GET', '/v1/returns', undefined, { key: keys.marketing }), 403);
  });

  it('a warehouse key may scan: an unknown tracking number → 404', async () => {
    const res = await stack.call('POST', '/v1/scans', { trackingNumber: 'LR000000000000' }, { key: keys.warehouse });
    expectProblem(res, 404);
    // and an empty scan is a validation error, not a lookup
    expectProblem(await stack.call('POST', '/v1/scans', {}, { key: keys.warehouse }), 422, 'trackingNumber');
    expectProblem(
      await stack.call('POST', '/v1/scans', { trackingNumber: 'LR\u0000' }, { key: keys.warehouse }),
      422,
      'trackingNumber',
    );
  });

  it('a non-admin may not create keys → 403', async () => {
    expectProblem(
      await stack.call('POST', '/v1/api-keys', { name: 'sneaky', role: 'admin' }, { key: keys.warehouse }),
      403,
    );
    expectProblem(
      await stack.call('POST', '/v1/api-keys', { name: 'sneaky', role: 'admin' }, { key: keys.marketing }),
      403,
    );
  });

  it('an invalid role → 422 naming role', async () => {
    expectProblem(await stack.call('POST', '/v1/api-keys', { name: 'x', role: 'superuser' }), 422, 'role');
  });
});
