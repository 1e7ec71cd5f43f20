/** The case workflow's input, made of the same settled facts as the case's rows. */
import type { CaseLineInput, ParcelScan, ReturnCaseInput } from '../workflows/messages.js';
import type { CaseDraft } from './case-draft.js';

export function caseInputOf(d: CaseDraft, openedByScan: ParcelScan | undefined): ReturnCaseInput {
  const { body, order, creditAmount, approvalReason } = d;
  return {
    caseId: d.caseId,
    orderId: order.id,
    customerId: order.customerId,
    method: body.method,
    channel: body.channel,
    currency: order.currency,
    policy: d.policy,
    lines: d.requested.map((l) => caseLineInput(l, d.byId.get(l.orderLineId)!)),
    ...(d.exchange ? { replacements: d.replacements } : {}),
    ...(body.method === 'exchange' ? { shipReplacement: body.shipReplacement ?? 'after_receipt' } : {}),
    ...(creditAmount !== undefined ? { creditAmount } : {}),
    ...(openedByScan ? { openedByScan } : {}),
    refundMethod: d.refundMethod,
    refundDueBy: d.refundDueBy.toISOString(),
    ...(approvalReason ? { approvalReason } : {}),
  };
}

/** One returned line as the workflow sees it: what was asked for, priced as the order line was paid. */
export function caseLineInput(
  requested: { orderLineId: string; quantity: number; reason: string },
  orderLine: { sku: string; name: string; unitPrice: number; vatRate: number },
): CaseLineInput {
  return {
    orderLineId: requested.orderLineId,
    sku: orderLine.sku,
    name: orderLine.name,
    quantity: requested.quantity,
    reason: requested.reason,
    unitPrice: orderLine.unitPrice,
    vatRate: orderLine.vatRate,
  };
}
