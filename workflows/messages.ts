/**
 * The workflow's public surface: ids, message names and search attributes, shared by the API
 * (which sends) and the workflow (which handles). Deterministic: safe to import in workflow code.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CaseStatus, Channel, Condition, Disposition, ReturnMethod, WaitingFor } from '../domain/case-status.js';
import type { Policy } from '../domain/policy.js';
import type { RefundMethod } from '../domain/refunds.js';

export const TASK_QUEUE_DEFAULT = 'returns';

export const caseWorkflowId = (caseId: string): string => `ReturnCase:${caseId}`;
/** One workflow per marketing campaign. */
export const campaignWorkflowId = (campaignId: string): string => `Campaign:${campaignId}`;

export const ReturnStatusAttribute = defineSearchAttributeKey('ReturnStatus', SearchAttributeType.KEYWORD);
export const WaitingForAttribute = defineSearchAttributeKey('WaitingFor', SearchAttributeType.KEYWORD);
export const WaitingSinceAttribute = defineSearchAttributeKey('WaitingSince', SearchAttributeType.DATETIME);
/** Registered on the Temporal namespace at start (dev server flags, test servers, `temporal operator`). */
export const CASE_SEARCH_ATTRIBUTES = [ReturnStatusAttribute, WaitingForAttribute, WaitingSinceAttribute];

export interface CaseLineInput {
  orderLineId: string;
  sku: string;
  name: string;
  quantity: number;
  reason: string;
  /** Paid per unit, minor units incl. VAT. */
  unitPrice: number;
  vatRate: number;
}

export interface ReplacementInput {
  sku: string;
  quantity: number;
  /** The replacement's price per unit when the case started (minor units, VAT included). */
  unitPrice: number;
}

export interface ReturnCaseInput {
  caseId: string;
  orderId: string;
  customerId: string;
  method: ReturnMethod;
  channel: Channel;
  currency: string;
  policy: Policy;
  lines: CaseLineInput[];
  /** Exchanges only. */
  replacements?: ReplacementInput[];
  shipReplacement?: 'immediately' | 'after_receipt';
  /** Credit only: the agreed amount (defaults to what was paid for the lines). */
  creditAmount?: number;
  /** The case was opened by scanning its parcel (a pre-issued label): the parcel is already in. */
  openedByScan?: ParcelScan;
  /** Absent in cases started before refunds existed: original payment. */
  refundMethod?: RefundMethod;
  /** The latest the refund may settle (case start + policy refundDeadline); absent in older cases. */
  refundDueBy?: string;
  /** A flagged customer (blocklist, serial returner): the goods-back case waits for a manager's approval first, for this reason. */
  approvalReason?: string;
}

export interface ApprovalInput {
  approved: boolean;
  note?: string;
  approvedBy: string;
}

export interface ParcelScan {
  trackingNumber: string;
  scannedBy: string;
  location?: string;
}

/** A carrier reports the return parcel on its way (picked up, in transit, out for delivery). */
export interface ParcelTransit {
  trackingNumber: string;
  carrier: string;
  /** The carrier's own status. */
  status: string;
  occurredAt?: string;
  location?: string;
}

export interface InspectionInput {
  lines: { orderLineId: string; condition: Condition; disposition: Disposition }[];
  note?: string;
  inspectedBy: string;
}

export interface CancelInput {
  reason: string;
  cancelledBy: string;
}

export interface CaseState {
  status: CaseStatus;
  waitingFor: WaitingFor | null;
  waitingSince: string | null;
  deadline: string | null;
  stuck: boolean;
  settling: boolean;
}

/** Failure types of the update validators (domain/case-guards.ts), mapped by the API to HTTP statuses. */
export { CASE_ALREADY_SETTLED, CASE_NOT_WAITING, INVALID_INSPECTION, REFUND_NOT_OPEN } from '../domain/case-guards.js';

export const parcelReceived = defineSignal<[ParcelScan]>('parcelReceived');
/** Moves a case waiting for its parcel to in_transit (waiting for receipt); ignored once received. */
export const parcelInTransit = defineSignal<[ParcelTransit]>('parcelInTransit');
export const inspect = defineUpdate<CaseState, [InspectionInput]>('inspect');
export const cancelCase = defineUpdate<CaseState, [CancelInput]>('cancel');
export const approve = defineUpdate<CaseState, [ApprovalInput]>('approve');
/** Another label for a case that goes back in several parcels; answers the new label. */
export const addParcel = defineUpdate<
  { carrier: string; trackingNumber: string; url: string },
  [{ requestedBy: string }]
>('addParcel');
/** E-mails the case's label once more (a distinct e-mail per request); answers the e-mail kind sent. */
export const resendLabel = defineUpdate<{ kind: string }, [{ requestedBy: string }]>('resendLabel');
export const caseState = defineQuery<CaseState>('caseState');

/** A manager moves the deadline of what the case waits for now (approval, parcel, inspection) and clears `stuck`. */
export interface DeadlineExtensionInput {
  /** ISO 8601 duration, added to the current deadline (or to now, when that already passed). */
  extendBy: string;
  reason: string;
  extendedBy: string;
  /** The API key that asked (absent for system callers). */
  extendedByKeyId?: string;
}
export const extendDeadline = defineUpdate<CaseState, [DeadlineExtensionInput]>('extendDeadline');

/** A payment provider's notification settled a refund (payment webhooks). */
export interface RefundUpdate {
  refundId: string;
  status: 'pending' | 'succeeded' | 'failed';
  reason?: string | null;
}
export const refundUpdated = defineSignal<[RefundUpdate]>('refundUpdated');
/** Finance tries a refused refund again (a new attempt, a new idempotency key); answers the refund. */
export const retryRefund = defineUpdate<RefundUpdate, [{ refundId: string; requestedBy: string }]>('retryRefund');
/** Finance paid a refund out by hand or confirmed a manual payout; answers the refund. */
export const settleRefund = defineUpdate<RefundUpdate, [{ refundId: string; note: string; settledBy: string }]>(
  'settleRefund',
);
