/**
 * Exchanges: the replacement's value against the returned goods' paid value. A positive difference
 * is owed by the customer (a charge), a negative one is credited (a credit note).
 */
import { sum } from './money.js';
import type { Policy } from './policy.js';

export interface Replacement {
  sku: string;
  quantity: number;
  /** Current price per unit in minor units, VAT included. */
  unitPrice: number;
}

export function replacementValue(replacements: readonly Replacement[]): number {
  return sum(replacements.map((r) => r.unitPrice * r.quantity));
}

/** replacement value − returned value: > 0 the customer pays, < 0 the customer is credited. */
export function priceDifference(returnedValue: number, replacements: readonly Replacement[]): number {
  return replacementValue(replacements) - returnedValue;
}

/** Waiving a return above the policy's limit needs a manager. */
export function needsApproval(policy: Policy, replacements: readonly Replacement[]): boolean {
  return replacementValue(replacements) > policy.exchangeWithoutReturnMaxValue;
}
