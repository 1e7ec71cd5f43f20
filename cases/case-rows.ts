/** A case's id and rows: written in the opening transaction, taken back when its workflow never started. */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { caseLines, idempotencyKeys, labelDocuments, preIssuedLabels, returnCases } from '../db/schema.js';
import { replacementValue } from '../domain/exchange.js';
import { paidValue } from '../domain/settlement.js';
import type { CaseDraft } from './case-draft.js';
import type { CaseTx } from './transaction.js';

/** Crockford base32, no look-alike letters: readable on the phone. */
export function newCaseId(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return `RET-${[...randomBytes(10)].map((b) => alphabet[b % 32]).join('')}`;
}

export async function recordCase(tx: CaseTx, d: CaseDraft): Promise<void> {
  const { body, order, caseId, label } = d;
  await tx.insert(returnCases).values({
    id: caseId,
    refundMethod: d.refundMethod,
    refundDueBy: d.refundDueBy,
    orderId: order.id,
    customerId: order.customerId,
    method: body.method,
    channel: body.channel,
    status: 'requested',
    currency: order.currency,
    policy: d.policy,
    replacements: d.replacements,
    shipReplacement: body.method === 'exchange' ? (body.shipReplacement ?? 'after_receipt') : null,
    creditAmount: d.creditAmount ?? null,
    priceDifference: d.exchange ? replacementValue(d.replacements) - paidValue(d.paidLines) : null,
    note: body.note ?? null,
    returnAddress: d.returnAddress,
    approvalReason: d.approvalReason,
    // With a label already set, the workflow's issueReturnLabel keeps it and answers it.
    ...(label ? { labelCarrier: label.carrier, trackingNumber: label.trackingNumber, labelUrl: label.url } : {}),
  });
  await tx.insert(caseLines).values(
    d.requested.map((l) => ({
      caseId,
      orderId: order.id,
      orderLineId: l.orderLineId,
      sku: d.byId.get(l.orderLineId)!.sku,
      quantity: l.quantity,
      reason: l.reason,
    })),
  );
}

/** Takes back a case whose workflow never started, so that it claims nothing (nor its label). */
export async function withdrawCase(db: Db, caseId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(idempotencyKeys).where(eq(idempotencyKeys.resourceId, caseId));
    await tx.update(preIssuedLabels).set({ caseId: null }).where(eq(preIssuedLabels.caseId, caseId));
    await tx.delete(caseLines).where(eq(caseLines.caseId, caseId));
    // A pre-issued label drawn while this case held it.
    await tx.delete(labelDocuments).where(eq(labelDocuments.caseId, caseId));
    await tx.delete(returnCases).where(eq(returnCases.id, caseId));
  });
}
