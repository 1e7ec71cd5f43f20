/**
 * Money back, as rules: how much of a credit is paid out (fees, delivery), how it is spread over
 * the order's payments, and what store credit a customer gets instead. Pure: used by the refund
 * activities (under a lock on the order's payments) and by the property tests.
 */
import type { Condition } from './case-status.js';
import { allocate, percentOf, sum } from './money.js';

export const PAYMENT_PROVIDERS = ['stripe', 'klarna', 'adyen', 'vipps_mobilepay', 'gift_card', 'manual'] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

export const REFUND_METHODS = ['original_payment', 'store_credit'] as const;
export type RefundMethod = (typeof REFUND_METHODS)[number];

export const REFUND_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** The part of a credit that goes back to the customer, and why it differs from the credit. */
export interface Payout {
  /** Paid out: credited − fee + delivery. */
  amount: number;
  /** The policy's return shipping fee kept by the shop (0 for defective goods). */
  fee: number;
  /** The order's delivery cost, refunded when the whole order came back. */
  delivery: number;
}

export function payoutFor(args: {
  credited: number;
  returnShippingFee: number;
  conditions: readonly (Condition | null)[];
  /** The order's delivery cost, when this case brings back what is left of the whole order. */
  deliveryCost: number;
}): Payout {
  // The shop's fault costs the customer nothing: no fee when any returned item is defective.
  const waived = args.conditions.includes('defective');
  const fee = waived ? 0 : Math.min(args.returnShippingFee, args.credited);
  const delivery = Math.max(0, args.deliveryCost);
  return { amount: args.credited - fee + delivery, fee, delivery };
}

export interface PaymentRoom {
  paymentId: string;
  /** What the payment took. */
  amount: number;
  /** Already refunded or on its way (pending) by any case of the order. */
  refunded: number;
}

export interface RefundPart {
  paymentId: string;
  amount: number;
}

/**
 * THE allocation rule: a payout is spread over the order's payments in proportion to what each can
 * still give back (taken − refunded), largest remainder first, ties to the earlier payment. No
 * payment ever gives back more than it took, across all cases; what exceeds the total room is
 * returned as `shortfall` (never refunded silently).
 */
export function allocateRefund(
  amount: number,
  payments: readonly PaymentRoom[],
): { parts: RefundPart[]; shortfall: number } {
  if (!Number.isInteger(amount) || amount < 0) throw new RangeError(`refund ${amount} is not a non-negative integer`);
  const room = payments.map((p) => Math.max(0, p.amount - p.refunded));
  const payable = Math.min(amount, sum(room));
  const shares = payable === 0 ? room.map(() => 0) : allocate(payable, room);
  const parts = payments.flatMap((p, i) =>
    (shares[i] ?? 0) > 0 ? [{ paymentId: p.paymentId, amount: shares[i] ?? 0 }] : [],
  );
  return { parts, shortfall: amount - payable };
}

/** Store credit instead of money: the amount plus the policy's bonus (rounded like every percentage). */
export function storeCreditFor(
  amount: number,
  bonusPercent: number,
): { principal: number; bonus: number; total: number } {
  const bonus = percentOf(amount, bonusPercent);
  return { principal: amount, bonus, total: amount + bonus };
}

/** A store-credit code a customer can read out: 16 characters without look-alikes, in groups of four. */
export function storeCreditCode(random: (n: number) => number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const chars = Array.from({ length: 16 }, () => alphabet.charAt(random(alphabet.length)));
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}
