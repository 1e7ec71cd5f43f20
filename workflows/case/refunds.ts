/**
 * Money back: a credit is paid out to the order's payments (or as store credit), each refund asked
 * once with its idempotency key, then the case waits until every refund has succeeded — woken by
 * the providers' notifications and finance's actions, polling the providers meanwhile. Past
 * `refundDueBy`, or when a provider refused for good, the case shows as stuck with why.
 */
import { condition, patched, workflowInfo } from '@temporalio/workflow';
import type { RefundState } from '../../activities/refunds.js';
import type { Condition } from '../../domain/case-status.js';
import { durationMs } from '../../domain/duration.js';
import { refundTerms } from '../../domain/policy.js';
import { acts, ledger, type CaseContext } from './context.js';

/** Cases recorded before refunds existed replay without these steps. */
export const REFUNDS_PATCH = 'refunds-v1';

const HOUR_MS = 60 * 60 * 1000;
/** While the refund is due: ask the provider hourly. Overdue: daily, and at most this often in all. */
const POLL_BEFORE_DUE_MS = HOUR_MS;
const POLL_AFTER_DUE_MS = 24 * HOUR_MS;
const MAX_POLLS = 500;

export interface RefundRequest {
  purpose: string;
  /** What the credit note credited. */
  credited: number;
  conditions: (Condition | null)[];
  goodsReturned: boolean;
}

/** Plans and asks for the refunds of one credit; answers their ids (none: nothing to pay out here). */
export async function requestRefunds(ctx: CaseContext, req: RefundRequest): Promise<string[]> {
  if (!patched(REFUNDS_PATCH)) return [];
  const planned = await ledger().planRefunds({ caseId: ctx.input.caseId, ...req });
  for (const r of planned) await observe(ctx, r);
  for (const r of planned) {
    if (r.status === 'pending') await observe(ctx, await acts.executeRefund({ refundId: r.id }));
  }
  return planned.map((r) => r.id);
}

/** Waits until every refund of `purpose` succeeded, then tells the customer. */
export async function awaitRefunds(ctx: CaseContext, purpose: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const { input, inbox, state } = ctx;
  const statusOf = (id: string) => inbox.refunds.get(id)?.status;
  const open = () => ids.some((id) => statusOf(id) !== 'succeeded');
  await flush(ctx);
  if (open()) {
    const dueAt = refundDueAt(ctx);
    const dueBy = new Date(dueAt).toISOString();
    await ctx.enter(
      state.status,
      'refund',
      { key: `awaiting_refund:${purpose}`, type: 'status.awaiting_refund', detail: { refunds: ids, dueBy } },
      { waitMs: Math.max(dueAt - Date.now(), 0) },
    );
    let polls = 0;
    let shown: string | undefined;
    while (open()) {
      // A refusal shows at once; a refund still open at its due date shows from then on.
      const failed = ids.map((id) => inbox.refunds.get(id)).find((r) => r?.status === 'failed');
      const why = failed
        ? `refund ${failed.id} failed: ${failed.failureReason ?? 'refused by the provider'}; waiting for finance to retry or settle by hand`
        : Date.now() >= dueAt
          ? `refund not settled by ${dueBy}`
          : undefined;
      if (why && why !== shown) {
        shown = why;
        await ctx.markStuck({
          key: `refund_stuck:${purpose}:${polls}:${inbox.refundNews}`,
          type: failed ? 'refund.needs_finance' : 'deadline.missed',
          detail: { reason: why, waitingFor: 'refund' },
        });
      }
      const news = inbox.refundNews;
      const overdue = Date.now() >= dueAt;
      const woke = await condition(
        () => inbox.refundNews !== news,
        Math.max(overdue ? POLL_AFTER_DUE_MS : Math.min(POLL_BEFORE_DUE_MS, dueAt - Date.now()), 1),
      );
      if (!woke && polls < MAX_POLLS) {
        polls++;
        // A status lookup: the activity asks the provider what became of the refund (it asks again only if the provider never saw it).
        for (const id of ids)
          if (statusOf(id) === 'pending') await observe(ctx, await acts.executeRefund({ refundId: id }));
      }
      await flush(ctx);
    }
  }
  // News that came in while the case was being moved to waiting for its refund.
  await flush(ctx);
  const store =
    ids.some((id) => inbox.refunds.get(id)?.provider === 'gift_card') && input.refundMethod === 'store_credit';
  await ctx.announce(
    { key: `refunded:${purpose}`, type: 'refund.completed', detail: { purpose, refunds: ids } },
    store ? 'store_credit_issued' : 'refunded',
  );
}

/** The refund's latest known state; a final state is never taken back by a late pending answer. */
export async function observe(ctx: CaseContext, r: RefundState): Promise<void> {
  const known = ctx.inbox.refunds.get(r.id);
  const stale = known && known.attempt === r.attempt && known.status !== 'pending' && r.status === 'pending';
  if (!stale) ctx.inbox.refunds.set(r.id, r);
  await flush(ctx);
}

/** One timeline entry per refund, attempt and status (they raise `refund.succeeded` / `refund.failed` webhooks). */
async function flush(ctx: CaseContext): Promise<void> {
  for (const r of ctx.inbox.refunds.values()) {
    const key = `refund.${r.status}:${r.id}:${r.attempt}`;
    if (ctx.recorded.has(key)) continue;
    await ctx.record({
      key,
      type: `refund.${r.status}`,
      detail: {
        refundId: r.id,
        provider: r.provider,
        amount: r.amount,
        currency: r.currency,
        attempt: r.attempt,
        providerReference: r.providerReference,
        reason: r.failureReason,
      },
    });
  }
}

function refundDueAt(ctx: CaseContext): number {
  if (ctx.input.refundDueBy) return Date.parse(ctx.input.refundDueBy);
  // Cases started before refundDueBy was passed in: from the workflow's start, as the policy says.
  return workflowInfo().startTime.getTime() + durationMs(refundTerms(ctx.input.policy).refundDeadline);
}
