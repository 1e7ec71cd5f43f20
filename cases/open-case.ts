/**
 * Opening a case, whatever the channel: the policy check under row locks, the case and its lines
 * in one transaction, then the case's workflow. Used by `POST /v1/returns` and by a dock scan of a
 * pre-issued label (`POST /v1/scans`), so every channel applies the same rules. Knows nothing of
 * HTTP: it refuses with `CaseNotOpened`, which the API answers as problem+json (api/app.ts).
 */
import { eq } from 'drizzle-orm';
import { durationMs } from '../domain/duration.js';
import { refundTerms } from '../domain/policy.js';
import { policyFor } from '../db/policies.js';
import { approvalReasonOf } from '../db/abuse-signals.js';
import { customers, orders } from '../db/schema.js';
import type { CaseDraft } from './case-draft.js';
import type { OpenCaseInput, OpenCaseOptions, OpenedCase } from './case-request.js';
import { caseInputOf } from './case-input.js';
import { newCaseId, recordCase, withdrawCase } from './case-rows.js';
import { startWorkflow, type OpenCaseDeps } from './case-workflow.js';
import { creditOnlyAmount } from './credit-only.js';
import { claimIdempotencyKey, replayedCase, requestHashOf } from './idempotency.js';
import { claimPreIssuedLabel } from './label-claim.js';
import { checkRequestedLines } from './line-check.js';
import { checkMethodFields, GOODS_COME_BACK, isExchange } from './method-rules.js';
import { CaseNotOpened } from './not-opened.js';
import { pricedReplacements, type PricedReplacement } from './replacements.js';

export type { OpenCaseDeps } from './case-workflow.js';
export type { LineContext, OpenCaseInput, OpenCaseOptions, OpenedCase, RequestedCaseLine } from './case-request.js';
export { newCaseId } from './case-rows.js';
export { everythingReturnable } from './everything-returnable.js';
export { requestHashOf } from './idempotency.js';
export { GOODS_COME_BACK } from './method-rules.js';
export { CaseNotOpened, LabelAlreadyClaimed, type NotOpenedReason } from './not-opened.js';

/**
 * Checks the request against the policy, records the case and starts its workflow. Throws
 * CaseNotOpened: `invalid` or `policy-violation` for the request, `idempotency-conflict` for the
 * Idempotency-Key, `not-started` when the workflow could not be started (the case is taken back
 * then; should that fail too, a retry with the same key or the reconciler starts it later).
 * A retry with the same key and body answers the same case, and makes sure its workflow runs.
 */
export async function openCase(
  deps: OpenCaseDeps,
  body: OpenCaseInput,
  opts: OpenCaseOptions = {},
): Promise<OpenedCase> {
  const { db } = deps;
  const idemKey = opts.idempotencyKey;
  const requestHash = opts.requestHash ?? requestHashOf(body);
  const exchange = isExchange(body.method);
  checkMethodFields(body);
  if (idemKey) {
    const replayed = await replayedCase(deps, idemKey, requestHash);
    if (replayed) return replayed;
  }

  const [order] = await db.select().from(orders).where(eq(orders.id, body.orderId));
  if (!order)
    throw new CaseNotOpened('invalid', `no order ${body.orderId}`, [{ field: 'orderId', detail: 'unknown order' }]);
  const [customer] = await db.select().from(customers).where(eq(customers.id, order.customerId));
  const policy = await policyFor(db, customer?.country ?? 'default');
  // A flagged customer's goods-back case waits for a manager before its label (not one whose parcel is already in).
  const approvalReason =
    GOODS_COME_BACK.has(body.method) && !opts.openedByScan
      ? await approvalReasonOf(db, order.customerId, policy)
      : null;
  const caseId = newCaseId();

  const input = await db.transaction(async (tx) => {
    // A pre-issued label goes to one case only: claimed first, so a concurrent scan waits here.
    const label = opts.trackingNumber
      ? await claimPreIssuedLabel(tx, opts.trackingNumber, caseId, order.id)
      : undefined;
    const { requested, byId, paidLines, violations } = await checkRequestedLines(tx, order, body, policy);
    let creditAmount: number | undefined;
    if (body.method === 'credit_only' && violations.length === 0) {
      const credit = await creditOnlyAmount(tx, order.id, paidLines, byId, body.creditAmount);
      creditAmount = credit.amount;
      violations.push(...credit.violations);
    }
    let replacements: PricedReplacement[] = [];
    if (exchange) {
      const priced = await pricedReplacements(tx, body.replacements!, order.currency);
      replacements = priced.replacements;
      violations.push(...priced.violations);
    }
    if (violations.length) {
      throw new CaseNotOpened('policy-violation', violations.map((v) => v.detail).join('; '), violations);
    }
    const draft: CaseDraft = {
      caseId,
      body,
      order,
      policy,
      exchange,
      requested,
      byId,
      paidLines,
      replacements,
      creditAmount,
      refundMethod: body.refundMethod ?? 'original_payment',
      // The legal clock starts with the request (the customer's withdrawal).
      refundDueBy: new Date(Date.now() + durationMs(refundTerms(policy).refundDeadline)),
      returnAddress: body.returnAddress ?? customer?.address ?? null,
      approvalReason,
      label,
    };
    await recordCase(tx, draft);
    if (idemKey) await claimIdempotencyKey(tx, idemKey, requestHash, caseId);
    return caseInputOf(draft, opts.openedByScan);
  });

  try {
    await startWorkflow(deps, input);
  } catch (err) {
    // Never started: take the case back so it claims nothing (nor its label), and say so.
    await withdrawCase(db, caseId);
    throw new CaseNotOpened('not-started', `could not start the case workflow: ${(err as Error).message}`);
  }
  return { caseId, replayed: false };
}
