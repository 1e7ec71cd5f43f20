import { describe, expect, it } from 'vitest';
import { buildCustomsDeclaration, type CustomsInput } from '../../domain/customs.js';

const base: CustomsInput = {
  caseId: 'RC-1',
  orderId: 'ORD-1',
  exportReference: 'EX-NO-1',
  currency: 'NOK',
  fromCountry: 'NO',
  toCountry: 'SE',
  caseLines: [
    { orderLineId: 'L2', sku: 'SKU-B', quantity: 1 },
    { orderLineId: 'L1', sku: 'SKU-A', quantity: 2 },
  ],
  orderLines: [
    { id: 'L1', name: 'Wool sweater', unitPrice: 79_900 },
    { id: 'L2', name: 'Rain jacket', unitPrice: 149_950 },
    { id: 'L3', name: 'Not returned', unitPrice: 1 },
  ],
  products: [
    { sku: 'SKU-A', hsCode: '6110110000', originCountry: 'PT' },
    { sku: 'SKU-B', hsCode: null, originCountry: null },
  ],
};

describe('buildCustomsDeclaration', () => {
  it("values each returned line at the price paid, in case line order, with the products' customs data", () => {
    expect(buildCustomsDeclaration(base)).toEqual({
      caseId: 'RC-1',
      orderId: 'ORD-1',
      exportReference: 'EX-NO-1',
      direction: 'return',
      from: { country: 'NO' },
      to: { country: 'SE' },
      currency: 'NOK',
      items: [
        {
          orderLineId: 'L2',
          sku: 'SKU-B',
          description: 'Rain jacket',
          quantity: 1,
          unitValue: 149_950,
          customsValue: 149_950,
          hsCode: null,
          originCountry: null,
        },
        {
          orderLineId: 'L1',
          sku: 'SKU-A',
          description: 'Wool sweater',
          quantity: 2,
          unitValue: 79_900,
          customsValue: 159_800,
          hsCode: '6110110000',
          originCountry: 'PT',
        },
      ],
      totalValue: 309_750,
    });
  });

  it('a product it does not know has no HS code or origin', () => {
    const d = buildCustomsDeclaration({ ...base, products: [] });
    expect(d.items.map((i) => [i.hsCode, i.originCountry])).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it('no lines: no items, total 0', () => {
    expect(buildCustomsDeclaration({ ...base, caseLines: [] })).toMatchObject({ items: [], totalValue: 0 });
  });

  it('refuses a case line whose order line is missing rather than declare it at 0', () => {
    expect(() => buildCustomsDeclaration({ ...base, orderLines: [] })).toThrow(/order line L2/);
  });
});
