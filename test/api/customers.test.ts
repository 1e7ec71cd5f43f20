/** The customer card and the order margin, over real cases driven through the API for one customer. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inspectCase,
  policyRequest,
  returnLine,
  returnRequest,
  scanParcel,
  startReturn,
  trackingNumberOf,
  type CaseDetail,
  type InspectionLineRequest,
} from '../support/requests.js';
import { startStack, uid, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

// The customer's market gets its own policy so the restocking fees below are known exactly.
const MARKET = 'IS';
const customer = { id: uid('CUS'), email: 'ola@example.is', name: 'Ola Nordmann', locale: 'is-IS', country: MARKET };

async function product(price: number, stock: number) {
  const sku = uid('SKU');
  const res = await stack.call('PUT', `/v1/products/${sku}`, {
    name: 'Item',
    category: 'apparel',
    price,
    currency: 'NOK',
    stock,
    returnable: true,
  });
  expect(res.status).toBe(200);
  return sku;
}

async function order(lines: { id: string; sku: string; quantity: number; unitPrice: number }[]) {
  const id = uid('ORD');
  const delivered = new Date(Date.now() - 3 * 86_400_000);
  const res = await stack.call('POST', '/v1/orders', {
    id,
    customer,
    currency: 'NOK',
    placedAt: new Date(delivered.getTime() - 2 * 86_400_000).toISOString(),
    deliveredAt: delivered.toISOString(),
    lines: lines.map((l) => ({ ...l, name: 'Item', vatRate: 25 })),
  });
  expect(res.status).toBe(201);
  return { id, body: res.body };
}

async function receiveAndInspect(caseId: string, lines: InspectionLineRequest[]) {
  const waiting = await waitForCase(stack, caseId, (v) => v.status === 'awaiting_parcel' && v.label !== null);
  const scanned = await scanParcel(stack, trackingNumberOf(waiting));
  expect(scanned.status).toBe('received');
  await inspectCase(stack, caseId, { lines });
  return waitForCase(stack, caseId, (v) => v.status === 'completed');
}

const zeroMargin = {
  currency: 'NOK',
  credited: 0,
  charged: 0,
  restockedValue: 0,
  refurbishValue: 0,
  scrappedValue: 0,
  replacementsShippedValue: 0,
  net: 0,
};

describe('customer card and order margin', () => {
  let creditOrder: string;
  let returnOrder: string;
  let exchangeOrder: string;
  let creditCase: CaseDetail;
  let returnCase: CaseDetail;
  let exchangeCase: CaseDetail;
  let replacementSku: string;

  beforeAll(async () => {
    const policy = await stack.call(
      'PUT',
      `/v1/policies/${MARKET}`,
      policyRequest({ restockingFeePercent: { opened: 10, damaged: 20 } }),
    );
    expect(policy.status).toBe(200);

    const [skuA, skuB, skuC, skuD, skuE] = await Promise.all([
      product(50_000, 5),
      product(79_900, 5),
      product(40_000, 5),
      product(10_000, 5),
      product(79_900, 0),
    ]);
    replacementSku = await product(89_900, 3);

    const o1 = await order([{ id: 'L1', sku: skuA, quantity: 2, unitPrice: 50_000 }]);
    expect(o1.body.margin).toEqual(zeroMargin);
    creditOrder = o1.id;
    returnOrder = (
      await order([
        { id: 'L1', sku: skuB, quantity: 1, unitPrice: 79_900 },
        { id: 'L2', sku: skuC, quantity: 1, unitPrice: 40_000 },
        { id: 'L3', sku: skuD, quantity: 1, unitPrice: 10_000 },
      ])
    ).id;
    exchangeOrder = (await order([{ id: 'L1', sku: skuE, quantity: 1, unitPrice: 79_900 }])).id;

    // Created one after the other, so the card's newest-first order is known.
    const c1 = await startReturn(
      stack,
      returnRequest({
        orderId: creditOrder,
        method: 'credit_only',
        creditAmount: 30_000,
        quantity: 2,
        reason: 'late delivery',
      }),
    );
    const c2 = await startReturn(
      stack,
      returnRequest({
        orderId: returnOrder,
        channel: 'portal',
        lines: [
          returnLine(),
          returnLine({ orderLineId: 'L2', reason: 'broken' }),
          returnLine({ orderLineId: 'L3', reason: 'changed mind' }),
        ],
      }),
    );
    const c3 = await startReturn(
      stack,
      returnRequest({
        orderId: exchangeOrder,
        method: 'exchange',
        replacements: [{ sku: replacementSku, quantity: 1 }],
        shipReplacement: 'after_receipt',
        reason: 'size',
      }),
    );

    // The credit-only note is issued first, so credit-note numbers come in case order.
    creditCase = await waitForCase(stack, c1.id, (v) => v.status === 'completed');
    returnCase = await receiveAndInspect(c2.id, [
      { orderLineId: 'L1', condition: 'new', disposition: 'restock' },
      { orderLineId: 'L2', condition: 'damaged', disposition: 'scrap' },
      { orderLineId: 'L3', condition: 'opened', disposition: 'refurbish' },
    ]);
    exchangeCase = await receiveAndInspect(c3.id, [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }]);
  });

  it('lists every case of the customer, newest first, without timelines', async () => {
    const res = await stack.call('GET', `/v1/customers/${customer.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(customer);
    expect(res.body.cases.map((c: { id: string }) => c.id)).toEqual([exchangeCase.id, returnCase.id, creditCase.id]);
    expect(res.body.cases.map((c: { method: string }) => c.method)).toEqual([
      'exchange',
      'return_to_stock',
      'credit_only',
    ]);
    for (const c of res.body.cases) {
      expect(c).toMatchObject({ customerId: customer.id, status: 'completed' });
      expect(c).not.toHaveProperty('timeline');
    }
    expect(res.body.cases[1].lines.map((l: { disposition: string }) => l.disposition)).toEqual([
      'restock',
      'scrap',
      'refurbish',
    ]);
  });

  it('lists the credit notes and charges with exact amounts', async () => {
    const res = await stack.call('GET', `/v1/customers/${customer.id}`);
    // Credit only: the agreed 300.00, VAT 25 % inside (60.00).
    // Return: 799.00 new (no fee) + 400.00 damaged (20 % fee → 320.00) + 100.00 opened (10 % fee → 90.00) = 1209.00,
    // VAT 159.80 + 64.00 + 18.00 = 241.80.
    expect(res.body.creditNotes).toEqual([
      {
        number: creditCase.creditNotes[0]!.number,
        caseId: creditCase.id,
        orderId: creditOrder,
        amount: 30_000,
        currency: 'NOK',
        vat: 6_000,
        issuedAt: expect.any(String),
      },
      {
        number: returnCase.creditNotes[0]!.number,
        caseId: returnCase.id,
        orderId: returnOrder,
        amount: 120_900,
        currency: 'NOK',
        vat: 24_180,
        issuedAt: expect.any(String),
      },
    ]);
    expect(res.body.creditNotes[0].number).not.toBe(res.body.creditNotes[1].number);
    // Exchange: the replacement (899.00) costs 100.00 more than the returned sweater (799.00).
    expect(res.body.charges).toEqual([
      {
        caseId: exchangeCase.id,
        orderId: exchangeOrder,
        amount: 10_000,
        currency: 'NOK',
        reason: 'replacement costs more than the returned goods',
        purpose: 'price_difference',
        createdAt: expect.any(String),
      },
    ]);
    expect(exchangeCase.creditNotes).toEqual([]);
  });

  it('gives each order its margin effect', async () => {
    const credit = await stack.call('GET', `/v1/orders/${creditOrder}`);
    expect(credit.status).toBe(200);
    expect(credit.body.margin).toEqual({ ...zeroMargin, credited: 30_000, net: -30_000 });
    // Credit only moves no goods and claims no quantity.
    expect(credit.body.lines[0].returnedQuantity).toBe(0);

    const ret = await stack.call('GET', `/v1/orders/${returnOrder}`);
    expect(ret.body.margin).toEqual({
      currency: 'NOK',
      credited: 120_900,
      charged: 0,
      restockedValue: 79_900,
      refurbishValue: 10_000,
      scrappedValue: 40_000,
      replacementsShippedValue: 0,
      net: -120_900,
    });
    expect(ret.body.lines.map((l: { returnedQuantity: number }) => l.returnedQuantity)).toEqual([1, 1, 1]);

    const exchange = await stack.call('GET', `/v1/orders/${exchangeOrder}`);
    expect(exchange.body.margin).toEqual({
      currency: 'NOK',
      credited: 0,
      charged: 10_000,
      restockedValue: 79_900,
      refurbishValue: 0,
      scrappedValue: 0,
      replacementsShippedValue: 89_900,
      net: 10_000,
    });
    expect(exchange.body.lines[0].returnedQuantity).toBe(1);
    expect((await stack.call('GET', `/v1/products/${replacementSku}`)).body.stock).toBe(2);
  });

  it('describes the margin in the OpenAPI document', async () => {
    const doc = await stack.call('GET', '/openapi.json');
    const order = doc.body.components.schemas.Order;
    const margin = (order.allOf ?? [order]).map((part: any) => part.properties?.margin).find(Boolean);
    expect(Object.keys(margin.properties).sort()).toEqual([
      'charged',
      'credited',
      'currency',
      'net',
      'refurbishValue',
      'replacementsShippedValue',
      'restockedValue',
      'scrappedValue',
    ]);
    expect(doc.body.paths['/v1/customers/{id}'].get.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/CustomerCard',
    );
  });
});

describe('customer card access', () => {
  it('answers 404 problem for an unknown customer', async () => {
    const res = await stack.call('GET', `/v1/customers/${uid('NOBODY')}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 404 });
  });

  it('refuses a warehouse key with 403 and lets customer service, portal and managers in', async () => {
    // Makes sure the customer exists even when this test runs on its own.
    await order([{ id: 'L1', sku: await product(1_000, 1), quantity: 1, unitPrice: 1_000 }]);
    const keyFor = async (role: string) => {
      const res = await stack.call('POST', '/v1/api-keys', { name: `${role} key`, role });
      expect(res.status).toBe(201);
      return res.body.key as string;
    };
    const warehouse = await stack.call('GET', `/v1/customers/${customer.id}`, undefined, {
      key: await keyFor('warehouse'),
    });
    expect(warehouse.status).toBe(403);
    expect(warehouse.headers.get('content-type')).toContain('application/problem+json');
    for (const role of ['customer_service', 'portal', 'manager']) {
      expect(
        (await stack.call('GET', `/v1/customers/${customer.id}`, undefined, { key: await keyFor(role) })).status,
      ).toBe(200);
    }
    expect((await stack.call('GET', `/v1/customers/${customer.id}`, undefined, { key: 'not-a-key' })).status).toBe(401);
  });
});
