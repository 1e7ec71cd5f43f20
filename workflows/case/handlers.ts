/**
 * How a case takes messages: signals fill the inbox, updates are gated by the pure guards of
 * domain/case-guards.ts (the validator refuses, nothing is recorded) and answer once their effect
 * is on the timeline.
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import {
  addParcelRefusal,
  approveRefusal,
  cancelRefusal,
  extendDeadlineRefusal,
  extendedDeadline,
  inspectionCoverageRefusal,
  inspectRefusal,
  refundActionRefusal,
  resendLabelRefusal,
  type Refusal,
} from '../../domain/case-guards.js';
import { isFinal } from '../../domain/case-status.js';
import { durationMs, parseDuration } from '../../domain/duration.js';
import {
  addParcel,
  approve,
  cancelCase,
  caseState,
  extendDeadline,
  inspect,
  parcelInTransit,
  parcelReceived,
  refundUpdated,
  resendLabel,
  retryRefund,
  settleRefund,
  type ApprovalInput,
  type CancelInput,
  type DeadlineExtensionInput,
  type InspectionInput,
} from '../messages.js';
import { acts, type CaseContext } from './context.js';
import { observe } from './refunds.js';

function refuse(refusal: Refusal | undefined): void {
  if (refusal) throw ApplicationFailure.create({ type: refusal.type, message: refusal.message, nonRetryable: true });
}

export function takeMessages(ctx: CaseContext): void {
  const { input, state, inbox } = ctx;
  const { caseId } = input;

  setHandler(caseState, () => ({ ...state }));
  setHandler(parcelReceived, (p) => {
    inbox.scan ??= p; // a repeated scan changes nothing
  });
  setHandler(parcelInTransit, (t) => {
    // Once the parcel is in, a late in-transit report would move the case backwards: ignored.
    if (!inbox.scan && !isFinal(state.status)) inbox.transit ??= t;
  });

  setHandler(
    inspect,
    async (insp) => {
      state.settling = true; // from here on a cancel is refused
      const at = new Date().toISOString();
      await ctx.enter(
        'inspected',
        null,
        {
          key: 'inspected',
          type: 'inspected',
          detail: { lines: insp.lines, note: insp.note ?? null, by: insp.inspectedBy, at },
        },
        { inspectedLines: insp.lines },
      );
      inbox.inspection = insp;
      return { ...state };
    },
    {
      validator: (insp: InspectionInput) => {
        refuse(inspectRefusal(ctx.gate()));
        const lineIds = input.lines.map((l) => l.orderLineId);
        refuse(
          inspectionCoverageRefusal(
            caseId,
            lineIds,
            insp.lines.map((l) => l.orderLineId),
          ),
        );
      },
    },
  );

  setHandler(
    cancelCase,
    async (c) => {
      inbox.cancel ??= c;
      await condition(() => ctx.recorded.has('cancelled'));
      return { ...state };
    },
    { validator: (_c: CancelInput) => refuse(cancelRefusal(ctx.gate())) },
  );

  setHandler(
    approve,
    async (a) => {
      inbox.approval = a;
      await condition(() => ['approved', 'rejected', 'cancelled'].some((key) => ctx.recorded.has(key)));
      return { ...state };
    },
    { validator: (_a: ApprovalInput) => refuse(approveRefusal(ctx.gate())) },
  );

  let parcels = 1;
  setHandler(
    addParcel,
    async ({ requestedBy }) => {
      const parcelNo = ++parcels;
      const label = await acts.issueParcelLabel({ caseId, parcelNo });
      await ctx.record({
        key: `parcel_label:${parcelNo}`,
        type: 'label.issued',
        detail: { ...label, parcelNo, requestedBy },
      });
      return label;
    },
    { validator: (_r: { requestedBy: string }) => refuse(addParcelRefusal(ctx.gate())) },
  );

  // Added after histories were recorded: a handler only, the main flow is unchanged (replay-safe).
  let labelResends = 0;
  setHandler(
    resendLabel,
    async ({ requestedBy }) => {
      const n = ++labelResends;
      const kind = `label_resend_${n}` as const;
      await acts.sendCaseEmail({ caseId, kind });
      await ctx.record({ key: `label_resent:${n}`, type: 'label.resent', detail: { kind, requestedBy } });
      return { kind };
    },
    { validator: (_r: { requestedBy: string }) => refuse(resendLabelRefusal(ctx.gate())) },
  );

  // A manager gives the case more time: the current wait re-arms on the new deadline (DEADLINE_EXTENSION_PATCH).
  let extensions = 0;
  setHandler(
    extendDeadline,
    async (x) => {
      const from = state.deadline!;
      const to = extendedDeadline(from, Date.now(), durationMs(x.extendBy));
      const wasStuck = state.stuck;
      ctx.moveDeadline(to);
      await ctx.record(
        {
          key: `deadline_extended:${++extensions}`,
          type: 'deadline.extended',
          detail: {
            waitingFor: state.waitingFor,
            from,
            to,
            extendBy: x.extendBy,
            reason: x.reason,
            wasStuck,
            by: x.extendedBy,
            byKeyId: x.extendedByKeyId ?? null,
          },
        },
        { withCase: true },
      );
      return { ...state };
    },
    {
      validator: (x: DeadlineExtensionInput) => {
        refuse(extendDeadlineRefusal(ctx.gate()));
        const ms = parseDuration(x.extendBy);
        if (ms === undefined || ms <= 0)
          throw ApplicationFailure.create({
            type: 'InvalidDeadlineExtension',
            message: `extendBy must be a positive ISO 8601 duration, not ${x.extendBy}`,
            nonRetryable: true,
          });
      },
    },
  );

  // Refunds (added with patched REFUNDS_PATCH steps): provider news and finance's two actions.
  setHandler(refundUpdated, (u) => {
    const known = inbox.refunds.get(u.refundId);
    if (!known || known.status === 'succeeded') return;
    inbox.refunds.set(u.refundId, {
      ...known,
      status: u.status,
      failureReason: u.status === 'succeeded' ? null : (u.reason ?? known.failureReason),
    });
    inbox.refundNews++;
  });
  const refundView = (id: string) => {
    const r = inbox.refunds.get(id);
    return { refundId: id, status: r?.status ?? 'pending', reason: r?.failureReason ?? null };
  };
  setHandler(
    retryRefund,
    async ({ refundId, requestedBy }) => {
      await observe(ctx, await acts.retryRefund({ refundId, by: requestedBy }));
      await ctx.record({
        key: `refund.retried:${refundId}:${inbox.refunds.get(refundId)?.attempt ?? 0}`,
        type: 'refund.retried',
        detail: { refundId, by: requestedBy },
      });
      await observe(ctx, await acts.executeRefund({ refundId }));
      inbox.refundNews++;
      return refundView(refundId);
    },
    {
      validator: ({ refundId }: { refundId: string; requestedBy: string }) =>
        refuse(refundActionRefusal('retry', inbox.refunds.get(refundId))),
    },
  );
  setHandler(
    settleRefund,
    async ({ refundId, note, settledBy }) => {
      await observe(ctx, await acts.settleRefundManually({ refundId, by: settledBy, note }));
      await ctx.record({
        key: `refund.settled_manually:${refundId}`,
        type: 'refund.settled_manually',
        detail: { refundId, by: settledBy, note },
      });
      inbox.refundNews++;
      return refundView(refundId);
    },
    {
      validator: ({ refundId }: { refundId: string; note: string; settledBy: string }) =>
        refuse(refundActionRefusal('settle', inbox.refunds.get(refundId))),
    },
  );
}
