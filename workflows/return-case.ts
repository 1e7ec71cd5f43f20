/**
 * One return case, from request to its end state, as one durable workflow. It waits for real-world
 * events (scan, inspection, approval, cancel), each wait bounded by the case's policy snapshot, and
 * performs every effect through idempotent activities keyed by case id + step.
 *
 * The steps live in workflows/case/: context (state and the moves every step is made of), handlers
 * (messages and their gates), goods-back (label, parcel, inspection) and settlement (goods, money,
 * endings). Replay histories in test/histories pin the order of commands: keep it, or `patched()`.
 */
import { allHandlersFinished, condition } from '@temporalio/workflow';
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
  if (needsApproval(ctx.input.policy, ctx.input.replacements ?? [])) {
    const decision = await awaitDecision(ctx);
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

/** Waits for a manager's decision; past the approval deadline the case stays waiting, stuck. */
async function awaitDecision(ctx: CaseContext): Promise<'approved' | CaseStatus> {
  const { input, inbox } = ctx;
  const deadline = policyDeadlines(input.policy).approval;
  const approvalMs = durationMs(deadline);
  await ctx.enter(
    'awaiting_approval',
    'approval',
    {
      key: 'awaiting_approval',
      type: 'status.awaiting_approval',
      detail: { value: replacementValue(input.replacements ?? []), limit: input.policy.exchangeWithoutReturnMaxValue },
    },
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
  ctx.state.settling = true;
  await ctx.enter('requested', null, { key: 'approved', type: 'approved', detail });
  return 'approved';
}

/** Return to stock and exchange: label, parcel, inspection, then goods and money. */
async function goodsBack(ctx: CaseContext): Promise<CaseStatus> {
  const { input } = ctx;
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
