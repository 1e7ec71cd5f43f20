/**
 * Property tests over thousands of random orders paid with split tenders, returned in random
 * partial cases with fees: no payment ever gives back more than it took, and for every settled
 * case credited − fee + delivery = refunded + store credit principal (nothing appears or vanishes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../domain/case-status.js';
import { sum } from '../../domain/money.js';
import { allocateRefund, payoutFor, storeCreditCode, storeCreditFor, type PaymentRoom } from '../../domain/refunds.js';

const tenders = fc.array(fc.integer({ min: 1, max: 5_000_000 }), { minLength: 1, maxLength: 4 });
const caseStep = fc.record({
  fraction: fc.double({ min: 0, max: 1, noNaN: true }),
  fee: fc.integer({ min: 0, max: 20_000 }),
  condition: fc.constantFrom<Condition>('new', 'opened', 'damaged', 'defective'),
  storeCredit: fc.boolean(),
  bonusPercent: fc.integer({ min: 0, max: 50 }),
});

describe('refund allocation over split tenders', () => {
  it('never refunds more than a payment took, across any sequence of cases, and every case balances', () => {
    fc.assert(
      fc.property(
        tenders,
        fc.array(caseStep, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 10_000 }),
        (amounts, steps, deliveryCost) => {
          const payments: PaymentRoom[] = amounts.map((amount, i) => ({ paymentId: `P${i}`, amount, refunded: 0 }));
          let creditable = sum(amounts) - deliveryCost > 0 ? sum(amounts) - deliveryCost : sum(amounts);
          steps.forEach((step, n) => {
            const credited = Math.floor(creditable * step.fraction);
            creditable -= credited;
            const last = n === steps.length - 1;
            const payout = payoutFor({
              credited,
              returnShippingFee: step.fee,
              conditions: [step.condition],
              deliveryCost: last && creditable === 0 ? deliveryCost : 0,
            });
            expect(payout.fee).toBeGreaterThanOrEqual(0);
            expect(payout.fee).toBeLessThanOrEqual(credited);
            if (step.condition === 'defective') expect(payout.fee).toBe(0);
            if (step.storeCredit) {
              const credit = storeCreditFor(payout.amount, step.bonusPercent);
              expect(credit.total).toBe(credit.principal + credit.bonus);
              expect(credited - payout.fee + payout.delivery).toBe(credit.principal);
              return;
            }
            const { parts, shortfall } = allocateRefund(payout.amount, payments);
            // Every case balances: what was credited (less the fee, plus delivery) is refunded or shown as shortfall.
            expect(sum(parts.map((p) => p.amount)) + shortfall).toBe(credited - payout.fee + payout.delivery);
            for (const part of parts) {
              expect(Number.isInteger(part.amount)).toBe(true);
              expect(part.amount).toBeGreaterThan(0);
              const payment = payments.find((p) => p.paymentId === part.paymentId);
              if (!payment) throw new Error(`unknown payment ${part.paymentId}`);
              payment.refunded += part.amount;
            }
            for (const p of payments) expect(p.refunded).toBeLessThanOrEqual(p.amount);
          });
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('spreads in proportion to what each payment can still give back', () => {
    const { parts, shortfall } = allocateRefund(1000, [
      { paymentId: 'gift', amount: 2500, refunded: 0 },
      { paymentId: 'card', amount: 7500, refunded: 0 },
    ]);
    expect(parts).toEqual([
      { paymentId: 'gift', amount: 250 },
      { paymentId: 'card', amount: 750 },
    ]);
    expect(shortfall).toBe(0);
  });

  it('takes a fully refunded payment out and reports what no payment can cover', () => {
    const { parts, shortfall } = allocateRefund(600, [
      { paymentId: 'gift', amount: 300, refunded: 300 },
      { paymentId: 'card', amount: 500, refunded: 0 },
    ]);
    expect(parts).toEqual([{ paymentId: 'card', amount: 500 }]);
    expect(shortfall).toBe(100);
  });
});

describe('payout and store credit', () => {
  it('deducts the return shipping fee except for defective goods, and adds the delivery cost', () => {
    expect(payoutFor({ credited: 49_900, returnShippingFee: 4_900, conditions: ['opened'], deliveryCost: 0 })).toEqual({
      amount: 45_000,
      fee: 4_900,
      delivery: 0,
    });
    expect(
      payoutFor({ credited: 49_900, returnShippingFee: 4_900, conditions: ['new', 'defective'], deliveryCost: 0 }),
    ).toEqual({ amount: 49_900, fee: 0, delivery: 0 });
    expect(payoutFor({ credited: 1_000, returnShippingFee: 4_900, conditions: [null], deliveryCost: 9_900 })).toEqual({
      amount: 9_900,
      fee: 1_000,
      delivery: 9_900,
    });
  });

  it('adds the bonus to store credit and hands out readable codes', () => {
    expect(storeCreditFor(49_900, 10)).toEqual({ principal: 49_900, bonus: 4_990, total: 54_890 });
    let i = 0;
    const code = storeCreditCode((n) => i++ % n);
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(code).not.toMatch(/[01IO]/);
  });
});
