/** What opening a case takes and answers, whatever the channel. */
import type { Channel, ReturnMethod } from '../domain/case-status.js';
import type { Policy, RequestedLine } from '../domain/policy.js';
import type { RefundMethod } from '../domain/refunds.js';
import type { orderLines, PostalAddress, products } from '../db/schema.js';
import type { ParcelScan } from '../workflows/messages.js';

export type OrderLineRow = typeof orderLines.$inferSelect;
export type ProductRow = typeof products.$inferSelect;

export interface RequestedCaseLine extends RequestedLine {
  reason: string;
}

/** What is known inside the locked transaction, for lines chosen by what is still returnable. */
export interface LineContext {
  orderLines: OrderLineRow[];
  /** Quantity per order line that other open or completed cases already claim. */
  claimed: ReadonlyMap<string, number>;
  products: ReadonlyMap<string, ProductRow>;
  policy: Policy;
}

export interface OpenCaseInput {
  orderId: string;
  method: ReturnMethod;
  channel: Channel;
  /** The lines, or a choice made under the order's row locks (e.g. everything still returnable). */
  lines: RequestedCaseLine[] | ((ctx: LineContext) => RequestedCaseLine[]);
  replacements?: { sku: string; quantity: number }[];
  shipReplacement?: 'immediately' | 'after_receipt';
  creditAmount?: number;
  note?: string;
  /** Money back to the original payment (default) or as store credit with the policy's bonus. */
  refundMethod?: RefundMethod;
  /** The label's FROM address (the customer corrected it in the portal); default the customer's address. */
  returnAddress?: PostalAddress;
}

export interface OpenCaseOptions {
  /** `Idempotency-Key` of the request: a retry with the same key and body answers the same case. */
  idempotencyKey?: string;
  /** What the key is bound to (default: a hash of `input`). */
  requestHash?: string;
  /**
   * A pre-issued label (pre_issued_labels) the case takes as its own label. It is claimed in the
   * creating transaction; when another case already has it, `LabelAlreadyClaimed` is thrown.
   */
  trackingNumber?: string;
  /** The dock scan that opened the case: its parcel is already in (no label e-mail, straight to received). */
  openedByScan?: ParcelScan;
}

export interface OpenedCase {
  caseId: string;
  /** True when an earlier request with the same Idempotency-Key created the case. */
  replayed: boolean;
}
