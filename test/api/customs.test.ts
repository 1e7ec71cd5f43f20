import { execFileSync } from 'node:child_process';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WAREHOUSE } from '../../documents/label-pdf.js';
import { returnLine, returnRequest, startReturn } from '../support/requests.js';
import { ADMIN_KEY, seedOrder, startStack, uid, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const product = (sku: string, extra: Record<string, unknown> = {}) =>
  stack.call('PUT', `/v1/products/${sku}`, {
    name: 'Item',
    category: 'apparel',
    price: 10_000,
    currency: 'NOK',
    stock: 5,
    ...extra,
  });

/** A Norwegian customer's order with an export reference: a sweater with customs data, a scarf without. */
async function seedExportOrder() {
  const sweater = uid('SKU');
  const scarf = uid('SKU');
  expect((await product(sweater, { hsCode: '6110110000', originCountry: 'PT' })).status).toBe(200);
  expect((await product(scarf)).status).toBe(200);
  const orderId = uid('ORD');
  const customerId = uid('CUS');
  const exportReference = `EX-NO-${uid('2026')}`;
  const order = await stack.call('POST', '/v1/orders', {
    id: orderId,
    customer: {
      id: customerId,
      email: `${customerId}@example.no`,
      name: 'Ola Nordmann',
      locale: 'nb-NO',
      country: 'NO',
    },
    currency: 'NOK',
    placedAt: new Date(Date.now() - 5 * 86_400_000).toISOString(),
    deliveredAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
    exportReference,
    lines: [
      { id: 'L1', sku: sweater, name: 'Wool sweater', quantity: 2, unitPrice: 79_900, vatRate: 25 },
      { id: 'L2', sku: scarf, name: 'Silk scarf', quantity: 1, unitPrice: 34_950, vatRate: 25 },
    ],
  });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  const c = await startReturn(
    stack,
    returnRequest({
      orderId,
      channel: 'portal',
      lines: [returnLine({ quantity: 2 }), returnLine({ orderLineId: 'L2', reason: 'changed my mind' })],
    }),
  );
  return { caseId: c.id, orderId, exportReference, sweater, scarf };
}

describe('GET /v1/returns/:id/customs', () => {
  it('declares what a Norwegian return carries, valued at the prices paid, with HS codes and origin', async () => {
    const { caseId, orderId, exportReference, sweater, scarf } = await seedExportOrder();
    const res = await stack.call('GET', `/v1/returns/${caseId}/customs`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      caseId,
      orderId,
      exportReference,
      direction: 'return',
      from: { country: 'NO' },
      to: { country: DEFAULT_WAREHOUSE.country },
      currency: 'NOK',
      items: [
        {
          orderLineId: 'L1',
          sku: sweater,
          description: 'Wool sweater',
          quantity: 2,
          unitValue: 79_900,
          customsValue: 159_800,
          hsCode: '6110110000',
          originCountry: 'PT',
        },
        {
          orderLineId: 'L2',
          sku: scarf,
          description: 'Silk scarf',
          quantity: 1,
          unitValue: 34_950,
          customsValue: 34_950,
          hsCode: null,
          originCountry: null,
        },
      ],
      totalValue: 194_750,
    });

    // Page 2 of the label is the same declaration.
    const pdf = await stack.app.request(`/v1/returns/${caseId}/label`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(pdf.status).toBe(200);
    const bytes = new Uint8Array(await pdf.arrayBuffer());
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(2);
    const text = execFileSync('pdftotext', ['-f', '2', '-l', '2', '-', '-'], { input: bytes }).toString();
    expect(text).toContain(exportReference);
    expect(text).toContain(sweater);
    expect(text).toContain('6110110000');
    expect(text).toContain('PT');
    expect(text).toContain('1598.00');
    expect(text).toContain('1947.50 NOK');
  });

  it('is open to portal and warehouse keys, not to marketing', async () => {
    const { caseId } = await seedExportOrder();
    for (const [role, status] of [
      ['portal', 200],
      ['warehouse', 200],
      ['marketing', 403],
    ] as const) {
      const key = await stack.call('POST', '/v1/api-keys', { name: `customs ${role}`, role });
      expect(key.status).toBe(201);
      expect((await stack.call('GET', `/v1/returns/${caseId}/customs`, undefined, { key: key.body.key })).status).toBe(
        status,
      );
    }
  });

  it('404 for a case whose order has no export reference, and for an unknown case', async () => {
    const { orderId } = await seedOrder(stack);
    const c = await startReturn(stack, returnRequest({ orderId }));
    const res = await stack.call('GET', `/v1/returns/${c.id}/customs`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toContain('export reference');
    expect((await stack.call('GET', '/v1/returns/no-such-case/customs')).status).toBe(404);
  });
});

describe('PUT /v1/products/:sku customs fields', () => {
  it('stores and returns hsCode and originCountry; null when unset', async () => {
    const sku = uid('SKU');
    const put = await product(sku, { hsCode: '610910', originCountry: 'CN' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ sku, hsCode: '610910', originCountry: 'CN' });
    expect((await stack.call('GET', `/v1/products/${sku}`)).body).toMatchObject({
      hsCode: '610910',
      originCountry: 'CN',
    });

    const replaced = await product(sku);
    expect(replaced.body).toMatchObject({ hsCode: null, originCountry: null });
    expect((await stack.call('GET', `/v1/products/${sku}`)).body).toMatchObject({ hsCode: null, originCountry: null });
  });

  it('422 naming the field for a bad HS code or origin country', async () => {
    for (const hsCode of ['6109.10', '12345', '12345678901', 610910]) {
      const res = await product(uid('SKU'), { hsCode });
      expect(res.status, JSON.stringify(hsCode)).toBe(422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['hsCode']);
    }
    const res = await product(uid('SKU'), { originCountry: 'Norway' });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['originCountry']);
    expect((await product(uid('SKU'), { originCountry: 'no' })).status).toBe(422);
  });
});
