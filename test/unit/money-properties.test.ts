/**
 * Property tests over thousands of random orders and case sequences: whatever mix of credit-only,
 * returns (with any condition and fee) and exchange price differences an order goes through, no
 * line is ever credited beyond what was paid, and every credit note adds up.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Condition, Disposition } from '../../domain/case-status.js';
import { allocate, sum } from '../../domain/money.js';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy.js';
import {
  capToCreditable,
  creditForAmount,
  creditForReturnedLines,
  type CreditNoteDraft,
  type PaidLine,
} from '../../domain/settlement.js';

const VAT_RATES = [0, 6, 12, 12.5, 15, 25];
const orderLines = fc
  .array(
    fc.record({
      quantity: fc.integer({ min: 1, max: 10 }),
      unitPrice: fc.integer({ min: 0, max: 2_000_000 }),
      vatRate: fc.constantFrom(...VAT_RATES),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .map((ls) => ls.map((l, i): PaidLine => ({ orderLineId: `L${i}`, sku: `S${i}`, ...l })));

const policy = fc
  .record({ opened: fc.integer({ min: 0, max: 10_000 }), damaged: fc.integer({ min: 0, max: 10_000 }) })
  .map((fee): Policy => ({
    ...DEFAULT_POLICY,
    restockingFeePercent: { opened: fee.opened / 100, damaged: fee.damaged / 100 },
  }));

/** A case on a subset of the lines: which method, how much of each line, and a fraction for amounts. */
const caseStep = fc.record({
  kind: fc.constantFrom('credit_only', 'return', 'price_difference'),
  pick: fc.array(fc.record({ line: fc.nat(), quantity: fc.integer({ min: 1, max: 10 }) }), {
    minLength: 1,
    maxLength: 5,
  }),
  fraction: fc.double({ min: 0, max: 1, noNaN: true }),
  condition: fc.constantFrom<Condition>('new', 'opened', 'damaged', 'defective'),
});

function noteAddsUp(note: CreditNoteDraft) {
  expect(note.amount).toBe(sum(note.lines.map((l) => l.amount)));
  expect(note.vat).toBe(sum(note.lines.map((l) => l.vat)));
  for (const l of note.lines) {
    expect(Number.isSafeInteger(l.amount) && Number.isSafeInteger(l.vat)).toBe(true);
    expect(l.amount).toBeGreaterThanOrEqual(0);
    expect(l.vat).toBeGreaterThanOrEqual(0);
    expect(l.vat).toBeLessThanOrEqual(l.amount);
  }
}

describe('money invariants (property-based)', () => {
  it('no order line is ever credited beyond what was paid, over any sequence of cases', () => {
    fc.assert(
      fc.property(orderLines, policy, fc.array(caseStep, { minLength: 1, maxLength: 8 }), (lines, pol, steps) => {
        const paid = new Map(lines.map((l) => [l.orderLineId, l.unitPrice * l.quantity]));
        const credited = new Map<string, number>();
        for (const step of steps) {
          const chosen = new Map<string, PaidLine>();
          for (const p of step.pick) {
            const l = lines[p.line % lines.length]!;
            chosen.set(l.orderLineId, { ...l, quantity: Math.min(p.quantity, l.quantity) });
          }
          const caseLines = [...chosen.values()];
          const casePaid = sum(caseLines.map((l) => l.unitPrice * l.quantity));
          const amount = Math.floor(casePaid * step.fraction);
          const draft =
            step.kind === 'return'
              ? creditForReturnedLines(
                  caseLines.map((l) => ({ ...l, condition: step.condition, disposition: 'restock' as Disposition })),
                  pol,
                  'NOK',
                )
              : creditForAmount(caseLines, amount, 'NOK');
          noteAddsUp(draft);
          expect(draft.amount).toBeLessThanOrEqual(casePaid);
          const room = new Map(
            lines.map((l) => [l.orderLineId, paid.get(l.orderLineId)! - (credited.get(l.orderLineId) ?? 0)]),
          );
          const note = capToCreditable(draft, room);
          noteAddsUp(note);
          expect(note.amount).toBeLessThanOrEqual(draft.amount);
          for (const l of note.lines) credited.set(l.orderLineId, (credited.get(l.orderLineId) ?? 0) + l.amount);
        }
        for (const [lineId, total] of credited) expect(total).toBeLessThanOrEqual(paid.get(lineId)!);
        expect(sum([...credited.values()])).toBeLessThanOrEqual(sum([...paid.values()]));
      }),
      { numRuns: 3000 },
    );
  });

  it('a return credit is the paid amount minus a fee between 0 and the paid amount', () => {
    fc.assert(
      fc.property(
        orderLines,
        policy,
        fc.constantFrom<Condition>('new', 'opened', 'damaged', 'defective'),
        (lines, pol, condition) => {
          const note = creditForReturnedLines(
            lines.map((l) => ({ ...l, condition, disposition: 'scrap' as Disposition })),
            pol,
            'SEK',
          );
          noteAddsUp(note);
          for (const l of note.lines) {
            expect(l.restockingFee).toBeGreaterThanOrEqual(0);
            expect(l.restockingFee).toBeLessThanOrEqual(l.paid);
            expect(l.amount + l.restockingFee).toBe(l.paid);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('allocation splits exactly and fairly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 8 }),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(sum(parts)).toBe(total);
          const weightSum = sum(weights);
          parts.forEach((p, i) => {
            expect(p).toBeGreaterThanOrEqual(0);
            if (weightSum > 0) {
              const share = (total * weights[i]!) / weightSum;
              expect(p).toBeGreaterThanOrEqual(Math.floor(share) - 1);
              expect(p).toBeLessThanOrEqual(Math.ceil(share) + 1);
            }
          });
        },
      ),
      { numRuns: 5000 },
    );
  });
});
