/** What the checks in the opening transaction settled: the case's rows and its workflow's input are made of it. */
import type { PostalAddress } from '../db/schema.js';
import type { Policy } from '../domain/policy.js';
import type { RefundMethod } from '../domain/refunds.js';
import type { OpenCaseInput, OrderLineRow, RequestedCaseLine } from './case-request.js';
import type { ClaimedLabel } from './label-claim.js';
import type { OrderRow, PaidLine } from './line-check.js';
import type { PricedReplacement } from './replacements.js';

export interface CaseDraft {
  caseId: string;
  body: OpenCaseInput;
  order: OrderRow;
  policy: Policy;
  exchange: boolean;
  requested: RequestedCaseLine[];
  /** The order's lines by id. */
  byId: ReadonlyMap<string, OrderLineRow>;
  paidLines: PaidLine[];
  replacements: PricedReplacement[];
  creditAmount: number | undefined;
  refundMethod: RefundMethod;
  refundDueBy: Date;
  returnAddress: PostalAddress | null;
  approvalReason: string | null;
  label: ClaimedLabel | undefined;
}
