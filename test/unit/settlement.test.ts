import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy.js';
import { creditForReturnedLines, type InspectedLine } from '../../domain/settlement.js';

const policy: Policy = { ...DEFAULT_POLICY, restockingFeePercent: { opened: 12.5, damaged: 20 } };

const line = (l: Partial<InspectedLine> & Pick<InspectedLine, 'orderLineId'>): InspectedLine => ({
  sku: `SKU-${l.orderLineId}`,
  quantity: 1,
  unitPrice: 10_000,
  vatRate: 25,
  condition: 'new',
  disposition: 'restock',
  ...l,
});

describe('creditForReturnedLines', () => {
  it('credits a damaged line: paid minus the fee, VAT taken from what is credited', () => {
    const note = creditForReturnedLines(
      [line({ orderLineId: 'L1', quantity: 2, unitPrice: 79_900, condition: 'damaged' })],
      policy,
      'NOK',
    );
    expect(note).toEqual({
      currency: 'NOK',
      amount: 127_840,
      vat: 25_568,
      lines: [
        {
          orderLineId: 'L1',
          sku: 'SKU-L1',
          quantity: 2,
          paid: 159_800,
          restockingFeePercent: 20,
          restockingFee: 31_960,
          amount: 127_840,
          vatRate: 25,
          vat: 25_568,
        },
      ],
    });
  });

  it('handles several lines with different VAT rates and conditions, rounding per line', () => {
    const note = creditForReturnedLines(
      [
        line({
          orderLineId: 'L1',
          quantity: 2,
          unitPrice: 79_900,
          vatRate: 25,
          condition: 'damaged',
          disposition: 'refurbish',
        }),
        // 3 × 123.45 = 370.35; opened 12.5 % = 46.29375 → 46.29; credited 324.06, VAT 15 % inside = 42.2687 → 42.27
        line({ orderLineId: 'L2', quantity: 3, unitPrice: 12_345, vatRate: 15, condition: 'opened' }),
        // defective: the shop's fault, no fee; 0 % VAT
        line({
          orderLineId: 'L3',
          quantity: 1,
          unitPrice: 9_999,
          vatRate: 0,
          condition: 'defective',
          disposition: 'scrap',
        }),
        // new: no fee; 12 % VAT inside 49.90 = 5.3464 → 5.35
        line({ orderLineId: 'L4', quantity: 1, unitPrice: 4_990, vatRate: 12, condition: 'new' }),
        // damaged at a two-decimal VAT rate: 1 × 0.99, fee 0.198 → 0.20, credited 0.79, VAT 12.5 % inside = 0.0878 → 0.09
        line({ orderLineId: 'L5', quantity: 1, unitPrice: 99, vatRate: 12.5, condition: 'damaged' }),
      ],
      policy,
      'NOK',
    );
    const pick = note.lines.map(({ orderLineId, paid, restockingFeePercent, restockingFee, amount, vat, vatRate }) => ({
      orderLineId,
      paid,
      restockingFeePercent,
      restockingFee,
      amount,
      vatRate,
      vat,
    }));
    expect(pick).toEqual([
      {
        orderLineId: 'L1',
        paid: 159_800,
        restockingFeePercent: 20,
        restockingFee: 31_960,
        amount: 127_840,
        vatRate: 25,
        vat: 25_568,
      },
      {
        orderLineId: 'L2',
        paid: 37_035,
        restockingFeePercent: 12.5,
        restockingFee: 4629,
        amount: 32_406,
        vatRate: 15,
        vat: 4227,
      },
      { orderLineId: 'L3', paid: 9999, restockingFeePercent: 0, restockingFee: 0, amount: 9999, vatRate: 0, vat: 0 },
      { orderLineId: 'L4', paid: 4990, restockingFeePercent: 0, restockingFee: 0, amount: 4990, vatRate: 12, vat: 535 },
      { orderLineId: 'L5', paid: 99, restockingFeePercent: 20, restockingFee: 20, amount: 79, vatRate: 12.5, vat: 9 },
    ]);
    expect(note.amount).toBe(127_840 + 32_406 + 9999 + 4990 + 79);
    expect(note.vat).toBe(25_568 + 4227 + 0 + 535 + 9);
    expect(note.currency).toBe('NOK');
  });

  it('keeps line order and identity, and totals always equal the sums of the rounded lines', () => {
    const conditions = ['new', 'opened', 'damaged', 'defective'] as const;
    const rates = [0, 6, 12, 12.5, 15, 25];
    const lines = Array.from({ length: 24 }, (_, i) =>
      line({
        orderLineId: `L${i}`,
        sku: `S${i}`,
        quantity: 1 + (i % 3),
        unitPrice: 1 + i * 1_337,
        vatRate: rates[i % rates.length]!,
        condition: conditions[i % 4]!,
      }),
    );
    const note = creditForReturnedLines(lines, policy, 'SEK');
    expect(note.lines.map((l) => [l.orderLineId, l.sku, l.quantity])).toEqual(
      lines.map((l) => [l.orderLineId, l.sku, l.quantity]),
    );
    expect(note.amount).toBe(note.lines.reduce((a, l) => a + l.amount, 0));
    expect(note.vat).toBe(note.lines.reduce((a, l) => a + l.vat, 0));
    for (const l of note.lines) {
      expect(l.paid).toBe(lines.find((x) => x.orderLineId === l.orderLineId)!.unitPrice * l.quantity);
      expect(l.amount + l.restockingFee).toBe(l.paid);
      expect(l.vat).toBeLessThanOrEqual(l.amount);
      expect(l.vat).toBeGreaterThanOrEqual(0);
    }
    // Opened and damaged lines were charged a fee, so less than was paid is credited.
    expect(note.amount).not.toBe(note.lines.reduce((a, l) => a + l.paid, 0));
  });

  it('gives an empty note for no lines', () => {
    expect(creditForReturnedLines([], policy, 'NOK')).toEqual({ currency: 'NOK', amount: 0, vat: 0, lines: [] });
  });
});
