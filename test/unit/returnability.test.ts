import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { exchangeOptionsFor, exchangeViolations, orderReturnability } from '../../domain/returnability.js';

const policy = { ...DEFAULT_POLICY, nonReturnableCategories: ['food'] };
const order = {
  placedAt: '2026-11-01T10:00:00Z',
  deliveredAt: '2026-11-03T10:00:00Z',
  lines: [
    { id: 'L1', sku: 'A', quantity: 2 },
    { id: 'L2', sku: 'B', quantity: 1 },
    { id: 'L3', sku: 'C', quantity: 1 },
    { id: 'L4', sku: 'D', quantity: 3 },
  ],
};
const products = new Map([
  ['A', { category: 'shoes', returnable: true }],
  ['B', { category: 'shoes', returnable: false }],
  ['C', { category: 'food', returnable: true }],
  ['D', { category: 'shoes', returnable: true }],
]);

describe('orderReturnability', () => {
  it('tells per line what is left and the first rule that stops it; the window from delivery', () => {
    const claimed = new Map([
      ['L1', 1],
      ['L4', 3],
      ['L2', 1],
    ]);
    const r = orderReturnability({ order, products, claimed, policy, now: new Date('2026-11-20T00:00:00Z') });
    expect(r.windowEndsAt.toISOString()).toBe('2026-12-03T10:00:00.000Z');
    expect(r.lines).toEqual([
      { orderLineId: 'L1', returnedQuantity: 1, returnableQuantity: 1, notReturnableReason: null },
      { orderLineId: 'L2', returnedQuantity: 1, returnableQuantity: 0, notReturnableReason: 'not_returnable' },
      { orderLineId: 'L3', returnedQuantity: 0, returnableQuantity: 0, notReturnableReason: 'not_returnable' },
      { orderLineId: 'L4', returnedQuantity: 3, returnableQuantity: 0, notReturnableReason: 'already_returned' },
    ]);
    const late = orderReturnability({ order, products, claimed, policy, now: new Date('2026-12-03T10:00:01Z') });
    expect(late.lines.map((l) => l.notReturnableReason)).toEqual(Array(4).fill('window_passed'));
  });
});

describe('exchanges within a product family', () => {
  const p = (sku: string, variantOf: string | null, stock = 1) => ({
    sku,
    name: sku,
    price: 100,
    currency: 'NOK',
    stock,
    variantOf,
  });
  const catalogue = new Map(
    [p('SHOE', null), p('SHOE-L', 'SHOE', 2), p('SHOE-S', 'SHOE', 0), p('HAT', null)].map((x) => [x.sku, x]),
  );

  it('lists the other variants, the base product included', () => {
    expect(exchangeOptionsFor('SHOE-L', catalogue).map((x) => x.sku)).toEqual(['SHOE', 'SHOE-S']);
    expect(exchangeOptionsFor('HAT', catalogue)).toEqual([]);
  });

  it('refuses another family, an unknown SKU and more than in stock, naming each replacement', () => {
    const check = (replacements: { sku: string; quantity: number }[]) =>
      exchangeViolations({ returnedSkus: ['SHOE'], replacements, catalogue }).map((v) => v.field);
    expect(check([{ sku: 'SHOE-L', quantity: 2 }])).toEqual([]);
    expect(check([{ sku: 'HAT', quantity: 1 }])).toEqual(['replacements[0].sku']);
    expect(check([{ sku: 'NOPE', quantity: 1 }])).toEqual(['replacements[0].sku']);
    expect(
      check([
        { sku: 'SHOE-L', quantity: 1 },
        { sku: 'SHOE-S', quantity: 1 },
      ]),
    ).toEqual(['replacements[1].sku']);
    // Two requests of the same SKU together need its stock.
    expect(
      check([
        { sku: 'SHOE-L', quantity: 2 },
        { sku: 'SHOE-L', quantity: 1 },
      ]),
    ).toEqual(['replacements[0].sku', 'replacements[1].sku']);
  });
});
