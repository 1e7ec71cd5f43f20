/**
 * The case's effects once it is decided: goods back to stock, replacements out, money settled by
 * credit note or charge, and the three ways a case ends. Each effect is an idempotent activity
 * followed by its timeline entry and, where the customer hears of it, an e-mail.
 */
import { patched, sleep } from '@temporalio/workflow';
import type { CaseStatus } from '../../domain/case-status.js';
import { durationMs } from '../../domain/duration.js';
import { replacementValue } from '../../domain/exchange.js';
import { policyDeadlines } from '../../domain/policy.js';
import { creditForAmount, paidValue, type CreditNoteDraft } from '../../domain/settlement.js';
import { locationFor } from '../../domain/stock.js';
import type { InspectionInput } from '../messages.js';
import type { IssuedCreditNote } from '../../activities/credit-notes.js';
import type { HoldState } from '../../activities/holds.js';
import { acts, ledger, type CaseContext } from './context.js';
import { awaitRefunds, requestRefunds, type RefundRequest } from './refunds.js';

/** A credit note for `purpose`, announced to the customer; nothing when there is nothing left to credit. */
export async function issueCredit(
  ctx: CaseContext,
  purpose: string,
  draft: CreditNoteDraft,
): Promise<IssuedCreditNote | null> {
  const note = await ledger().issueCreditNote({ caseId: ctx.input.caseId, purpose, draft });
  if (note)
    await ctx.announce(
      { key: `credit_note:${purpose}`, type: 'credit_note.issued', detail: { ...note } },
      'credit_issued',
    );
  return note;
}

/** A credit note, then the money back for it (refunds, or store credit), waited for until settled. */
export async function creditAndRefund(
  ctx: CaseContext,
  purpose: string,
  draft: CreditNoteDraft,
  refund: Omit<RefundRequest, 'purpose' | 'credited'>,
): Promise<void> {
  const note = await issueCredit(ctx, purpose, draft);
  if (!note) return;
  const ids = await requestRefunds(ctx, { purpose, credited: note.amount, ...refund });
  await awaitRefunds(ctx, purpose, ids);
}

/** Cases recorded before out-of-stock replacements were given up replay without that end. */
export const REPLACEMENT_GIVE_UP_PATCH = 'replacement-give-up-v1';

/** Cases recorded before charges were collected (and holds placed) replay without those steps. */
export const CHARGES_PATCH = 'charges-v1';

/**
 * The customer owes the shop `amount`: recorded as a charge, collected off-session where the
 * provider allows it (else a payment link), and announced. `captured`: an authorization hold paid it.
 */
export async function chargeCustomer(
  ctx: CaseContext,
  purpose: string,
  amount: number,
  reason: string,
  captured?: HoldState,
): Promise<void> {
  const { caseId, currency } = ctx.input;
  await acts.recordCharge({ caseId, purpose, amount, currency, reason });
  let outcome: Record<string, unknown> = {};
  if (captured) outcome = { status: 'captured', providerReference: captured.providerReference };
  else if (patched(CHARGES_PATCH)) {
    const charge = await acts.collectCharge({ caseId, purpose });
    outcome = {
      status: charge.status,
      providerReference: charge.providerReference,
      paymentUrl: charge.paymentUrl,
      failureReason: charge.failureReason,
    };
  }
  await ctx.announce(
    { key: `charge:${purpose}`, type: 'charge.recorded', detail: { amount, currency, ...outcome } },
    'charged',
  );
}

/** The case's goods leave for the customer; out of stock, the case waits (stuck, with why) and retries. */
export async function shipReplacementsWhenInStock(ctx: CaseContext): Promise<'shipped' | 'unavailable'> {
  const { caseId, currency, replacements = [] } = ctx.input;
  const deadlines = policyDeadlines(ctx.input.policy);
  const stockMs = durationMs(deadlines.replacementStock);
  const giveUpMs = durationMs(deadlines.replacementGiveUp);
  const since = Date.now();
  // Hourly, and never longer than replacementGiveUpAfter: the history stays bounded (about 11 events an attempt).
  for (let attempt = 1; ; attempt++) {
    const result = await acts.shipReplacements({ caseId, currency, replacements });
    if (result.status === 'shipped') {
      await ctx.announce(
        { key: 'replacement_shipped', type: 'replacement.shipped', detail: { shipments: result.shipments } },
        'replacement_shipped',
      );
      return 'shipped';
    }
    // Cases recorded before the bound never reached it: the patch is asked only when it applies.
    if (Date.now() - since >= giveUpMs && patched(REPLACEMENT_GIVE_UP_PATCH)) {
      ctx.state.stuck = false;
      const reason = `replacement out of stock for ${deadlines.replacementGiveUp}: ${result.skus.join(', ')}; given up`;
      await ctx.record(
        { key: 'replacement_unavailable', type: 'replacement.unavailable', detail: { skus: result.skus, reason } },
        { withCase: true },
      );
      return 'unavailable';
    }
    const overdue = Date.now() - since >= stockMs;
    if (attempt === 1 || overdue !== ctx.state.stuck) {
      ctx.state.stuck = overdue;
      await ctx.record(
        {
          key: `replacement_out_of_stock:${attempt}`,
          type: 'replacement.out_of_stock',
          detail: { skus: result.skus, reason: `replacement out of stock: ${result.skus.join(', ')}` },
        },
        { withCase: true },
      );
    }
    await sleep('1 hour');
  }
}

/** Settles replacement value against returned value: the customer pays the difference or is credited it. */
export async function settlePriceDifference(ctx: CaseContext): Promise<void> {
  const { lines, currency, replacements = [] } = ctx.input;
  const difference = replacementValue(replacements) - paidValue(lines);
  if (difference > 0)
    await chargeCustomer(ctx, 'price_difference', difference, 'replacement costs more than the returned goods');
  else if (difference < 0) {
    await creditAndRefund(ctx, 'price_difference', creditForAmount(lines, -difference, currency), {
      conditions: [],
      goodsReturned: false,
    });
  }
}

/** Inspected goods go to the location their disposition says; answers the lines with their inspection. */
export async function moveReturnedStock(ctx: CaseContext, inspected: InspectionInput) {
  const { caseId, currency } = ctx.input;
  const byLine = new Map(inspected.lines.map((l) => [l.orderLineId, l]));
  const lines = ctx.input.lines.map((l) => {
    const verdict = byLine.get(l.orderLineId);
    // The inspect validator makes sure every line is covered.
    if (!verdict) throw new Error(`line ${l.orderLineId} was not inspected`);
    return { ...l, condition: verdict.condition, disposition: verdict.disposition };
  });
  await ledger().moveStock({
    caseId,
    currency,
    movements: lines.map((l) => ({
      orderLineId: l.orderLineId,
      sku: l.sku,
      quantity: l.quantity,
      location: locationFor(l.disposition),
      value: l.unitPrice * l.quantity,
    })),
  });
  await ctx.record({
    key: 'stock_moved',
    type: 'stock.moved',
    detail: { lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, location: locationFor(l.disposition) })) },
  });
  return lines;
}

export async function complete(ctx: CaseContext): Promise<CaseStatus> {
  await ctx.enter('completed', null, { key: 'completed', type: 'completed' });
  // The follow-up e-mail is the case's last step; the status stays completed.
  await sleep(durationMs(ctx.input.policy.followUpAfter));
  await acts.sendCaseEmail({ caseId: ctx.input.caseId, kind: 'follow_up' });
  return 'completed';
}

export async function finishCancelled(ctx: CaseContext): Promise<CaseStatus> {
  const { cancel } = ctx.inbox;
  await ctx.enter('cancelled', null, {
    key: 'cancelled',
    type: 'cancelled',
    detail: { reason: cancel?.reason, by: cancel?.cancelledBy },
  });
  await acts.sendCaseEmail({ caseId: ctx.input.caseId, kind: 'cancelled' });
  return 'cancelled';
}

/**
 * No parcel by the deadline. A replacement that went out anyway is paid for: by capturing the
 * authorization hold placed when it shipped, else charged like any other charge.
 */
export async function expire(ctx: CaseContext, replacementShipped: boolean, hold?: HoldState): Promise<CaseStatus> {
  const { policy, replacements = [], caseId } = ctx.input;
  if (replacementShipped) {
    const captured = hold?.status === 'held' ? await acts.captureHold({ caseId }) : undefined;
    if (captured) await ctx.record({ key: 'hold.captured', type: `hold.${captured.status}`, detail: { ...captured } });
    const reason = `no return parcel within ${policy.parcelDeadline}`;
    await chargeCustomer(
      ctx,
      'unreturned_replacement',
      replacementValue(replacements),
      reason,
      captured?.status === 'captured' ? captured : undefined,
    );
  }
  await ctx.enter('expired', null, {
    key: 'expired',
    type: 'expired',
    detail: { reason: `no parcel within ${policy.parcelDeadline}` },
  });
  await acts.sendCaseEmail({ caseId: ctx.input.caseId, kind: 'expired' });
  return 'expired';
}

/**
 * A replacement shipped before the goods come back is secured by an authorization hold on the
 * customer's card for its value (Stripe manual capture), where the order was paid by card.
 */
export async function holdReplacementValue(ctx: CaseContext): Promise<HoldState | undefined> {
  if (!patched(CHARGES_PATCH)) return undefined;
  const { caseId, replacements = [] } = ctx.input;
  const hold = await acts.holdReplacementValue({ caseId, amount: replacementValue(replacements) });
  await ctx.record({ key: 'hold.placed', type: `hold.${hold.status}`, detail: { ...hold } });
  return hold;
}

/** The goods came back: the hold is let go. */
export async function releaseHold(ctx: CaseContext, hold: HoldState | undefined): Promise<void> {
  if (hold?.status !== 'held') return;
  const released = await acts.releaseHold({ caseId: ctx.input.caseId });
  await ctx.record({ key: 'hold.released', type: `hold.${released.status}`, detail: { ...released } });
}
