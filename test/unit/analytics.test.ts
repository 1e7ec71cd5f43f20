import { describe, expect, it } from 'vitest';
import { summarizeReturns, type AnalyticsCase } from '../../domain/analytics.js';
import { formatDuration } from '../../domain/duration.js';

const at = (h: number) => new Date(Date.UTC(2026, 10, 1, h));
const cases: AnalyticsCase[] = [
  {
    id: 'A',
    method: 'return_to_stock',
    channel: 'portal',
    status: 'completed',
    createdAt: at(0),
    closedAt: at(10),
    lines: [
      { orderLineId: 'L1', sku: 'SHIRT', quantity: 2, reason: 'too small' },
      { orderLineId: 'L2', sku: 'SOCKS', quantity: 1, reason: 'changed my mind' },
    ],
    notes: [
      {
        amount: 150_000,
        currency: 'NOK',
        lines: [
          { orderLineId: 'L1', amount: 120_000 },
          { orderLineId: 'L2', amount: 30_000 },
        ],
      },
    ],
  },
  {
    id: 'B',
    method: 'exchange',
    channel: 'customer_service',
    status: 'completed',
    createdAt: at(0),
    closedAt: at(20),
    lines: [{ orderLineId: 'L9', sku: 'SHIRT', quantity: 1, reason: 'too small' }],
    notes: [{ amount: 5_000, currency: 'SEK', lines: [{ orderLineId: 'L9', amount: 5_000 }] }],
  },
  {
    id: 'C',
    method: 'return_to_stock',
    channel: 'portal',
    status: 'awaiting_parcel',
    createdAt: at(1),
    closedAt: null,
    lines: [{ orderLineId: 'L3', sku: 'HAT', quantity: 1, reason: 'too small' }],
    notes: [],
  },
];
const input = {
  cases,
  sold: new Map([
    ['SHIRT', 10],
    ['SOCKS', 4],
    ['HAT', 6],
  ]),
  categories: new Map([
    ['SHIRT', 'tops'],
    ['SOCKS', 'accessories'],
    ['HAT', 'accessories'],
  ]),
};

describe('summarizeReturns', () => {
  it('by reason: line groups, rate against all sales, note lines per group, processing of completed cases', () => {
    const { groups, total } = summarizeReturns(input, 'reason');
    expect(groups).toEqual([
      {
        key: 'too small',
        cases: 3,
        units: 4,
        returnRate: 0.2,
        refunded: [
          { amount: 120_000, currency: 'NOK' },
          { amount: 5_000, currency: 'SEK' },
        ],
        completed: 2,
        averageProcessingSeconds: 15 * 3600,
      },
      {
        key: 'changed my mind',
        cases: 1,
        units: 1,
        returnRate: 0.05,
        refunded: [{ amount: 30_000, currency: 'NOK' }],
        completed: 1,
        averageProcessingSeconds: 10 * 3600,
      },
    ]);
    expect(total).toMatchObject({
      cases: 3,
      units: 5,
      returnRate: 0.25,
      refunded: [
        { amount: 150_000, currency: 'NOK' },
        { amount: 5_000, currency: 'SEK' },
      ],
      completed: 2,
    });
  });

  it('by SKU and category: rates against that SKU’s or category’s own sales', () => {
    const bySku = summarizeReturns(input, 'sku').groups;
    expect(bySku.find((g) => g.key === 'SHIRT')).toMatchObject({ units: 3, returnRate: 0.3 });
    expect(bySku.find((g) => g.key === 'HAT')).toMatchObject({
      units: 1,
      returnRate: 0.1667,
      refunded: [],
      completed: 0,
      averageProcessingSeconds: null,
    });
    const byCategory = summarizeReturns(input, 'category').groups;
    expect(byCategory.find((g) => g.key === 'accessories')).toMatchObject({ cases: 2, units: 2, returnRate: 0.2 });
    expect(summarizeReturns({ ...input, categories: new Map() }, 'category').groups.map((g) => g.key)).toEqual([
      'uncategorised',
    ]);
  });

  it('by method and channel: whole notes per case', () => {
    const byMethod = summarizeReturns(input, 'method').groups;
    expect(byMethod.find((g) => g.key === 'return_to_stock')).toMatchObject({
      cases: 2,
      units: 4,
      refunded: [{ amount: 150_000, currency: 'NOK' }],
    });
    expect(summarizeReturns(input, 'channel').groups.find((g) => g.key === 'customer_service')).toMatchObject({
      cases: 1,
      refunded: [{ amount: 5_000, currency: 'SEK' }],
    });
  });

  it('with nothing sold, the rate is null; with no cases, there are no groups', () => {
    expect(summarizeReturns({ ...input, sold: new Map() }, 'reason').total.returnRate).toBeNull();
    expect(summarizeReturns({ ...input, cases: [] }, 'sku')).toMatchObject({
      groups: [],
      total: { cases: 0, units: 0, returnRate: 0 },
    });
  });
});

describe('formatDuration', () => {
  it('writes whole seconds as ISO 8601', () => {
    expect(formatDuration(0)).toBe('PT0S');
    expect(formatDuration(59)).toBe('PT59S');
    expect(formatDuration(93_900)).toBe('P1DT2H5M');
    expect(formatDuration(86_400)).toBe('P1D');
    expect(formatDuration(3_600 * 26 + 5)).toBe('P1DT2H5S');
  });
});
