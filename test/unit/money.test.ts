import { describe, expect, it } from 'vitest';
import { divideRounded, isMinorUnits, percentOf, sum, vatIncluded } from '../../domain/money.js';

/** Reference: a·m / d rounded half away from zero, all in BigInt (d > 0). */
function refMulDiv(a: number, m: number, d: number): number {
  const num = BigInt(a) * BigInt(m);
  const den = BigInt(d);
  const neg = num < 0n;
  const abs = neg ? -num : num;
  const q = (abs * 2n + den) / (den * 2n);
  return Number(neg ? -q : q);
}

/** mulberry32: a tiny seeded PRNG, so a failing case is reproducible. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('divideRounded', () => {
  it('rounds half away from zero', () => {
    expect(divideRounded(5, 2)).toBe(3);
    expect(divideRounded(7, 2)).toBe(4);
    expect(divideRounded(1, 2)).toBe(1);
    expect(divideRounded(1, 3)).toBe(0);
    expect(divideRounded(2, 3)).toBe(1);
    expect(divideRounded(249, 100)).toBe(2);
    expect(divideRounded(250, 100)).toBe(3);
    expect(divideRounded(251, 100)).toBe(3);
    expect(divideRounded(10, 5)).toBe(2);
    expect(divideRounded(0, 7)).toBe(0);
  });

  it('rounds negatives away from zero too (not towards +∞)', () => {
    expect(divideRounded(-5, 2)).toBe(-3);
    expect(divideRounded(5, -2)).toBe(-3);
    expect(divideRounded(-5, -2)).toBe(3);
    expect(divideRounded(-1, 2)).toBe(-1);
    expect(divideRounded(-1, 3)).toBe(0);
    expect(divideRounded(-2, 3)).toBe(-1);
    expect(divideRounded(-249, 100)).toBe(-2);
    expect(divideRounded(-250, 100)).toBe(-3);
    // is symmetric: f(-a, b) === -f(a, b)
    for (const [a, b] of [
      [7, 4],
      [9, 6],
      [123_456, 1000],
      [1, 1],
    ] as const) {
      expect(divideRounded(-a, b)).toBe(-divideRounded(a, b));
    }
  });

  it('is exact with big safe integers, where float division would round wrongly', () => {
    const max = Number.MAX_SAFE_INTEGER; // 9007199254740991
    expect(divideRounded(max, 1)).toBe(max);
    expect(divideRounded(max, 2)).toBe(4_503_599_627_370_496); // .5 → up
    expect(divideRounded(-max, 2)).toBe(-4_503_599_627_370_496);
    expect(divideRounded(max - 1, 2)).toBe(4_503_599_627_370_495);
    expect(divideRounded(max, 10)).toBe(900_719_925_474_099); // ...0991 / 10 = ...099.1
    expect(divideRounded(max - 4, 10)).toBe(900_719_925_474_099); // ...0987 / 10 = ...098.7
    expect(divideRounded(max - 6, 10)).toBe(900_719_925_474_099); // ...0985 / 10 = ...098.5 → up
    expect(divideRounded(max, max)).toBe(1);
    expect(divideRounded(max - 1, max)).toBe(1);
    expect(divideRounded(1, max)).toBe(0);
  });

  it('rejects division by zero', () => {
    expect(() => divideRounded(1, 0)).toThrow(RangeError);
  });
});

describe('percentOf', () => {
  it('takes whole and two-decimal percents', () => {
    expect(percentOf(10_000, 20)).toBe(2000);
    expect(percentOf(159_800, 20)).toBe(31_960);
    expect(percentOf(10_000, 12.5)).toBe(1250);
    expect(percentOf(999, 12.5)).toBe(125); // 124.875
    expect(percentOf(100, 0.5)).toBe(1); // 0.5 → away from zero
    expect(percentOf(99, 0.5)).toBe(0); // 0.495
    expect(percentOf(12_345, 33.33)).toBe(4115); // 4114.5885
    expect(percentOf(1000, 0.29)).toBe(3); // 0.29·100 is 28.999… in floating point
    expect(percentOf(1000, 0.07)).toBe(1); // 0.07·100 is 7.000…1
    expect(percentOf(12_345, 0)).toBe(0);
    expect(percentOf(12_345, 100)).toBe(12_345);
    expect(percentOf(0, 50)).toBe(0);
  });

  it('rounds negative amounts away from zero', () => {
    expect(percentOf(-999, 12.5)).toBe(-125);
    expect(percentOf(-100, 0.5)).toBe(-1);
  });

  it('rejects a percent with more than two decimals', () => {
    expect(() => percentOf(10_000, 12.345)).toThrow(/more than two decimals/);
    expect(() => percentOf(10_000, 0.001)).toThrow(RangeError);
    expect(() => percentOf(10_000, 1.005)).toThrow(RangeError);
    expect(() => percentOf(10_000, 1 / 3)).toThrow(RangeError);
  });

  it('stays exact for large amounts (the product is taken in BigInt)', () => {
    // amount · basis points is far beyond 2^53 here; float arithmetic would lose the last digits.
    const amount = 9_007_199_254_740_991;
    expect(percentOf(amount, 50)).toBe(4_503_599_627_370_496); // 4503599627370495.5 → up
    expect(percentOf(amount, 50)).toBe(refMulDiv(amount, 5000, 10_000));
    expect(percentOf(amount, 12.34)).toBe(refMulDiv(amount, 1234, 10_000));
    expect(percentOf(123_456_789_012_345, 33.33)).toBe(refMulDiv(123_456_789_012_345, 3333, 10_000));
  });
});

describe('vatIncluded', () => {
  it('extracts the VAT contained in a gross amount', () => {
    expect(vatIncluded(12_500, 25)).toBe(2500);
    expect(vatIncluded(99, 25)).toBe(20); // 19.8
    expect(vatIncluded(127_840, 25)).toBe(25_568);
    expect(vatIncluded(11_500, 15)).toBe(1500);
    expect(vatIncluded(10_600, 6)).toBe(600);
    expect(vatIncluded(1000, 12.5)).toBe(111); // 111.11…
    expect(vatIncluded(5, 25)).toBe(1); // exactly 1
    expect(vatIncluded(3, 25)).toBe(1); // 0.6
    expect(vatIncluded(2, 25)).toBe(0); // 0.4
  });

  it('is 0 at 0 % and for 0 gross', () => {
    expect(vatIncluded(12_500, 0)).toBe(0);
    expect(vatIncluded(0, 25)).toBe(0);
  });

  it('rejects a rate with more than two decimals', () => {
    expect(() => vatIncluded(12_500, 12.345)).toThrow(RangeError);
  });

  it('stays exact for large amounts', () => {
    const gross = 9_007_199_254_740_978; // gross · 2500 as a float is off by enough to round the wrong way
    expect(vatIncluded(gross, 25)).toBe(1_801_439_850_948_196);
    expect(vatIncluded(gross, 25)).toBe(refMulDiv(gross, 2500, 12_500));
    expect(vatIncluded(9_007_199_254_740_991, 12.5)).toBe(refMulDiv(9_007_199_254_740_991, 1250, 11_250));
  });
});

describe('sum and isMinorUnits', () => {
  it('sums', () => {
    expect(sum([])).toBe(0);
    expect(sum([5])).toBe(5);
    expect(sum([127_840, 32_406, 9999, -100])).toBe(170_145);
  });

  it('accepts only safe integers as minor units', () => {
    expect(isMinorUnits(0)).toBe(true);
    expect(isMinorUnits(-5)).toBe(true);
    expect(isMinorUnits(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(isMinorUnits(1.5)).toBe(false);
    expect(isMinorUnits(Number.MAX_SAFE_INTEGER + 1)).toBe(false);
    expect(isMinorUnits(Number.NaN)).toBe(false);
    expect(isMinorUnits('100')).toBe(false);
  });
});

describe('properties (seeded random cases)', () => {
  const rand = prng(20_251_101);
  const int = (max: number) => Math.floor(rand() * (max + 1));
  const CASES = 5000;
  const EDGE_BP = [0, 1, 50, 1250, 5000, 9999, 10_000];

  it('a fee of 0–100 % splits an amount exactly, lies within [0, amount] and matches the exact rounding', () => {
    for (let i = 0; i < CASES; i++) {
      const amount = i % 10 === 0 ? int(1e12) : int(2_000_000);
      const bp = i % 7 === 0 ? EDGE_BP[int(EDGE_BP.length - 1)]! : int(10_000);
      const percent = bp / 100; // up to two decimals, as a policy has them
      const fee = percentOf(amount, percent);
      const ctx = `amount=${amount} percent=${percent}`;
      expect(Number.isSafeInteger(fee), ctx).toBe(true);
      expect(amount - fee + fee, ctx).toBe(amount);
      expect(fee, ctx).toBeGreaterThanOrEqual(0);
      expect(fee, ctx).toBeLessThanOrEqual(amount);
      expect(fee, ctx).toBe(refMulDiv(amount, bp, 10_000));
      // monotone: a higher percent never gives a lower fee
      if (bp < 10_000) expect(percentOf(amount, (bp + 1) / 100), ctx).toBeGreaterThanOrEqual(fee);
    }
  });

  it('the VAT inside a gross amount is within [0, gross] and matches the exact rounding', () => {
    for (let i = 0; i < CASES; i++) {
      const gross = int(5_000_000);
      const bp = [0, 600, 1000, 1200, 1250, 1500, 2100, 2500, 2550][int(8)]!;
      const vat = vatIncluded(gross, bp / 100);
      const ctx = `gross=${gross} rate=${bp / 100}`;
      expect(vat, ctx).toBeGreaterThanOrEqual(0);
      expect(vat, ctx).toBeLessThanOrEqual(gross);
      expect(vat, ctx).toBe(refMulDiv(gross, bp, 10_000 + bp));
      // net + VAT = gross, and the VAT is within half a minor unit of net · rate
      const net = gross - vat;
      expect(Math.abs(vat * 10_000 - net * bp), ctx).toBeLessThanOrEqual((10_000 + bp) / 2);
    }
  });

  it('divideRounded agrees with an exact BigInt reference, including negatives', () => {
    for (let i = 0; i < CASES; i++) {
      const a = int(2_000_000_000) - 1_000_000_000;
      const b = int(9999) + 1;
      expect(divideRounded(a, b), `${a}/${b}`).toBe(refMulDiv(a, 1, b));
      expect(divideRounded(a, -b), `${a}/-${b}`).toBe(-refMulDiv(a, 1, b));
    }
  });
});
