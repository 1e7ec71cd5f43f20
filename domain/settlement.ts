import type { Condition, Disposition } from './case-status.js';
import { percentOf, sum, vatIncluded } from './money.js';
import { restockingFeePercent, type Policy } from './policy.js';

export interface InspectedLine {
  orderLineId: string;
  sku: string;
  quantity: number;
  /** Paid price per unit in minor units, VAT included. */
  unitPrice: number;
  vatRate: number;
  condition: Condition;
  disposition: Disposition;
}

export interface CreditNoteLine {
  orderLineId: string;
  sku: string;
  quantity: number;
  /** What was paid for these units. */
  paid: number;
  restockingFeePercent: number;
  restockingFee: number;
  /** Credited, VAT included: paid minus fee. */
  amount: number;
  vatRate: number;
  vat: number;
}

export interface CreditNoteDraft {
  currency: string;
  amount: number;
  vat: number;
  lines: CreditNoteLine[];
}

/** The credit for returned goods: the paid amount per line minus the policy's fee for its condition. */
export function creditForReturnedLines(lines: readonly InspectedLine[], policy: Policy, currency: string): CreditNoteDraft {
  const noteLines = lines.map((line): CreditNoteLine => {
    const paid = line.unitPrice * line.quantity;
    const feePercent = restockingFeePercent(policy, line.condition);
    const fee = percentOf(paid, feePercent);
    const amount = paid - fee;
    return {
      orderLineId: line.orderLineId,
      sku: line.sku,
      quantity: line.quantity,
      paid,
      restockingFeePercent: feePercent,
      restockingFee: fee,
      amount,
      vatRate: line.vatRate,
      vat: vatIncluded(amount, line.vatRate),
    };
  });
  return {
    currency,
    amount: sum(noteLines.map((l) => l.amount)),
    vat: sum(noteLines.map((l) => l.vat)),
    lines: noteLines,
  };
}
