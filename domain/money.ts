/**
 * Money is an integer amount in minor units plus an ISO 4217 currency. Never floats.
 *
 * Rounding rule (one rule, used everywhere): a derived amount (fee, VAT) is computed exactly with
 * integers and rounded half away from zero to the nearest minor unit, per line; totals are sums of
 * the rounded line amounts, so a document's lines always add up to its total.
 */
export interface Money {
  amount: number;
  currency: string;
}

export function isMinorUnits(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n);
}

/** a / b rounded half away from zero, exact for any safe integers (BigInt inside). */
export function divideRounded(a: number, b: number): number {
  return mulDivRounded(a, 1, b);
}

/** a · m / b rounded half away from zero; the product is taken in BigInt, so it may exceed 2^53. */
function mulDivRounded(a: number, m: number, b: number): number {
  if (b === 0) throw new RangeError('division by zero');
  const num = BigInt(a) * BigInt(m) * (b < 0 ? -1n : 1n);
  const den = BigInt(Math.abs(b));
  const sign = num < 0n ? -1n : 1n;
  const abs = num * sign;
  const q = abs / den;
  const r = abs % den;
  return Number((r * 2n >= den ? q + 1n : q) * sign);
}

/** Percent may carry up to two decimals (e.g. 12.5); it is taken in basis points. */
function basisPoints(percent: number): number {
  const bp = Math.round(percent * 100);
  if (Math.abs(bp - percent * 100) > 1e-6) throw new RangeError(`percent ${percent} has more than two decimals`);
  return bp;
}

/** `percent` % of `amount`, rounded per the rule above. */
export function percentOf(amount: number, percent: number): number {
  return mulDivRounded(amount, basisPoints(percent), 10_000);
}

/** The VAT contained in a VAT-inclusive gross amount at `vatRatePercent`. */
export function vatIncluded(gross: number, vatRatePercent: number): number {
  const bp = basisPoints(vatRatePercent);
  return mulDivRounded(gross, bp, 10_000 + bp);
}

export function sum(amounts: readonly number[]): number {
  return amounts.reduce((a, b) => a + b, 0);
}

/**
 * Splits `total` over parts in proportion to `weights` (largest remainder): the parts are integers,
 * add up to `total` exactly, and no part exceeds its proportional share by more than one unit.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  const weightSum = sum(weights);
  if (weights.length === 0) return [];
  if (weightSum === 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const exact = weights.map((w) => (BigInt(total) * BigInt(w)) / BigInt(weightSum));
  const parts = exact.map(Number);
  let rest = total - sum(parts);
  const byRemainder = weights
    .map((w, i) => ({ i, r: (BigInt(total) * BigInt(w)) % BigInt(weightSum) }))
    .sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of byRemainder) {
    if (rest <= 0) break;
    parts[i]! += 1;
    rest -= 1;
  }
  return parts;
}
