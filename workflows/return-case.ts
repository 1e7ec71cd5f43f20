/**
 * One return case, from request to its end state, as one durable workflow. It waits for real-world
 * events (scan, inspection, cancel), each wait bounded by the case's policy snapshot, and performs
 * every effect through idempotent activities keyed by case id + step.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { CaseActivities, ProgressInput } from '../activities/index.js';
import { isFinal, type CaseStatus, type WaitingFor } from '../domain/case-status.js';
import { durationMs } from '../domain/duration.js';
import { needsApproval, replacementValue } from '../domain/exchange.js';
import { creditForAmount, creditForReturnedLines, paidValue } from '../domain/settlement.js';
import { locationFor } from '../domain/stock.js';
import {
  addParcel,
  approve,
  cancelCase,
  caseState,
  CASE_ALREADY_SETTLED,
  CASE_NOT_WAITING,
  inspect,
  INVALID_INSPECTION,
  parcelInTransit,
  parcelReceived,
  resendLabel,
  ReturnStatusAttribute,
  WaitingForAttribute,
  WaitingSinceAttribute,
  type ApprovalInput,
  type CancelInput,
  type CaseState,
  type InspectionInput,
  type ParcelScan,
  type ParcelTransit,
  type ReturnCaseInput,
} from './messages.js';

const acts = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  // Effects must happen eventually: retry without a cap, backing off to a minute.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// A carrier outage must not hold a case up: a failed poll is retried briefly, then waits for the next round.
const pollActs = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumAttempts: 2 },
});

/** Upper bound on carrier polls per case (each adds a timer and an activity to the history). */
const MAX_POLLS = 1000;

export async function returnCase(input: ReturnCaseInput): Promise<CaseStatus> {
  const { caseId, policy } = input;
  const state: CaseState = {
    status: 'requested',
    waitingFor: null,
    waitingSince: null,
    deadline: null,
    stuck: false,
    settling: false,
  };
  let scan: ParcelScan | undefined;
  /** The first carrier in-transit report; applied (once) while the case waits for its parcel. */
  let transit: ParcelTransit | undefined;
  let transitApplied = false;
  let inspection: InspectionInput | undefined;
  let cancel: CancelInput | undefined;
  let approval: ApprovalInput | undefined;
  /** The manager's decision is in the projection: the approve update may answer. */
  let decisionRecorded = false;
  /** The case's end state is in the projection: the cancel update may answer. */
  let endRecorded = false;

  const nowIso = () => new Date().toISOString();

  /** Moves the case on: memory, search attributes and the DB projection (timeline) together. */
  async function enter(
    status: CaseStatus,
    waitingFor: WaitingFor | null,
    event: { key: string; type: string; detail?: Record<string, unknown> },
    waitMs?: number,
  ): Promise<void> {
    const at = nowIso();
    state.status = status;
    state.waitingFor = waitingFor;
    state.waitingSince = waitingFor ? at : null;
    state.deadline = waitingFor && waitMs !== undefined ? new Date(Date.now() + waitMs).toISOString() : null;
    state.stuck = false;
    upsertSearchAttributes([
      { key: ReturnStatusAttribute, value: status },
      { key: WaitingForAttribute, value: waitingFor },
      { key: WaitingSinceAttribute, value: waitingFor ? new Date(at) : null },
    ]);
    await progress({ key: event.key, type: event.type, detail: event.detail, withCase: true });
  }

  async function progress(p: {
    key: string;
    type: string;
    detail?: Record<string, unknown>;
    withCase?: boolean;
    inspectedLines?: ProgressInput['inspectedLines'];
  }): Promise<void> {
    await acts.recordProgress({
      caseId,
      eventKey: p.key,
      at: nowIso(),
      type: p.type,
      detail: p.detail ?? {},
      case: p.withCase
        ? {
            status: state.status,
            waitingFor: state.waitingFor,
            waitingSince: state.waitingSince,
            deadline: state.deadline,
            stuck: state.stuck,
            stuckReason: state.stuck ? (p.detail?.reason as string | undefined) ?? null : null,
            closed: isFinal(state.status),
          }
        : undefined,
      inspectedLines: p.inspectedLines,
    });
  }

  /** Waits for `done` or a cancel; false when the deadline passed first. */
  const waitFor = (done: () => boolean, ms?: number) =>
    ms === undefined ? condition(() => done() || cancel !== undefined).then(() => true) : condition(() => done() || cancel !== undefined, Math.max(ms, 1));

  setHandler(caseState, () => ({ ...state }));
  setHandler(parcelReceived, (p) => {
    scan ??= p; // a repeated scan changes nothing
  });
  setHandler(parcelInTransit, (t) => {
    // Once the parcel is in, a late in-transit report would move the case backwards: ignored.
    if (!scan && !isFinal(state.status)) transit ??= t;
  });
  const transitPending = () => transit !== undefined && !transitApplied;
  setHandler(
    inspect,
    async (insp) => {
      state.settling = true; // from here on a cancel is refused
      const at = nowIso();
      state.status = 'inspected';
      state.waitingFor = null;
      state.waitingSince = null;
      state.deadline = null;
      state.stuck = false;
      upsertSearchAttributes([
        { key: ReturnStatusAttribute, value: 'inspected' },
        { key: WaitingForAttribute, value: null },
        { key: WaitingSinceAttribute, value: null },
      ]);
      await progress({
        key: 'inspected',
        type: 'inspected',
        detail: { lines: insp.lines, note: insp.note ?? null, by: insp.inspectedBy, at },
        withCase: true,
        inspectedLines: insp.lines,
      });
      inspection = insp;
      return { ...state };
    },
    {
      validator: (insp: InspectionInput) => {
        if (state.waitingFor !== 'inspection' || state.settling || cancel) {
          throw ApplicationFailure.create({
            type: CASE_NOT_WAITING,
            message: `case is ${state.status}, not waiting for inspection`,
            nonRetryable: true,
          });
        }
        const expected = new Set(input.lines.map((l) => l.orderLineId));
        const given = insp.lines.map((l) => l.orderLineId);
        if (given.length !== expected.size || new Set(given).size !== given.length || !given.every((id) => expected.has(id))) {
          throw ApplicationFailure.create({
            type: INVALID_INSPECTION,
            message: `inspection must cover each case line once: ${[...expected].join(', ')}`,
            nonRetryable: true,
          });
        }
      },
    },
  );
  setHandler(
    cancelCase,
    async (c) => {
      cancel ??= c;
      await condition(() => endRecorded);
      return { ...state };
    },
    {
      validator: (_c: CancelInput) => {
        if (state.settling || isFinal(state.status)) {
          throw ApplicationFailure.create({
            type: CASE_ALREADY_SETTLED,
            message: `case is ${state.status}; it can no longer be cancelled`,
            nonRetryable: true,
          });
        }
      },
    },
  );

  setHandler(
    approve,
    async (a) => {
      approval = a;
      await condition(() => decisionRecorded || endRecorded);
      return { ...state };
    },
    {
      validator: (_a: ApprovalInput) => {
        if (state.waitingFor !== 'approval' || approval || cancel) {
          throw ApplicationFailure.create({ type: CASE_NOT_WAITING, message: `case is ${state.status}, not waiting for approval`, nonRetryable: true });
        }
      },
    },
  );

  let parcels = 1;
  setHandler(
    addParcel,
    async ({ requestedBy }) => {
      const parcelNo = ++parcels;
      const label = await acts.issueParcelLabel({ caseId, parcelNo });
      await progress({ key: `parcel_label:${parcelNo}`, type: 'label.issued', detail: { ...label, parcelNo, requestedBy } });
      return label;
    },
    {
      validator: (_r: { requestedBy: string }) => {
        if (state.waitingFor !== 'parcel' && state.waitingFor !== 'receipt') {
          throw ApplicationFailure.create({ type: CASE_NOT_WAITING, message: `case is ${state.status}, not waiting for parcels`, nonRetryable: true });
        }
      },
    },
  );

  // Added after histories were recorded: a handler only, the main flow is unchanged (replay-safe).
  let labelResends = 0;
  setHandler(
    resendLabel,
    async ({ requestedBy }) => {
      const n = ++labelResends;
      const kind = `label_resend_${n}` as const;
      await acts.sendCaseEmail({ caseId, kind });
      await progress({ key: `label_resent:${n}`, type: 'label.resent', detail: { kind, requestedBy } });
      return { kind };
    },
    {
      validator: (_r: { requestedBy: string }) => {
        // Waiting for the parcel (or its receipt) means the label exists and is still of use.
        if ((state.waitingFor !== 'parcel' && state.waitingFor !== 'receipt') || cancel || scan) {
          throw ApplicationFailure.create({ type: CASE_NOT_WAITING, message: `case is ${state.status}; its label is no longer needed`, nonRetryable: true });
        }
      },
    },
  );

  async function finishCancelled(): Promise<CaseStatus> {
    await enter('cancelled', null, {
      key: 'cancelled',
      type: 'cancelled',
      detail: { reason: cancel?.reason, by: cancel?.cancelledBy },
    });
    endRecorded = true;
    await acts.sendCaseEmail({ caseId, kind: 'cancelled' });
    return 'cancelled';
  }

  await progress({ key: 'started', type: 'case.started', detail: { method: input.method, channel: input.channel, policy: policy.market } });
  if (cancel) return finishCancelled();

  const replacements = input.replacements ?? [];
  const returnedValue = paidValue(input.lines);

  /** The case's goods leave for the customer; out of stock, the case waits (stuck, with why) and retries. */
  async function shipReplacementsWhenInStock(): Promise<void> {
    const stockMs = durationMs(policy.replacementStockDeadline ?? 'P7D');
    const since = Date.now();
    for (let attempt = 1; ; attempt++) {
      const result = await acts.shipReplacements({ caseId, currency: input.currency, replacements });
      if (result.status === 'shipped') {
        await progress({ key: 'replacement_shipped', type: 'replacement.shipped', detail: { shipments: result.shipments } });
        await acts.sendCaseEmail({ caseId, kind: 'replacement_shipped' });
        return;
      }
      const overdue = Date.now() - since >= stockMs;
      if (attempt === 1 || overdue !== state.stuck) {
        state.stuck = overdue;
        await progress({
          key: `replacement_out_of_stock:${attempt}`,
          type: 'replacement.out_of_stock',
          detail: { skus: result.skus, reason: `replacement out of stock: ${result.skus.join(', ')}` },
          withCase: true,
        });
      }
      await sleep('1 hour');
    }
  }

  /** Settles replacement value against returned value: the customer pays the difference or is credited it. */
  async function settlePriceDifference(): Promise<void> {
    const difference = replacementValue(replacements) - returnedValue;
    if (difference > 0) {
      await acts.recordCharge({ caseId, purpose: 'price_difference', amount: difference, currency: input.currency, reason: 'replacement costs more than the returned goods' });
      await progress({ key: 'charge:price_difference', type: 'charge.recorded', detail: { amount: difference, currency: input.currency } });
      await acts.sendCaseEmail({ caseId, kind: 'charged' });
    } else if (difference < 0) {
      const note = await acts.issueCreditNote({ caseId, purpose: 'price_difference', draft: creditForAmount(input.lines, -difference, input.currency) });
      if (note) {
        await progress({ key: 'credit_note:price_difference', type: 'credit_note.issued', detail: { ...note } });
        await acts.sendCaseEmail({ caseId, kind: 'credit_issued' });
      }
    }
  }

  async function complete(): Promise<CaseStatus> {
    await enter('completed', null, { key: 'completed', type: 'completed' });
    // The follow-up e-mail is the case's last step; the status stays completed.
    await sleep(durationMs(policy.followUpAfter));
    await acts.sendCaseEmail({ caseId, kind: 'follow_up' });
    return 'completed';
  }

  if (input.method === 'credit_only') {
    const amount = input.creditAmount ?? returnedValue;
    const note = await acts.issueCreditNote({ caseId, purpose: 'credit_only', draft: creditForAmount(input.lines, amount, input.currency) });
    if (note) {
      await progress({ key: 'credit_note:credit_only', type: 'credit_note.issued', detail: { ...note } });
      await acts.sendCaseEmail({ caseId, kind: 'credit_issued' });
    }
    return complete();
  }

  if (input.method === 'exchange_without_return') {
    if (needsApproval(policy, replacements)) {
      const approvalMs = durationMs(policy.approvalDeadline ?? 'P3D');
      await enter('awaiting_approval', 'approval', { key: 'awaiting_approval', type: 'status.awaiting_approval', detail: { value: replacementValue(replacements), limit: policy.exchangeWithoutReturnMaxValue } }, approvalMs);
      if (!(await waitFor(() => approval !== undefined, approvalMs)) && !cancel) {
        state.stuck = true;
        await progress({ key: 'approval_overdue', type: 'deadline.missed', detail: { reason: `no decision within ${policy.approvalDeadline ?? 'P3D'}`, waitingFor: 'approval' }, withCase: true });
        await waitFor(() => approval !== undefined);
      }
      if (cancel && !approval) return finishCancelled();
      const decision = approval!;
      if (!decision.approved) {
        await enter('rejected', null, { key: 'rejected', type: 'rejected', detail: { by: decision.approvedBy, note: decision.note ?? null } });
        decisionRecorded = true;
        await acts.sendCaseEmail({ caseId, kind: 'rejected' });
        return 'rejected';
      }
      state.settling = true;
      await enter('requested', null, { key: 'approved', type: 'approved', detail: { by: decision.approvedBy, note: decision.note ?? null } });
      decisionRecorded = true;
    }
    state.settling = true;
    await shipReplacementsWhenInStock();
    await settlePriceDifference();
    return complete();
  }

  // Label and the wait for the parcel.
  const label = await acts.issueReturnLabel({ caseId });
  await progress({ key: 'label_issued', type: 'label.issued', detail: { ...label } });
  // A case opened by its own parcel's scan needs no label e-mail (input absent in earlier histories: replay-safe).
  if (input.openedByScan) scan ??= input.openedByScan;
  else await acts.sendCaseEmail({ caseId, kind: 'label' });
  const shipsFirst = input.method === 'exchange' && input.shipReplacement === 'immediately';
  if (shipsFirst) await shipReplacementsWhenInStock();
  const parcelMs = durationMs(policy.parcelDeadline);
  const parcelDeadlineAt = Date.now() + parcelMs;
  await enter('awaiting_parcel', 'parcel', { key: 'awaiting_parcel', type: 'status.awaiting_parcel' }, parcelMs);
  /**
   * Carriers without a push API are asked every `everyMs` until the parcel is in, the case is
   * cancelled or the deadline passes; never more than MAX_POLLS times, so the history stays small.
   */
  async function pollCarrierWhileWaiting(everyMs: number): Promise<void> {
    const settled = () => scan !== undefined || cancel !== undefined;
    const intervalMs = Math.max(everyMs, Math.ceil(parcelMs / MAX_POLLS), 1000);
    while (!settled() && parcelDeadlineAt - Date.now() > 0) {
      if (await condition(settled, Math.min(intervalMs, parcelDeadlineAt - Date.now()))) return;
      // At the deadline the case expires: nothing a poll finds could change that.
      if (parcelDeadlineAt - Date.now() <= 0) return;
      try {
        // The activity stores what the carrier reports and signals this case (parcelInTransit / parcelReceived).
        await pollActs.pollCarrier({ caseId });
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
      }
    }
  }
  // Only labels from polled carriers carry pollEvery: cases recorded before it have none (replay-safe).
  if (label.pollEvery) {
    pollCarrierWhileWaiting(durationMs(label.pollEvery)).catch((err) => {
      // Cancelled through Temporal: the main flow ends the case; anything else is a bug and fails the task.
      if (!isCancellation(err)) throw err;
    });
  }
  /** A carrier saw the parcel on its way: in_transit, waiting for receipt, same parcel deadline. */
  async function applyTransit(): Promise<void> {
    if (!transitPending() || scan || cancel) return;
    transitApplied = true;
    await enter('in_transit', 'receipt', { key: 'in_transit', type: 'parcel.in_transit', detail: { ...transit } }, parcelDeadlineAt - Date.now());
  }
  // Without an in-transit signal these waits are exactly the earlier ones (replay of in-flight cases).
  const parcelArrivedOrMoving = () => scan !== undefined || transitPending();
  const reminderMs = durationMs(policy.labelReminderAfter);
  if (reminderMs < parcelMs && !(await waitFor(parcelArrivedOrMoving, reminderMs))) {
    await acts.sendCaseEmail({ caseId, kind: 'label_reminder' });
    await progress({ key: 'label_reminder', type: 'email.label_reminder' });
  }
  await applyTransit();
  while (!scan && !cancel) {
    if (!(await waitFor(parcelArrivedOrMoving, parcelDeadlineAt - Date.now()))) break;
    await applyTransit();
  }
  if (cancel && !scan) return finishCancelled();
  if (!scan) {
    if (shipsFirst) {
      // The replacement went out but the goods never came back: the customer pays for it.
      const amount = replacementValue(replacements);
      await acts.recordCharge({ caseId, purpose: 'unreturned_replacement', amount, currency: input.currency, reason: `no return parcel within ${policy.parcelDeadline}` });
      await progress({ key: 'charge:unreturned_replacement', type: 'charge.recorded', detail: { amount, currency: input.currency } });
      await acts.sendCaseEmail({ caseId, kind: 'charged' });
    }
    await enter('expired', null, { key: 'expired', type: 'expired', detail: { reason: `no parcel within ${policy.parcelDeadline}` } });
    await acts.sendCaseEmail({ caseId, kind: 'expired' });
    return 'expired';
  }

  // Received at the dock; wait for inspection.
  const inspectionMs = durationMs(policy.inspectionDeadline);
  await enter('received', 'inspection', { key: 'received', type: 'parcel.received', detail: { ...scan } }, inspectionMs);
  await acts.sendCaseEmail({ caseId, kind: 'received' });
  if (!(await waitFor(() => state.settling, inspectionMs)) && !cancel) {
    // A missed deadline does not end the case: it stays waiting and shows as stuck.
    state.stuck = true;
    await progress({
      key: 'inspection_overdue',
      type: 'deadline.missed',
      detail: { reason: `not inspected within ${policy.inspectionDeadline}`, waitingFor: 'inspection' },
      withCase: true,
    });
    await waitFor(() => state.settling);
  }
  if (cancel && !state.settling) return finishCancelled();
  await condition(() => inspection !== undefined);
  const inspected = inspection!;
  await acts.sendCaseEmail({ caseId, kind: 'inspected' });

  // Settlement: goods back to their locations, then the money.
  const byLine = new Map(inspected.lines.map((l) => [l.orderLineId, l]));
  const lines = input.lines.map((l) => ({ ...l, condition: byLine.get(l.orderLineId)!.condition, disposition: byLine.get(l.orderLineId)!.disposition }));
  await acts.moveStock({
    caseId,
    currency: input.currency,
    movements: lines.map((l) => ({
      orderLineId: l.orderLineId,
      sku: l.sku,
      quantity: l.quantity,
      location: locationFor(l.disposition),
      value: l.unitPrice * l.quantity,
    })),
  });
  await progress({ key: 'stock_moved', type: 'stock.moved', detail: { lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, location: locationFor(l.disposition) })) } });
  if (input.method === 'exchange') {
    if (!shipsFirst) await shipReplacementsWhenInStock();
    await settlePriceDifference();
    return complete();
  }
  const draft = creditForReturnedLines(lines, policy, input.currency);
  const note = await acts.issueCreditNote({ caseId, purpose: 'return_credit', draft });
  if (note) {
    await progress({ key: 'credit_note:return_credit', type: 'credit_note.issued', detail: { ...note } });
    await acts.sendCaseEmail({ caseId, kind: 'credit_issued' });
  }
  return complete();
}
