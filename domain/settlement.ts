import type { Condition, Disposition } from './case-status.js';
import { allocate, percentOf, sum, vatIncluded } from './money.js';
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
  /** Set when an earlier credit on the line left less room than this note wanted. */
  cappedFrom?: number;
}

export interface CreditNoteDraft {
  currency: string;
  amount: number;
  vat: number;
  lines: CreditNoteLine[];
}

/** The credit for returned goods: the paid amount per line minus the policy's fee for its condition. */
export function creditForReturnedLines(
  lines: readonly InspectedLine[],
  policy: Policy,
  currency: string,
): CreditNoteDraft {
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

export interface PaidLine {
  orderLineId: string;
  sku: string;
  quantity: number;
  unitPrice: number;
  vatRate: number;
}

/** What was paid for these lines (minor units, VAT included). */
export function paidValue(lines: readonly PaidLine[]): number {
  return sum(lines.map((l) => l.unitPrice * l.quantity));
}

/**
 * A credit of `amount` spread over the lines in proportion to what was paid for each (credit only,
 * or a price difference in the customer's favour), with VAT per line at the line's rate.
 */
export function creditForAmount(lines: readonly PaidLine[], amount: number, currency: string): CreditNoteDraft {
  const paid = lines.map((l) => l.unitPrice * l.quantity);
  if (amount < 0 || amount > sum(paid)) throw new RangeError(`credit ${amount} outside 0..${sum(paid)}`);
  const parts = allocate(amount, paid);
  const noteLines = lines.map((l, i): CreditNoteLine => ({
    orderLineId: l.orderLineId,
    sku: l.sku,
    quantity: l.quantity,
    paid: paid[i]!,
    restockingFeePercent: 0,
    restockingFee: 0,
    amount: parts[i]!,
    vatRate: l.vatRate,
    vat: vatIncluded(parts[i]!, l.vatRate),
  }));
  return { currency, amount, vat: sum(noteLines.map((l) => l.vat)), lines: noteLines };
}

/**
 * Caps a draft so that no order line is ever credited beyond what was paid for it, given what
 * earlier credit notes of the order already credited (`room` = paid − credited, per line).
 */
export function capToCreditable(draft: CreditNoteDraft, room: ReadonlyMap<string, number>): CreditNoteDraft {
  const lines = draft.lines.map((l) => {
    const amount = Math.min(l.amount, Math.max(0, room.get(l.orderLineId) ?? 0));
    return amount === l.amount ? l : { ...l, amount, vat: vatIncluded(amount, l.vatRate), cappedFrom: l.amount };
  });
  return { ...draft, lines, amount: sum(lines.map((l) => l.amount)), vat: sum(lines.map((l) => l.vat)) };
}
