/**
 * A recorded case's workflow: started once per case (`ReturnCase:<id>`, never a second run), and
 * its input rebuilt from the case's rows, so that a retry of `POST /v1/returns` or the reconciler
 * can start a workflow the opening request never got to start.
 */
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { caseLines, orderLines, parcelScans, preIssuedLabels, returnCases } from '../db/schema.js';
import { caseWorkflowId, ReturnStatusAttribute, type ParcelScan, type ReturnCaseInput } from '../workflows/messages.js';
import type { returnCase } from '../workflows/return-case.js';
import { caseLineInput } from './case-input.js';

export interface OpenCaseDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

/**
 * Starts the case's workflow unless one with its id exists or existed (`ReturnCase:<id>`, never a
 * second run): true when this call started it.
 */
export async function startWorkflow({ temporal, taskQueue }: OpenCaseDeps, input: ReturnCaseInput): Promise<boolean> {
  try {
    await temporal.workflow.start<typeof returnCase>('returnCase', {
      workflowId: caseWorkflowId(input.caseId),
      taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [{ key: ReturnStatusAttribute, value: 'requested' }],
    });
    return true;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return false;
  }
}

/**
 * The workflow input of a recorded case, rebuilt from its rows exactly as `openCase` built it: the
 * case (policy snapshot, replacements, creditAmount, refund terms), its lines with the order lines'
 * names and prices, and, for a case opened by scanning a pre-issued label, that scan. Undefined
 * when there is no such case.
 */
export async function caseInputFromDb(db: Db, caseId: string): Promise<ReturnCaseInput | undefined> {
  const [row] = await db.select().from(returnCases).where(eq(returnCases.id, caseId));
  if (!row) return undefined;
  const lines = await db
    .select()
    .from(caseLines)
    .where(eq(caseLines.caseId, caseId))
    .orderBy(asc(caseLines.orderLineId));
  const ids = lines.map((l) => l.orderLineId);
  const ols = ids.length
    ? await db
        .select()
        .from(orderLines)
        .where(and(eq(orderLines.orderId, row.orderId), inArray(orderLines.id, ids)))
    : [];
  const byId = new Map(ols.map((l) => [l.id, l]));
  const exchange = row.method === 'exchange' || row.method === 'exchange_without_return';
  // Only a dock scan of a pre-issued label opens a case with that label claimed by it.
  let openedByScan: ParcelScan | undefined;
  if (row.trackingNumber) {
    const [label] = await db
      .select()
      .from(preIssuedLabels)
      .where(and(eq(preIssuedLabels.trackingNumber, row.trackingNumber), eq(preIssuedLabels.caseId, caseId)));
    if (label) {
      const [scan] = await db
        .select()
        .from(parcelScans)
        .where(and(eq(parcelScans.caseId, caseId), eq(parcelScans.trackingNumber, row.trackingNumber)))
        .orderBy(asc(parcelScans.id))
        .limit(1);
      // The scan is recorded after the case is opened: a crash in between leaves none, the parcel is in all the same.
      openedByScan = scan
        ? {
            trackingNumber: scan.trackingNumber,
            scannedBy: scan.scannedBy,
            ...(scan.location ? { location: scan.location } : {}),
          }
        : { trackingNumber: row.trackingNumber, scannedBy: 'unknown' };
    }
  }
  return {
    caseId,
    orderId: row.orderId,
    customerId: row.customerId,
    method: row.method,
    channel: row.channel,
    currency: row.currency,
    policy: row.policy,
    lines: lines.map((l) => {
      const ol = byId.get(l.orderLineId);
      if (!ol) throw new Error(`case ${caseId}: no order line ${l.orderLineId} on order ${row.orderId}`);
      return caseLineInput(l, ol);
    }),
    ...(exchange ? { replacements: row.replacements } : {}),
    ...(row.method === 'exchange'
      ? { shipReplacement: row.shipReplacement === 'immediately' ? 'immediately' : 'after_receipt' }
      : {}),
    ...(row.creditAmount !== null ? { creditAmount: row.creditAmount } : {}),
    ...(openedByScan ? { openedByScan } : {}),
    refundMethod: row.refundMethod,
    ...(row.refundDueBy ? { refundDueBy: row.refundDueBy.toISOString() } : {}),
    ...(row.approvalReason ? { approvalReason: row.approvalReason } : {}),
  };
}

/**
 * Makes sure a recorded case has its workflow: starts it from the case's rows unless it exists or
 * existed (idempotent by workflow id). `started` when this call started it; `exists` when it was
 * there already; `no-case` without such a case. Used by a retry of `POST /v1/returns` and by the
 * reconciler (activities/reconcile.ts) for cases orphaned between the commit and the start.
 */
export async function ensureCaseWorkflow(
  deps: OpenCaseDeps,
  caseId: string,
): Promise<'started' | 'exists' | 'no-case'> {
  const input = await caseInputFromDb(deps.db, caseId);
  if (!input) return 'no-case';
  return (await startWorkflow(deps, input)) ? 'started' : 'exists';
}
