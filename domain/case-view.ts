/**
 * The case view of shared/API.md, declared once: the API validates and documents with this schema
 * (api/schemas.ts names it for /openapi.json), db/case-view.ts reads the projection into its type.
 */
import { z } from 'zod';
import { CHARGE_STATUSES, HOLD_STATUSES } from './charges.js';
import { CASE_STATUSES, CHANNELS, CONDITIONS, DISPOSITIONS, METHODS, WAITING_FOR } from './case-status.js';
import { PAYMENT_PROVIDERS, REFUND_METHODS, REFUND_STATUSES } from './refunds.js';

/** One money movement back to the customer, as API.md's `refunds[]` shows it. */
export const RefundViewSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  purpose: z.string(),
  provider: z.enum(PAYMENT_PROVIDERS),
  providerReference: z.string().nullable(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.enum(REFUND_STATUSES),
  failureReason: z.string().nullable(),
  createdAt: z.string(),
  settledAt: z.string().nullable(),
});
export type RefundView = z.infer<typeof RefundViewSchema>;

export const CaseViewSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  customerId: z.string(),
  method: z.enum(METHODS),
  channel: z.enum(CHANNELS),
  status: z.enum(CASE_STATUSES),
  waitingFor: z.enum(WAITING_FOR).nullable(),
  waitingSince: z.string().nullable(),
  deadline: z.string().nullable(),
  stuck: z.boolean(),
  stuckReason: z.string().nullable(),
  currency: z.string(),
  lines: z.array(
    z.object({
      orderLineId: z.string(),
      sku: z.string(),
      quantity: z.number().int(),
      reason: z.string(),
      condition: z.enum(CONDITIONS).nullable(),
      disposition: z.enum(DISPOSITIONS).nullable(),
    }),
  ),
  replacements: z.array(z.unknown()),
  label: z.object({ carrier: z.string(), trackingNumber: z.string(), url: z.string().nullable() }).nullable(),
  // Every parcel of the case: the label's, then any further ones, with when each was scanned in.
  parcels: z.array(
    z.object({
      parcelNo: z.number().int(),
      carrier: z.string(),
      trackingNumber: z.string(),
      url: z.string().nullable(),
      receivedAt: z.string().nullable(),
    }),
  ),
  creditNotes: z.array(z.object({ number: z.string(), amount: z.number().int(), currency: z.string() })),
  shipments: z.array(
    z.object({
      id: z.string(),
      sku: z.string(),
      quantity: z.number().int(),
      trackingNumber: z.string(),
      status: z.string(),
    }),
  ),
  // What the customer owes: `collected` (charged to the card, `providerReference`), `payment_link`
  // (`paymentUrl` to pay), `recorded` (the shop collects), `failed`.
  charges: z.array(
    z.object({
      amount: z.number().int(),
      currency: z.string(),
      reason: z.string(),
      purpose: z.string(),
      status: z.enum(CHARGE_STATUSES),
      paymentUrl: z.string().nullable(),
      providerReference: z.string().nullable(),
    }),
  ),
  /** The card authorization securing a replacement shipped before the return arrived, if any. */
  authorizationHold: z
    .object({ amount: z.number().int(), currency: z.string(), status: z.enum(HOLD_STATUSES) })
    .nullable(),
  priceDifference: z.object({ amount: z.number().int(), currency: z.string() }).nullable(),
  refundMethod: z.enum(REFUND_METHODS),
  refunds: z.array(RefundViewSchema),
  /** The latest the money may be back (case start + the policy's refundDeadline). */
  refundDueBy: z.string().nullable(),
  policy: z.unknown(),
  note: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
  /** Why a new case waits for a manager (a flagged customer), if it does. */
  approvalReason: z.string().nullable().optional(),
  /** The e-mails sent to the customer about the case (case view only, not in lists). */
  emails: z
    .array(
      z.object({
        kind: z.string(),
        recipient: z.string(),
        subject: z.string(),
        status: z.string(),
        sentAt: z.string().nullable(),
      }),
    )
    .optional(),
  timeline: z.array(z.object({ at: z.string(), type: z.string(), detail: z.unknown() })).optional(),
});

export type CaseView = z.infer<typeof CaseViewSchema>;
