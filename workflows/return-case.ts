/**
 * One return case, from request to its end state, as one durable workflow. It waits for real-world
 * events (scan, inspection, approval, cancel), each wait bounded by the case's policy snapshot, and
 * performs every effect through idempotent activities keyed by case id + step.
 *
 * The steps live in workflows/case/: context (state and the moves every step is made of), handlers
 * (messages and their gates), goods-back (label, parcel, inspection) and settlement (goods, money,
 * endings). Replay histories in test/histories pin the order of commands: keep it, or `patched()`.
 */
import { allHandlersFinished, condition, patched } from '@temporalio/workflow';
import type { CaseStatus } from '../domain/case-status.js';
import { durationMs } from '../domain/duration.js';
import { needsApproval, replacementValue } from '../domain/exchange.js';
import { policyDeadlines, refundTerms } from '../domain/policy.js';
import { creditForAmount, creditForReturnedLines, paidValue } from '../domain/settlement.js';
import { acts, openCase, type CaseContext } from './case/context.js';
import { awaitInspection, awaitParcel, receiveParcel, sendLabel } from './case/goods-back.js';
import { awaitRefunds, requestRefunds } from './case/refunds.js';
import { takeMessages } from './case/handlers.js';
import {
  complete,
  creditAndRefund,
  expire,
  finishCancelled,
  holdReplacementValue,
  issueCredit,
  moveReturnedStock,
  releaseHold,
  settlePriceDifference,
  shipReplacementsWhenInStock,
} from './case/settlement.js';
import type { ReturnCaseInput } from './messages.js';

/** A flagged customer's goods-back case waits for a manager's approval before its label. */
export const FLAGGED_APPROVAL_PATCH = 'flagged-approval-v1';
/** The customer hears that a manager approved (before it, only a rejection was e-mailed). */
export const APPROVAL_EMAIL_PATCH = 'approval-email-v1';

export async function returnCase(input: ReturnCaseInput): Promise<CaseStatus> {
  const ctx = openCase(input);
  takeMessages(ctx);
  await ctx.record({
    key: 'started',
    type: 'case.started',
    detail: { method: input.method, channel: input.channel, policy: input.policy.market },
  });
  const end = ctx.inbox.cancel ? await finishCancelled(ctx) : await runMethod(ctx);
  // An update still answering (e.g. a cancel waiting for its timeline entry) finishes first.
  await condition(allHandlersFinished);
  return end;
}

function runMethod(ctx: CaseContext): Promise<CaseStatus> {
  switch (ctx.input.method) {
    case 'credit_only':
      return creditOnly(ctx);
    case 'exchange_without_return':
      return exchangeWithoutReturn(ctx);
    case 'return_to_stock':
    case 'exchange':
      return goodsBack(ctx);
  }
}

/** No goods move: a credit note at once. */
async function creditOnly(ctx: CaseContext): Promise<CaseStatus> {
  const { lines, creditAmount, currency } = ctx.input;
  ctx.state.settling = true; // the credit is under way: a cancel could no longer undo it
  await creditAndRefund(ctx, 'credit_only', creditForAmount(lines, creditAmount ?? paidValue(lines), currency), {
    conditions: [],
    goodsReturned: false,
  });
  return complete(ctx);
}

/** The replacement ships without the goods coming back; above the policy's limit a manager decides first. */
async function exchangeWithoutReturn(ctx: CaseContext): Promise<CaseStatus> {
  const { policy, replacements = [] } = ctx.input;
  if (needsApproval(policy, replacements)) {
    const why = { value: replacementValue(replacements), limit: policy.exchangeWithoutReturnMaxValue };
    const decision = await awaitDecision(ctx, why, { settles: true });
    if (decision !== 'approved') return decision;
  }
  ctx.state.settling = true;
  if ((await shipReplacementsWhenInStock(ctx)) === 'unavailable') return giveUpExchange(ctx);
  await settlePriceDifference(ctx);
  return complete(ctx);
}

/** Nothing came back and nothing could be sent: the exchange ends, and the customer hears why. */
async function giveUpExchange(ctx: CaseContext): Promise<CaseStatus> {
  const detail = { reason: 'the replacement stayed out of stock', by: 'returns-orchestrator' };
  await ctx.enter('cancelled', null, { key: 'cancelled', type: 'cancelled', detail });
  await acts.sendCaseEmail({ caseId: ctx.input.caseId, kind: 'cancelled' });
  return 'cancelled';
}

/**
 * Waits for a manager's decision; past the approval deadline the case stays waiting, stuck. `why`
 * goes on the timeline; an approval that `settles` (the replacement ships) can no longer be cancelled.
 */
async function awaitDecision(
  ctx: CaseContext,
  why: Record<string, unknown>,
  { settles }: { settles: boolean },
): Promise<'approved' | CaseStatus> {
  const { input, inbox } = ctx;
  const deadline = policyDeadlines(input.policy).approval;
  const approvalMs = durationMs(deadline);
  await ctx.enter(
    'awaiting_approval',
    'approval',
    { key: 'awaiting_approval', type: 'status.awaiting_approval', detail: why },
    { waitMs: approvalMs },
  );
  if (!(await ctx.waitFor(() => inbox.approval !== undefined, approvalMs)) && !inbox.cancel) {
    await ctx.markStuck({
      key: 'approval_overdue',
      type: 'deadline.missed',
      detail: { reason: `no decision within ${deadline}`, waitingFor: 'approval' },
    });
    await ctx.waitFor(() => inbox.approval !== undefined);
  }
  const decision = inbox.approval;
  if (!decision) return finishCancelled(ctx);
  const detail = { by: decision.approvedBy, note: decision.note ?? null };
  if (!decision.approved) {
    await ctx.enter('rejected', null, { key: 'rejected', type: 'rejected', detail });
    await acts.sendCaseEmail({ caseId: input.caseId, kind: 'rejected' });
    return 'rejected';
  }
  if (settles) ctx.state.settling = true;
  await ctx.enter('requested', null, { key: 'approved', type: 'approved', detail });
  if (patched(APPROVAL_EMAIL_PATCH)) await acts.sendCaseEmail({ caseId: input.caseId, kind: 'approved' });
  return 'approved';
}

/** Return to stock and exchange: label, parcel, inspection, then goods and money. */
async function goodsBack(ctx: CaseContext): Promise<CaseStatus> {
  const { input } = ctx;
  // Only cases opened with a reason ask for the patch: histories recorded before it replay unchanged.
  if (input.approvalReason !== undefined && patched(FLAGGED_APPROVAL_PATCH)) {
    const decision = await awaitDecision(ctx, { reason: input.approvalReason }, { settles: false });
    if (decision !== 'approved') return decision;
    // The approval only opened the gate: from here the case goes on as any (a cancel is possible again).
    delete ctx.inbox.approval;
  }
  const label = await sendLabel(ctx);
  const shipsFirst = input.method === 'exchange' && input.shipReplacement === 'immediately';
  const hold = shipsFirst ? await holdReplacementValue(ctx) : undefined;
  const shippedFirst = shipsFirst && (await shipReplacementsWhenInStock(ctx)) === 'shipped';
  const parcel = await awaitParcel(ctx, label);
  if (parcel === 'cancelled') return finishCancelled(ctx);
  if (parcel === 'missed') {
    if (!shippedFirst) await releaseHold(ctx, hold); // nothing went out: nothing to secure
    return expire(ctx, shippedFirst, hold);
  }
  await releaseHold(ctx, hold);
  await receiveParcel(ctx);
  if (ctx.inbox.cancel) return finishCancelled(ctx);
  // Money back at receipt when the policy says so: the goods are back, their inspection only moves stock.
  const early =
    input.method === 'return_to_stock' && refundTerms(input.policy).refundOn === 'receipt'
      ? await refundOnReceipt(ctx)
      : undefined;
  const inspection = await awaitInspection(ctx);
  if (!inspection) return finishCancelled(ctx);
  const lines = await moveReturnedStock(ctx, inspection);
  // An exchange whose replacement could not be had is credited like a return.
  const exchanged =
    input.method === 'exchange' &&
    (shippedFirst || (!shipsFirst && (await shipReplacementsWhenInStock(ctx)) === 'shipped'));
  if (exchanged) {
    await settlePriceDifference(ctx);
    return complete(ctx);
  }
  if (early) await awaitRefunds(ctx, 'return_credit', early);
  else {
    const draft = creditForReturnedLines(lines, input.policy, input.currency);
    await creditAndRefund(ctx, 'return_credit', draft, {
      conditions: lines.map((l) => l.condition),
      goodsReturned: true,
    });
  }
  return complete(ctx);
}

/** Refund at receipt: credited as paid (not inspected, so no condition fee), asked for now, awaited after inspection. */
async function refundOnReceipt(ctx: CaseContext): Promise<string[]> {
  const { input } = ctx;
  const asPaid = input.lines.map((l) => ({ ...l, condition: 'new' as const, disposition: 'restock' as const }));
  const note = await issueCredit(ctx, 'return_credit', creditForReturnedLines(asPaid, input.policy, input.currency));
  if (!note) return [];
  return requestRefunds(ctx, {
    purpose: 'return_credit',
    credited: note.amount,
    conditions: input.lines.map(() => null),
    goodsReturned: true,
  });
}
