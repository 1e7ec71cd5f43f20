import { describe, expect, it } from 'vitest';
import {
  checkReturnRequest,
  DEFAULT_POLICY,
  restockingFeePercent,
  type OrderForPolicy,
  type Policy,
  type ProductForPolicy,
  type RequestedLine,
} from '../../domain/policy.js';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00Z');
const daysBefore = (days: number, at = NOW) => new Date(at.getTime() - days * DAY).toISOString();

const order = (o: Partial<OrderForPolicy> = {}): OrderForPolicy => ({
  placedAt: daysBefore(12),
  deliveredAt: daysBefore(10),
  lines: [
    { id: 'L1', sku: 'SWEATER', quantity: 2 },
    { id: 'L2', sku: 'SOCKS', quantity: 1 },
    { id: 'L3', sku: 'GIFTCARD', quantity: 1 },
  ],
  ...o,
});

const PRODUCTS: ReadonlyMap<string, ProductForPolicy> = new Map([
  ['SWEATER', { category: 'apparel', returnable: true }],
  ['SOCKS', { category: 'underwear', returnable: true }],
  ['GIFTCARD', { category: 'gift-cards', returnable: false }],
]);

function check(args: {
  order?: OrderForPolicy;
  lines?: RequestedLine[];
  claimed?: Map<string, number>;
  policy?: Policy;
  now?: Date;
  requiresGoods?: boolean;
  products?: ReadonlyMap<string, ProductForPolicy>;
}) {
  return checkReturnRequest({
    order: args.order ?? order(),
    products: args.products ?? PRODUCTS,
    claimed: args.claimed ?? new Map(),
    lines: args.lines ?? [{ orderLineId: 'L1', quantity: 1 }],
    policy: args.policy ?? DEFAULT_POLICY,
    now: args.now ?? NOW,
    requiresGoods: args.requiresGoods ?? true,
  });
}

const fields = (violations: { field: string }[]) => violations.map((v) => v.field);

describe('checkReturnRequest: the return window', () => {
  it('accepts a request inside the window', () => {
    expect(check({})).toEqual([]);
    expect(
      check({
        lines: [
          { orderLineId: 'L1', quantity: 2 },
          { orderLineId: 'L2', quantity: 1 },
        ],
      }),
    ).toEqual([]);
  });

  it('accepts on the last moment of the window and rejects one millisecond later, on orderId', () => {
    const delivered = daysBefore(30);
    const o = order({ placedAt: daysBefore(32), deliveredAt: delivered });
    expect(check({ order: o, now: new Date(new Date(delivered).getTime() + 30 * DAY) })).toEqual([]);
    const late = check({ order: o, now: new Date(new Date(delivered).getTime() + 30 * DAY + 1) });
    expect(late).toHaveLength(1);
    expect(late[0]!.field).toBe('orderId');
    expect(late[0]!.detail).toContain('P30D');
  });

  it('rejects once the window has passed', () => {
    const violations = check({ order: order({ placedAt: daysBefore(42), deliveredAt: daysBefore(40) }) });
    expect(fields(violations)).toEqual(['orderId']);
  });

  it('counts from delivery, not from the order date, when delivery is known', () => {
    // Ordered 45 days ago (outside 30 days), delivered 20 days ago (inside).
    expect(check({ order: order({ placedAt: daysBefore(45), deliveredAt: daysBefore(20) }) })).toEqual([]);
    // A (bogus) delivery date before the order date still wins: the window runs from delivery.
    expect(fields(check({ order: order({ placedAt: daysBefore(20), deliveredAt: daysBefore(40) }) }))).toEqual([
      'orderId',
    ]);
  });

  it('falls back to the order date when no delivery date is known (null or absent)', () => {
    expect(fields(check({ order: order({ placedAt: daysBefore(31), deliveredAt: null }) }))).toEqual(['orderId']);
    expect(fields(check({ order: order({ placedAt: daysBefore(31), deliveredAt: undefined }) }))).toEqual(['orderId']);
    expect(check({ order: order({ placedAt: daysBefore(29), deliveredAt: null }) })).toEqual([]);
  });

  it("uses the policy's window", () => {
    const o = order({ placedAt: daysBefore(50), deliveredAt: daysBefore(45) });
    expect(fields(check({ order: o }))).toEqual(['orderId']);
    expect(check({ order: o, policy: { ...DEFAULT_POLICY, returnWindow: 'P60D' } })).toEqual([]);
    expect(fields(check({ policy: { ...DEFAULT_POLICY, returnWindow: 'P1W' } }))).toEqual(['orderId']); // delivered 10 days ago
    expect(check({ policy: { ...DEFAULT_POLICY, returnWindow: 'PT240H' }, now: new Date(NOW.getTime() - 1) })).toEqual(
      [],
    );
  });
});

describe('checkReturnRequest: lines', () => {
  it('names an unknown order line by its index', () => {
    const violations = check({
      lines: [
        { orderLineId: 'L1', quantity: 1 },
        { orderLineId: 'NOPE', quantity: 1 },
      ],
    });
    expect(violations).toHaveLength(1);
    expect(violations[0]!.field).toBe('lines[1].orderLineId');
    expect(violations[0]!.detail).toContain('NOPE');
  });

  it('rejects the same order line listed twice', () => {
    const violations = check({
      lines: [
        { orderLineId: 'L1', quantity: 1 },
        { orderLineId: 'L1', quantity: 1 },
      ],
    });
    expect(violations).toHaveLength(1);
    expect(violations[0]!.field).toBe('lines[1].orderLineId');
    expect(violations[0]!.detail).toMatch(/twice/);
  });

  it('allows at most bought minus already claimed', () => {
    expect(check({ lines: [{ orderLineId: 'L1', quantity: 2 }] })).toEqual([]);
    const over = check({
      lines: [
        { orderLineId: 'L2', quantity: 1 },
        { orderLineId: 'L1', quantity: 3 },
      ],
    });
    expect(fields(over)).toEqual(['lines[1].quantity']);
    expect(over[0]!.detail).toContain('only 2 of 2');

    const claimed = new Map([['L1', 1]]);
    expect(check({ claimed, lines: [{ orderLineId: 'L1', quantity: 1 }] })).toEqual([]);
    const overClaimed = check({ claimed, lines: [{ orderLineId: 'L1', quantity: 2 }] });
    expect(fields(overClaimed)).toEqual(['lines[0].quantity']);
    expect(overClaimed[0]!.detail).toContain('only 1 of 2');

    const all = check({ claimed: new Map([['L1', 2]]), lines: [{ orderLineId: 'L1', quantity: 1 }] });
    expect(fields(all)).toEqual(['lines[0].quantity']);
    // Claims on another line do not count against this one.
    expect(check({ claimed: new Map([['L2', 1]]), lines: [{ orderLineId: 'L1', quantity: 2 }] })).toEqual([]);
  });

  it('rejects a non-returnable product, unless no goods come back', () => {
    const lines = [{ orderLineId: 'L3', quantity: 1 }];
    const violations = check({ lines });
    expect(fields(violations)).toEqual(['lines[0].orderLineId']);
    expect(violations[0]!.detail).toContain('GIFTCARD');
    expect(check({ lines, requiresGoods: false })).toEqual([]);
  });

  it("rejects a product in one of the policy's non-returnable categories, unless no goods come back", () => {
    const policy = { ...DEFAULT_POLICY, nonReturnableCategories: ['underwear'] };
    const lines = [
      { orderLineId: 'L1', quantity: 1 },
      { orderLineId: 'L2', quantity: 1 },
    ];
    expect(fields(check({ policy, lines }))).toEqual(['lines[1].orderLineId']);
    expect(check({ policy, lines, requiresGoods: false })).toEqual([]);
    // Without that policy the same request is fine.
    expect(check({ lines })).toEqual([]);
  });

  it('lets a product without a product record through (only a known non-returnable one is refused)', () => {
    expect(check({ products: new Map() })).toEqual([]);
  });

  it('reports every violation at once', () => {
    const violations = check({
      order: order({ placedAt: daysBefore(50), deliveredAt: daysBefore(45) }),
      lines: [
        { orderLineId: 'L1', quantity: 5 },
        { orderLineId: 'L9', quantity: 1 },
        { orderLineId: 'L3', quantity: 1 },
      ],
    });
    expect(fields(violations).sort()).toEqual([
      'lines[0].quantity',
      'lines[1].orderLineId',
      'lines[2].orderLineId',
      'orderId',
    ]);
  });
});

describe('restockingFeePercent', () => {
  const policy: Policy = { ...DEFAULT_POLICY, restockingFeePercent: { opened: 7.5, damaged: 35 } };

  it('charges nothing for new or defective goods', () => {
    expect(restockingFeePercent(policy, 'new')).toBe(0);
    expect(restockingFeePercent(policy, 'defective')).toBe(0);
  });

  it('takes opened and damaged from the policy', () => {
    expect(restockingFeePercent(policy, 'opened')).toBe(7.5);
    expect(restockingFeePercent(policy, 'damaged')).toBe(35);
    expect(restockingFeePercent(DEFAULT_POLICY, 'opened')).toBe(0);
    expect(restockingFeePercent(DEFAULT_POLICY, 'damaged')).toBe(20);
  });
});
