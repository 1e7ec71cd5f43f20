/**
 * The goods' way back: the return label, the wait for the parcel (reminder, carrier reports,
 * polling, the parcel deadline) and the wait for inspection at the warehouse.
 */
import { ActivityFailure, condition, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../../activities/index.js';
import type { Label } from '../../activities/labels.js';
import { durationMs } from '../../domain/duration.js';
import type { InspectionInput } from '../messages.js';
import { acts, type CaseContext } from './context.js';

// A carrier outage must not hold a case up: a failed poll is retried briefly, then waits for the next round.
const pollActs = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumAttempts: 2 },
});

/** Upper bound on carrier polls per case (each adds a timer and an activity to the history). */
const MAX_POLLS = 1000;

/** Issues the return label and e-mails it, unless the case was opened by scanning its parcel. */
export async function sendLabel(ctx: CaseContext): Promise<Label> {
  const { caseId, openedByScan } = ctx.input;
  const label = await acts.issueReturnLabel({ caseId });
  await ctx.record({ key: 'label_issued', type: 'label.issued', detail: { ...label } });
  // A case opened by its own parcel's scan needs no label e-mail (input absent in earlier histories: replay-safe).
  if (openedByScan) ctx.inbox.scan ??= openedByScan;
  else await acts.sendCaseEmail({ caseId, kind: 'label' });
  return label;
}

export type ParcelOutcome = 'arrived' | 'cancelled' | 'missed';

/** Waits for the parcel until the policy's parcel deadline; a carrier report moves the case to in_transit. */
export async function awaitParcel(ctx: CaseContext, label: Label): Promise<ParcelOutcome> {
  const { input, inbox } = ctx;
  const parcelMs = durationMs(input.policy.parcelDeadline);
  const deadlineAt = Date.now() + parcelMs;
  await ctx.enter(
    'awaiting_parcel',
    'parcel',
    { key: 'awaiting_parcel', type: 'status.awaiting_parcel' },
    { waitMs: parcelMs },
  );
  // Only labels from polled carriers carry pollEvery: cases recorded before it have none (replay-safe).
  if (label.pollEvery) {
    pollCarrierWhileWaiting(ctx, durationMs(label.pollEvery), parcelMs, deadlineAt).catch((err) => {
      // Cancelled through Temporal: the main flow ends the case; anything else is a bug and fails the task.
      if (!isCancellation(err)) throw err;
    });
  }
  const transitPending = () => inbox.transit !== undefined && !inbox.transitApplied;
  /** A carrier saw the parcel on its way: in_transit, waiting for receipt, same parcel deadline. */
  async function applyTransit(): Promise<void> {
    if (!transitPending() || inbox.scan || inbox.cancel) return;
    inbox.transitApplied = true;
    await ctx.enter(
      'in_transit',
      'receipt',
      { key: 'in_transit', type: 'parcel.in_transit', detail: { ...inbox.transit } },
      { waitMs: deadlineAt - Date.now() },
    );
  }
  // Without an in-transit signal these waits are exactly the earlier ones (replay of in-flight cases).
  const arrivedOrMoving = () => inbox.scan !== undefined || transitPending();
  const reminderMs = durationMs(input.policy.labelReminderAfter);
  if (reminderMs < parcelMs && !(await ctx.waitFor(arrivedOrMoving, reminderMs))) {
    await acts.sendCaseEmail({ caseId: input.caseId, kind: 'label_reminder' });
    await ctx.record({ key: 'label_reminder', type: 'email.label_reminder' });
  }
  await applyTransit();
  while (!inbox.scan && !inbox.cancel) {
    if (!(await ctx.waitFor(arrivedOrMoving, deadlineAt - Date.now()))) break;
    await applyTransit();
  }
  if (inbox.cancel && !inbox.scan) return 'cancelled';
  return inbox.scan ? 'arrived' : 'missed';
}

/**
 * Carriers without a push API are asked every `everyMs` until the parcel is in, the case is
 * cancelled or the deadline passes; never more than MAX_POLLS times, so the history stays small.
 */
async function pollCarrierWhileWaiting(
  ctx: CaseContext,
  everyMs: number,
  parcelMs: number,
  deadlineAt: number,
): Promise<void> {
  const settled = () => ctx.inbox.scan !== undefined || ctx.inbox.cancel !== undefined;
  const intervalMs = Math.max(everyMs, Math.ceil(parcelMs / MAX_POLLS), 1000);
  while (!settled() && deadlineAt - Date.now() > 0) {
    if (await condition(settled, Math.min(intervalMs, deadlineAt - Date.now()))) return;
    // At the deadline the case expires: nothing a poll finds could change that.
    if (deadlineAt - Date.now() <= 0) return;
    try {
      // The activity stores what the carrier reports and signals this case (parcelInTransit / parcelReceived).
      await pollActs.pollCarrier({ caseId: ctx.input.caseId });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
    }
  }
}

/** The parcel is at the dock: received, waiting for inspection, and the customer hears so. */
export async function receiveParcel(ctx: CaseContext): Promise<void> {
  const { input, inbox } = ctx;
  const inspectionMs = durationMs(input.policy.inspectionDeadline);
  await ctx.enter(
    'received',
    'inspection',
    { key: 'received', type: 'parcel.received', detail: { ...inbox.scan } },
    { waitMs: inspectionMs },
  );
  await acts.sendCaseEmail({ caseId: input.caseId, kind: 'received' });
}

/**
 * Waits for the warehouse's inspection. A missed inspection deadline leaves the case waiting,
 * stuck. Answers the inspection, or undefined when the case was cancelled.
 */
export async function awaitInspection(ctx: CaseContext): Promise<InspectionInput | undefined> {
  const { input, state, inbox } = ctx;
  const inspectionMs = durationMs(input.policy.inspectionDeadline);
  if (!(await ctx.waitFor(() => state.settling, inspectionMs)) && !inbox.cancel) {
    await ctx.markStuck({
      key: 'inspection_overdue',
      type: 'deadline.missed',
      detail: { reason: `not inspected within ${input.policy.inspectionDeadline}`, waitingFor: 'inspection' },
    });
    await ctx.waitFor(() => state.settling);
  }
  if (inbox.cancel && !state.settling) return undefined;
  // The inspect handler commits (settling) before its timeline entry is written; the inspection follows.
  await condition(() => inbox.inspection !== undefined);
  await acts.sendCaseEmail({ caseId: input.caseId, kind: 'inspected' });
  return inbox.inspection;
}
