/**
 * Every wait's deadline with stub activities, on the time-skipping server: the label reminder, the
 * parcel deadline (also once in transit), the inspection deadline (stuck, then still inspected or
 * cancelled), the approval and replacement-stock deadlines (with their defaults for policies that
 * lack them), the carrier poll interval and the follow-up.
 */
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../domain/policy.js';
import {
  approve,
  cancelCase,
  inspect,
  parcelInTransit,
  parcelReceived,
  type ReplacementInput,
} from '../../workflows/messages.js';
import { caseInput, DAY, HOUR, outOfStock, shipped, useWorkflowEnv, type CaseRun } from '../support/workflow-env.js';

const env = useWorkflowEnv();

const scan = { trackingNumber: 'LR-SCANNED', scannedBy: 'dock-1' };
const inspection = {
  lines: [{ orderLineId: 'L1', condition: 'new' as const, disposition: 'restock' as const }],
  inspectedBy: 'inspector-1',
};

/** `later` happened `ms` after `earlier` (server time), give or take the activities' own minute. */
function expectAfter(run: CaseRun, earlier: string, later: string, ms: number): void {
  const gap = run.timeOf(later) - run.timeOf(earlier);
  expect(gap, `${earlier} → ${later}`).toBeGreaterThanOrEqual(ms);
  expect(gap, `${earlier} → ${later}`).toBeLessThan(ms + 60_000);
}

async function receivedCase(policy: Partial<Policy>): Promise<CaseRun> {
  const run = await env().start(caseInput({ policy }));
  await run.until('progress:awaiting_parcel');
  await run.handle.signal(parcelReceived, scan);
  await run.until('email:received');
  return run;
}

describe('returnCase deadlines: the parcel', () => {
  it('reminds after labelReminderAfter and expires at parcelDeadline (policy durations)', async () => {
    const run = await env().start(caseInput({ policy: { labelReminderAfter: 'PT36H', parcelDeadline: 'P4D' } }));
    expect(await run.result()).toBe('expired');
    expectAfter(run, 'progress:awaiting_parcel', 'email:label_reminder', 36 * HOUR);
    expectAfter(run, 'progress:awaiting_parcel', 'progress:expired', 4 * DAY);
    expect(run.entry('expired').detail).toEqual({ reason: 'no parcel within P4D' });
    expect(Date.parse(run.entry('awaiting_parcel').case!.deadline!) - run.timeOf('progress:awaiting_parcel')).toBe(
      4 * DAY,
    );
  });

  it('sends no reminder when labelReminderAfter is not before the parcel deadline', async () => {
    const run = await env().start(caseInput({ policy: { labelReminderAfter: 'P30D', parcelDeadline: 'P30D' } }));
    expect(await run.result()).toBe('expired');
    expect(run.trail()).toEqual([
      'progress:started',
      'issueReturnLabel',
      'progress:label_issued',
      'email:label',
      'progress:awaiting_parcel',
      'progress:expired',
      'email:expired',
    ]);
  });

  it('expires a case in transit at the original parcel deadline (the reminder went out before the report)', async () => {
    const run = await env().start(caseInput({ policy: { labelReminderAfter: 'P2D', parcelDeadline: 'P5D' } }));
    await run.until('progress:awaiting_parcel');
    await env().sleep(3 * DAY);
    await run.until('progress:label_reminder');
    await run.handle.signal(parcelInTransit, {
      trackingNumber: `LR${run.caseId}`,
      carrier: 'aftership',
      status: 'InTransit',
    });
    await run.until('progress:in_transit');
    expect(run.entry('in_transit').case!.deadline).toBe(run.entry('awaiting_parcel').case!.deadline);
    expect(await run.result()).toBe('expired');
    expect(run.trail().slice(4)).toEqual([
      'progress:awaiting_parcel',
      'email:label_reminder',
      'progress:label_reminder',
      'progress:in_transit',
      'progress:expired',
      'email:expired',
    ]);
    expectAfter(run, 'progress:awaiting_parcel', 'progress:expired', 5 * DAY);
    expect(run.transitions()).toEqual(['awaiting_parcel/parcel', 'in_transit/receipt', 'expired']);
  });

  it('sends no reminder once a carrier reported the parcel on its way', async () => {
    const run = await env().start(caseInput({ policy: { labelReminderAfter: 'P2D', parcelDeadline: 'P5D' } }));
    await run.until('progress:awaiting_parcel');
    await run.handle.signal(parcelInTransit, {
      trackingNumber: `LR${run.caseId}`,
      carrier: 'aftership',
      status: 'InTransit',
    });
    await run.until('progress:in_transit');
    expect(await run.result()).toBe('expired');
    expect(run.emails()).toEqual(['label', 'expired']);
  });

  it('polls a carrier at most once a second, and not at the deadline', async () => {
    const run = await env().start(caseInput({ policy: { labelReminderAfter: 'P1D', parcelDeadline: 'PT5S' } }), {
      label: { carrier: 'postnord', pollEvery: 'PT0.5S' },
    });
    expect(await run.result()).toBe('expired');
    const start = run.timeOf('progress:awaiting_parcel');
    const polls = run.calls('pollCarrier').map((c) => c.at - start);
    expect(polls).toHaveLength(4);
    polls.forEach((ms, i) => expect(ms).toBeGreaterThanOrEqual((i + 1) * 1000));
    expect(run.emails()).toEqual(['label', 'expired']);
  });
});

describe('returnCase deadlines: the inspection', () => {
  it('shows as stuck after inspectionDeadline, keeps waiting, then completes on a late inspection', async () => {
    const run = await receivedCase({});
    await env().sleep(49 * HOUR);
    await run.until('progress:inspection_overdue');
    const overdue = run.entry('inspection_overdue');
    expect(overdue).toMatchObject({
      type: 'deadline.missed',
      detail: { reason: 'not inspected within PT48H', waitingFor: 'inspection' },
      case: {
        status: 'received',
        waitingFor: 'inspection',
        stuck: true,
        stuckReason: 'not inspected within PT48H',
        closed: false,
      },
    });
    // Still waiting since the receipt, with the deadline it missed.
    expect(overdue.case).toMatchObject({
      waitingSince: run.entry('received').case!.waitingSince,
      deadline: run.entry('received').case!.deadline,
    });
    expectAfter(run, 'email:received', 'progress:inspection_overdue', 48 * HOUR);
    expect(await run.state()).toMatchObject({
      status: 'received',
      waitingFor: 'inspection',
      stuck: true,
      settling: false,
    });

    const answered = await run.handle.executeUpdate(inspect, { args: [inspection] });
    expect(answered).toMatchObject({ status: 'inspected', stuck: false, settling: true });
    expect(await run.result()).toBe('completed');
    expect(run.transitions()).toEqual([
      'awaiting_parcel/parcel',
      'received/inspection',
      'received/inspection (stuck)',
      'inspected',
      'completed',
    ]);
    expect(run.trail().slice(5, 9)).toEqual([
      'progress:received',
      'email:received',
      'progress:inspection_overdue',
      'progress:inspected',
    ]);
  });

  it('takes the policy’s inspectionDeadline', async () => {
    const run = await receivedCase({ inspectionDeadline: 'PT6H' });
    expect(Date.parse(run.entry('received').case!.deadline!) - run.timeOf('progress:received')).toBe(6 * HOUR);
    await env().sleep(7 * HOUR);
    await run.until('progress:inspection_overdue');
    expect(run.entry('inspection_overdue').detail).toEqual({
      reason: 'not inspected within PT6H',
      waitingFor: 'inspection',
    });
    expectAfter(run, 'email:received', 'progress:inspection_overdue', 6 * HOUR);
  });

  it('cancels a case stuck waiting for its inspection', async () => {
    const run = await receivedCase({});
    await env().sleep(49 * HOUR);
    await run.until('progress:inspection_overdue');
    expect(
      await run.handle.executeUpdate(cancelCase, { args: [{ reason: 'lost in the warehouse', cancelledBy: 'cs-1' }] }),
    ).toMatchObject({ status: 'cancelled', stuck: false });
    expect(await run.result()).toBe('cancelled');
    expect(run.trail().slice(-3)).toEqual(['progress:inspection_overdue', 'progress:cancelled', 'email:cancelled']);
    expect(run.calls('moveStock')).toEqual([]);
  });
});

describe('returnCase deadlines: approval, stock, follow-up', () => {
  const dear: ReplacementInput[] = [{ sku: 'SKU-SWEATER-L', quantity: 2, unitPrice: 79_900 }];

  it('takes P3D for the approval deadline of a policy that has none', async () => {
    const run = await env().start(
      caseInput({ method: 'exchange_without_return', replacements: dear, policy: { approvalDeadline: undefined } }),
    );
    await run.until('progress:awaiting_approval');
    expect(Date.parse(run.entry('awaiting_approval').case!.deadline!) - run.timeOf('progress:awaiting_approval')).toBe(
      3 * DAY,
    );
    await env().sleep(3 * DAY + HOUR);
    await run.until('progress:approval_overdue');
    expect(run.entry('approval_overdue').detail).toEqual({ reason: 'no decision within P3D', waitingFor: 'approval' });
    expectAfter(run, 'progress:awaiting_approval', 'progress:approval_overdue', 3 * DAY);
    await run.handle.executeUpdate(approve, { args: [{ approved: true, approvedBy: 'manager-1' }] });
    expect(await run.result()).toBe('completed');
  });

  it('takes P7D for the replacement stock deadline of a policy that has none', async () => {
    const run = await env().start(
      caseInput({
        method: 'exchange_without_return',
        replacements: [{ sku: 'SKU-SOCKS', quantity: 1, unitPrice: 9_900 }],
        policy: { replacementStockDeadline: undefined },
      }),
      {
        shipReplacements: (req, call) => (call <= 169 ? outOfStock(req) : shipped(req)),
      },
    );
    expect(await run.result()).toBe('completed');
    // Hourly attempts: the 169th, 168 hours after the first, is the first one overdue.
    expect(
      run
        .progress()
        .filter((p) => p.type === 'replacement.out_of_stock')
        .map((p) => p.eventKey),
    ).toEqual(['replacement_out_of_stock:1', 'replacement_out_of_stock:169']);
    expect(run.entry('replacement_out_of_stock:169').case).toMatchObject({
      stuck: true,
      stuckReason: 'replacement out of stock: SKU-SOCKS',
    });
    expectAfter(run, 'progress:replacement_out_of_stock:1', 'progress:replacement_out_of_stock:169', 7 * DAY);
    expect(run.calls('shipReplacements')).toHaveLength(170);
  });

  it('sends the follow-up e-mail followUpAfter after completion', async () => {
    const run = await env().start(caseInput({ method: 'credit_only', policy: { followUpAfter: 'PT90M' } }));
    await run.until('progress:completed');
    await env().sleep(89 * 60_000);
    expect(run.emails()).not.toContain('follow_up');
    expect(await run.result()).toBe('completed');
    expectAfter(run, 'progress:completed', 'email:follow_up', 90 * 60_000);
  });
});
