/** A case as the portal shows it: its schema, and the customer-safe subset of the case view. */
import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { CaseView } from '../../../db/case-view.js';
import type { Db } from '../../../db/client.js';
import { orderLines, storeCreditEntries } from '../../../db/schema.js';
import { CASE_STATUSES, CHANNELS, CONDITIONS, METHODS, WAITING_FOR } from '../../../domain/case-status.js';
import { FEE_FREE_REASONS, refundTerms, type Policy } from '../../../domain/policy.js';
import { PAYMENT_PROVIDERS, REFUND_METHODS, REFUND_STATUSES } from '../../../domain/refunds.js';
import { MinorUnits } from '../../schemas.js';
import { PortalLine } from './shared.js';

export const NEXT_STEPS = [
  'drop_off_parcel',
  'wait_for_receipt',
  'wait_for_inspection',
  'wait_for_refund',
  'wait_for_approval',
  'done',
] as const;

export const PortalCase = z
  .object({
    id: z.string(),
    orderId: z.string(),
    method: z.enum(METHODS),
    channel: z.enum(CHANNELS),
    status: z.enum(CASE_STATUSES),
    waitingFor: z.enum(WAITING_FOR).nullable(),
    deadline: z.string().nullable(),
    refundDueBy: z.string().nullable(),
    refundMethod: z.enum(REFUND_METHODS),
    lines: z.array(
      PortalLine.extend({
        reason: z.string(),
        condition: z.enum(CONDITIONS).nullable(),
      }),
    ),
    replacements: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
    label: z
      .object({
        carrier: z.string(),
        trackingNumber: z.string(),
        pdfUrl: z.string().openapi({ description: 'GET with the portal token: application/pdf' }),
        qrUrl: z.string().openapi({ description: 'GET with the portal token: image/svg+xml' }),
      })
      .nullable(),
    refunds: z.array(
      z.object({
        amount: MinorUnits,
        currency: z.string(),
        status: z.enum(REFUND_STATUSES),
        provider: z.enum(PAYMENT_PROVIDERS),
      }),
    ),
    creditNotes: z.array(z.object({ number: z.string(), amount: MinorUnits, currency: z.string() })),
    storeCredit: z
      .object({ code: z.string(), amount: MinorUnits, bonus: MinorUnits, currency: z.string() })
      .optional()
      .openapi({ description: 'the store credit issued for this case (amount includes the bonus)' }),
    fees: z.object({ returnShippingFee: MinorUnits, currency: z.string() }),
    timeline: z.array(z.object({ at: z.string(), type: z.string() })),
    nextStep: z.object({
      kind: z.enum(NEXT_STEPS),
      by: z.string().nullable().openapi({ description: 'the latest date for it, if there is one' }),
    }),
  })
  .openapi('PortalCase');

/** A case as the customer sees it: no internal notes, no policy snapshot, no provider references. */
export async function portalCase(db: Db, view: CaseView) {
  const [names, credit] = await Promise.all([
    db.select().from(orderLines).where(eq(orderLines.orderId, view.orderId)),
    db.select().from(storeCreditEntries).where(eq(storeCreditEntries.caseId, view.id)),
  ]);
  const nameOf = new Map(names.map((l) => [l.id, l.name]));
  const policy = view.policy as Policy;
  const base = `/v1/portal/returns/${encodeURIComponent(view.id)}/label`;
  const issued = credit.filter((e) => e.amount > 0);
  return {
    id: view.id,
    orderId: view.orderId,
    method: view.method,
    channel: view.channel,
    status: view.status,
    waitingFor: view.waitingFor,
    deadline: view.deadline,
    refundDueBy: view.refundDueBy,
    refundMethod: view.refundMethod,
    lines: view.lines.map((l) => ({
      orderLineId: l.orderLineId,
      sku: l.sku,
      name: nameOf.get(l.orderLineId) ?? l.sku,
      quantity: l.quantity,
      reason: l.reason,
      condition: l.condition,
    })),
    replacements: (view.replacements as { sku: string; quantity: number }[]).map((r) => ({
      sku: r.sku,
      quantity: r.quantity,
    })),
    label: view.label
      ? {
          carrier: view.label.carrier,
          trackingNumber: view.label.trackingNumber,
          pdfUrl: base,
          qrUrl: `${base}/qr.svg`,
        }
      : null,
    refunds: view.refunds.map((r) => ({
      amount: r.amount,
      currency: r.currency,
      status: r.status,
      provider: r.provider,
    })),
    creditNotes: view.creditNotes,
    ...(issued.length
      ? {
          storeCredit: {
            code: issued[0]!.code,
            amount: issued.reduce((s, e) => s + e.amount, 0),
            bonus: issued.reduce((s, e) => s + e.bonus, 0),
            currency: issued[0]!.currency,
          },
        }
      : {}),
    fees: { returnShippingFee: feeOf(view, policy), currency: view.currency },
    timeline: (view.timeline ?? []).map((e) => ({ at: e.at, type: e.type })),
    nextStep: nextStepOf(view),
  };
}

/** The return shipping fee kept: none when goods came back defective or were reported defective (before inspection). */
function feeOf(view: CaseView, policy: Policy): number {
  if (view.method !== 'return_to_stock' && view.method !== 'exchange') return 0;
  const inspected = view.lines.some((l) => l.condition !== null);
  const waived = inspected
    ? view.lines.some((l) => l.condition === 'defective')
    : view.lines.some((l) => FEE_FREE_REASONS.includes(l.reason));
  return waived ? 0 : refundTerms(policy).returnShippingFee;
}

/** What the customer does or waits for next, and by when. */
function nextStepOf(view: CaseView): { kind: (typeof NEXT_STEPS)[number]; by: string | null } {
  switch (view.status) {
    case 'completed':
    case 'cancelled':
    case 'expired':
    case 'rejected':
      return { kind: 'done', by: null };
    case 'awaiting_approval':
      return { kind: 'wait_for_approval', by: null };
    case 'requested':
    case 'awaiting_parcel':
      return { kind: 'drop_off_parcel', by: view.deadline };
    case 'in_transit':
      return { kind: 'wait_for_receipt', by: null };
    case 'received':
      return view.waitingFor === 'refund'
        ? { kind: 'wait_for_refund', by: view.refundDueBy }
        : { kind: 'wait_for_inspection', by: view.deadline };
    case 'inspected':
      return { kind: 'wait_for_refund', by: view.refundDueBy };
  }
}
