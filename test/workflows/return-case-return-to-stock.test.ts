/**
 * return_to_stock with stub activities: label → parcel → inspection → stock, credit note, follow-up;
 * the carrier's in-transit report, polled carriers, cases opened by a scan, cancels and refusals.
 */
import { WorkflowUpdateStage } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import {
  cancelCase,
  inspect,
  parcelInTransit,
  parcelReceived,
  resendLabel,
  type InspectionInput,
} from '../../workflows/messages.js';
import { caseInput, DAY, deferred, HOUR, refusal, SCARF, SWEATER, useWorkflowEnv } from '../support/workflow-env.js';

const env = useWorkflowEnv();

const scan = { trackingNumber: 'LR-SCANNED', scannedBy: 'dock-1', location: 'Oslo DC' };
const inspection = (lines: InspectionInput['lines']): InspectionInput => ({
  lines,
  note: 'checked',
  inspectedBy: 'inspector-1',
});
const LABEL_AND_WAIT = [
  'progress:started',
  'issueReturnLabel',
  'progress:label_issued',
  'email:label',
  'progress:awaiting_parcel',
];

describe('returnCase: return_to_stock', () => {
  it('issues a label, waits for the parcel, takes the inspection, moves stock, credits and follows up', async () => {
    const run = await env().start(caseInput({ lines: [SWEATER, SCARF] }));
    await run.until('progress:awaiting_parcel');
    expect(run.trail()).toEqual(LABEL_AND_WAIT);
    expect(run.entry('started')).toMatchObject({
      type: 'case.started',
      detail: { method: 'return_to_stock', channel: 'portal', policy: 'default' },
    });
    expect(run.entry('started').case).toBeUndefined();
    expect(run.entry('label_issued')).toMatchObject({
      type: 'label.issued',
      detail: {
        carrier: 'local',
        trackingNumber: `LR${run.caseId}`,
        url: `http://returns.test/v1/returns/${run.caseId}/label`,
      },
    });
    const awaiting = run.entry('awaiting_parcel');
    expect(awaiting).toMatchObject({
      type: 'status.awaiting_parcel',
      case: {
        status: 'awaiting_parcel',
        waitingFor: 'parcel',
        waitingSince: awaiting.at,
        stuck: false,
        stuckReason: null,
        closed: false,
      },
    });
    expect(Date.parse(awaiting.case!.deadline!) - Date.parse(awaiting.at)).toBe(30 * DAY);
    expect(await run.state()).toEqual({
      status: 'awaiting_parcel',
      waitingFor: 'parcel',
      waitingSince: awaiting.at,
      deadline: awaiting.case!.deadline,
      stuck: false,
      settling: false,
    });

    await run.handle.signal(parcelReceived, scan);
    await run.until('email:received');
    const received = run.entry('received');
    expect(received).toMatchObject({
      type: 'parcel.received',
      detail: scan,
      case: { status: 'received', waitingFor: 'inspection', stuck: false, closed: false },
    });
    expect(Date.parse(received.case!.deadline!) - Date.parse(received.at)).toBe(48 * HOUR);
    expect(await run.state()).toMatchObject({
      status: 'received',
      waitingFor: 'inspection',
      stuck: false,
      settling: false,
    });

    const lines: InspectionInput['lines'] = [
      { orderLineId: 'L1', condition: 'new', disposition: 'restock' },
      { orderLineId: 'L2', condition: 'damaged', disposition: 'scrap' },
    ];
    const answered = await run.handle.executeUpdate(inspect, { args: [inspection(lines)] });
    expect(answered).toEqual({
      status: 'inspected',
      waitingFor: null,
      waitingSince: null,
      deadline: null,
      stuck: false,
      settling: true,
    });
    expect(run.entry('inspected')).toMatchObject({
      type: 'inspected',
      detail: { lines, note: 'checked', by: 'inspector-1' },
      inspectedLines: lines,
      case: { status: 'inspected', waitingFor: null, waitingSince: null, deadline: null, stuck: false, closed: false },
    });

    await run.until('progress:completed');
    expect(run.calls('moveStock').map((c) => c.input)).toEqual([
      {
        caseId: run.caseId,
        currency: 'NOK',
        movements: [
          { orderLineId: 'L1', sku: 'SKU-SWEATER', quantity: 2, location: 'sellable', value: 159_800 },
          { orderLineId: 'L2', sku: 'SKU-SCARF', quantity: 1, location: 'scrap', value: 20_000 },
        ],
      },
    ]);
    expect(run.entry('stock_moved').detail).toEqual({
      lines: [
        { sku: 'SKU-SWEATER', quantity: 2, location: 'sellable' },
        { sku: 'SKU-SCARF', quantity: 1, location: 'scrap' },
      ],
    });
    // New goods are credited in full; damaged ones less the policy's 20 % restocking fee.
    expect(run.calls('issueCreditNote').map((c) => c.input)).toEqual([
      {
        caseId: run.caseId,
        purpose: 'return_credit',
        draft: {
          currency: 'NOK',
          amount: 175_800,
          vat: 34_047,
          lines: [
            {
              orderLineId: 'L1',
              sku: 'SKU-SWEATER',
              quantity: 2,
              paid: 159_800,
              restockingFeePercent: 0,
              restockingFee: 0,
              amount: 159_800,
              vatRate: 25,
              vat: 31_960,
            },
            {
              orderLineId: 'L2',
              sku: 'SKU-SCARF',
              quantity: 1,
              paid: 20_000,
              restockingFeePercent: 20,
              restockingFee: 4_000,
              amount: 16_000,
              vatRate: 15,
              vat: 2_087,
            },
          ],
        },
      },
    ]);
    expect(run.entry('credit_note:return_credit')).toMatchObject({
      type: 'credit_note.issued',
      detail: { amount: 175_800, currency: 'NOK' },
    });
    expect(run.entry('completed')).toMatchObject({
      type: 'completed',
      case: { status: 'completed', waitingFor: null, closed: true },
    });
    expect(run.emails()).not.toContain('follow_up');

    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual([
      ...LABEL_AND_WAIT,
      'progress:received',
      'email:received',
      'progress:inspected',
      'email:inspected',
      'moveStock',
      'progress:stock_moved',
      'issueCreditNote:return_credit',
      'progress:credit_note:return_credit',
      'email:credit_issued',
      'planRefunds:return_credit',
      'progress:completed',
      'email:follow_up',
    ]);
    // The money for the credit note: the stubs pay nothing out, so the case goes straight on.
    expect(run.calls('planRefunds').map((c) => c.input)).toEqual([
      {
        caseId: run.caseId,
        purpose: 'return_credit',
        credited: 175_800,
        conditions: ['new', 'damaged'],
        goodsReturned: true,
      },
    ]);
    expect(run.transitions()).toEqual(['awaiting_parcel/parcel', 'received/inspection', 'inspected', 'completed']);
    // The follow-up is the case's last step, followUpAfter (P7D) after completion.
    const followUp = run.timeOf('email:follow_up') - run.timeOf('progress:completed');
    expect(followUp).toBeGreaterThanOrEqual(7 * DAY);
    expect(followUp).toBeLessThan(7 * DAY + 60_000);
  });

  it('sends a label reminder after labelReminderAfter and expires after parcelDeadline when no parcel comes', async () => {
    const run = await env().start(caseInput());
    expect(await run.result()).toBe('expired');
    expect(run.trail()).toEqual([
      ...LABEL_AND_WAIT,
      'email:label_reminder',
      'progress:label_reminder',
      'progress:expired',
      'email:expired',
    ]);
    expect(run.entry('label_reminder')).toMatchObject({ type: 'email.label_reminder', detail: {} });
    expect(run.entry('label_reminder').case).toBeUndefined();
    expect(run.entry('expired')).toMatchObject({
      type: 'expired',
      detail: { reason: 'no parcel within P30D' },
      case: { status: 'expired', waitingFor: null, closed: true },
    });
    expect(run.transitions()).toEqual(['awaiting_parcel/parcel', 'expired']);
    const start = run.timeOf('progress:awaiting_parcel');
    expect(run.timeOf('email:label_reminder') - start).toBeGreaterThanOrEqual(7 * DAY);
    expect(run.timeOf('email:label_reminder') - start).toBeLessThan(7 * DAY + 60_000);
    expect(run.timeOf('progress:expired') - start).toBeGreaterThanOrEqual(30 * DAY);
    expect(run.timeOf('progress:expired') - start).toBeLessThan(30 * DAY + 60_000);
    expect(run.calls('moveStock')).toEqual([]);
    expect(run.calls('issueCreditNote')).toEqual([]);
  });

  it('credits the restocking fee of opened goods by the case policy', async () => {
    const run = await env().start(caseInput({ policy: { restockingFeePercent: { opened: 10, damaged: 20 } } }));
    await run.until('progress:awaiting_parcel');
    await run.handle.signal(parcelReceived, scan);
    await run.until('email:received');
    await run.handle.executeUpdate(inspect, {
      args: [inspection([{ orderLineId: 'L1', condition: 'opened', disposition: 'refurbish' }])],
    });
    expect(await run.result()).toBe('completed');
    expect(run.calls('moveStock')[0]!.input.movements).toEqual([
      { orderLineId: 'L1', sku: 'SKU-SWEATER', quantity: 2, location: 'refurbish', value: 159_800 },
    ]);
    expect(run.calls('issueCreditNote')[0]!.input.draft).toMatchObject({
      amount: 143_820,
      vat: 28_764,
      lines: [{ restockingFeePercent: 10, restockingFee: 15_980, amount: 143_820 }],
    });
  });

  it('completes without a credit e-mail when nothing is left to credit', async () => {
    const run = await env().start(caseInput(), { issueCreditNote: () => null });
    await run.until('progress:awaiting_parcel');
    await run.handle.signal(parcelReceived, scan);
    await run.until('email:received');
    await run.handle.executeUpdate(inspect, {
      args: [inspection([{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }])],
    });
    expect(await run.result()).toBe('completed');
    expect(run.trail().slice(-5)).toEqual([
      'moveStock',
      'progress:stock_moved',
      'issueCreditNote:return_credit',
      'progress:completed',
      'email:follow_up',
    ]);
    expect(run.emails()).not.toContain('credit_issued');
  });

  it('moves to in_transit on a carrier report, keeps the parcel deadline, and ignores later reports', async () => {
    const run = await env().start(caseInput());
    await run.until('progress:awaiting_parcel');
    const transit = {
      trackingNumber: `LR${run.caseId}`,
      carrier: 'easypost',
      status: 'in_transit',
      occurredAt: '2025-01-01T10:00:00.000Z',
      location: 'Oslo',
    };
    await run.handle.signal(parcelInTransit, transit);
    await run.until('progress:in_transit');
    const inTransit = run.entry('in_transit');
    expect(inTransit).toMatchObject({
      type: 'parcel.in_transit',
      detail: transit,
      case: { status: 'in_transit', waitingFor: 'receipt', waitingSince: inTransit.at, stuck: false },
    });
    expect(inTransit.case!.deadline).toBe(run.entry('awaiting_parcel').case!.deadline);
    expect(await run.state()).toMatchObject({
      status: 'in_transit',
      waitingFor: 'receipt',
      deadline: inTransit.case!.deadline,
    });

    await run.handle.signal(parcelInTransit, { ...transit, status: 'out_for_delivery' });
    await run.handle.signal(parcelReceived, scan);
    await run.until('email:received');
    // A report after the scan must not move the case backwards.
    await run.handle.signal(parcelInTransit, { ...transit, status: 'delivered_late_report' });
    expect(await run.state()).toMatchObject({ status: 'received', waitingFor: 'inspection' });
    await run.handle.executeUpdate(inspect, {
      args: [inspection([{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }])],
    });
    expect(await run.result()).toBe('completed');
    expect(run.progress('in_transit')).toHaveLength(1);
    expect(run.transitions()).toEqual([
      'awaiting_parcel/parcel',
      'in_transit/receipt',
      'received/inspection',
      'inspected',
      'completed',
    ]);
    expect(run.emails()).toEqual(['label', 'received', 'inspected', 'credit_issued', 'follow_up']);
  });

  it('polls a carrier without a push API every pollEvery until the parcel is in', async () => {
    const run = await env().start(caseInput(), {
      label: { carrier: 'postnord', pollEvery: 'PT6H' },
      // The real activity signals the case when the carrier reports delivery; here the third poll does.
      pollCarrier: async ({ call, handle }) => {
        if (call === 3)
          await handle.signal(parcelReceived, { trackingNumber: `LR${run.caseId}`, scannedBy: 'carrier:postnord' });
        return { polled: 1, newEvents: call === 3 ? 1 : 0, told: call === 3 ? 1 : 0 };
      },
    });
    await run.until('progress:awaiting_parcel');
    await env().sleep('1 day');
    await run.until('email:received');
    const polls = run.calls('pollCarrier');
    expect(polls.map((c) => c.input)).toEqual([{ caseId: run.caseId }, { caseId: run.caseId }, { caseId: run.caseId }]);
    const start = run.timeOf('progress:awaiting_parcel');
    polls.forEach((c, i) => {
      expect(c.at - start).toBeGreaterThanOrEqual((i + 1) * 6 * HOUR);
      expect(c.at - start).toBeLessThan((i + 1) * 6 * HOUR + 60_000);
    });
    expect(run.entry('received').detail).toEqual({ trackingNumber: `LR${run.caseId}`, scannedBy: 'carrier:postnord' });
    await run.handle.executeUpdate(inspect, {
      args: [inspection([{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }])],
    });
    expect(await run.result()).toBe('completed');
    expect(run.calls('pollCarrier')).toHaveLength(3);
  });

  it('keeps a case going when carrier polls fail: each is retried once, the case expires on time', async () => {
    const run = await env().start(caseInput({ policy: { labelReminderAfter: 'P1D', parcelDeadline: 'P2D' } }), {
      label: { carrier: 'postnord', pollEvery: 'PT12H' },
      pollCarrier: () => {
        throw new Error('carrier down');
      },
    });
    expect(await run.result()).toBe('expired');
    // Polls at 12 h, 24 h and 36 h, two attempts each; none at the deadline (48 h).
    expect(run.calls('pollCarrier').map((c) => c.attempt)).toEqual([1, 2, 1, 2, 1, 2]);
    expect(run.emails()).toEqual(['label', 'label_reminder', 'expired']);
    expect(run.transitions()).toEqual(['awaiting_parcel/parcel', 'expired']);
  });

  it('sends no label e-mail to a case opened by its parcel scan and goes straight to received', async () => {
    const openedByScan = { trackingNumber: 'PRE-123456', scannedBy: 'dock-2', location: 'Oslo DC' };
    const run = await env().start(caseInput({ channel: 'store', openedByScan }));
    await run.until('email:received');
    expect(run.trail()).toEqual([
      'progress:started',
      'issueReturnLabel',
      'progress:label_issued',
      'progress:awaiting_parcel',
      'progress:received',
      'email:received',
    ]);
    expect(run.entry('received').detail).toEqual(openedByScan);
    await run.handle.executeUpdate(inspect, {
      args: [inspection([{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }])],
    });
    expect(await run.result()).toBe('completed');
    expect(run.emails()).toEqual(['received', 'inspected', 'credit_issued', 'follow_up']);
  });

  it('refuses to resend the label of a case opened by a scan, even while it still shows awaiting_parcel', async () => {
    const hold = deferred();
    const run = await env().start(caseInput({ openedByScan: { trackingNumber: 'PRE-654321', scannedBy: 'dock-2' } }), {
      before: (c) => (c.name === 'recordProgress' && c.input.eventKey === 'awaiting_parcel' ? hold.promise : undefined),
    });
    await run.until('progress:awaiting_parcel');
    expect(await run.state()).toMatchObject({ status: 'awaiting_parcel', waitingFor: 'parcel' });
    expect(await refusal(run.handle.executeUpdate(resendLabel, { args: [{ requestedBy: 'cs-1' }] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is awaiting_parcel; its label is no longer needed',
    });
    hold.release();
    await run.until('email:received');
    expect(run.emails()).toEqual(['received']);
  });
});

describe('returnCase: cancel and inspection refusals', () => {
  it('cancels a case waiting for its parcel', async () => {
    const run = await env().start(caseInput());
    await run.until('progress:awaiting_parcel');
    const answered = await run.handle.executeUpdate(cancelCase, {
      args: [{ reason: 'changed my mind', cancelledBy: 'customer' }],
    });
    expect(answered).toEqual({
      status: 'cancelled',
      waitingFor: null,
      waitingSince: null,
      deadline: null,
      stuck: false,
      settling: false,
    });
    expect(await run.result()).toBe('cancelled');
    expect(run.trail()).toEqual([...LABEL_AND_WAIT, 'progress:cancelled', 'email:cancelled']);
    expect(run.entry('cancelled')).toMatchObject({
      type: 'cancelled',
      detail: { reason: 'changed my mind', by: 'customer' },
      case: { status: 'cancelled', closed: true },
    });
    expect(run.transitions()).toEqual(['awaiting_parcel/parcel', 'cancelled']);
  });

  it('cancels a case in transit', async () => {
    const run = await env().start(caseInput());
    await run.until('progress:awaiting_parcel');
    await run.handle.signal(parcelInTransit, {
      trackingNumber: `LR${run.caseId}`,
      carrier: 'generic',
      status: 'in_transit',
    });
    await run.until('progress:in_transit');
    await run.handle.executeUpdate(cancelCase, { args: [{ reason: 'lost', cancelledBy: 'cs-1' }] });
    expect(await run.result()).toBe('cancelled');
    expect(run.transitions()).toEqual(['awaiting_parcel/parcel', 'in_transit/receipt', 'cancelled']);
    expect(run.emails()).toEqual(['label', 'cancelled']);
  });

  it('cancels a received case before its inspection', async () => {
    const run = await env().start(caseInput());
    await run.until('progress:awaiting_parcel');
    await run.handle.signal(parcelReceived, scan);
    await run.until('email:received');
    const answered = await run.handle.executeUpdate(cancelCase, {
      args: [{ reason: 'kept it after all', cancelledBy: 'cs-1' }],
    });
    expect(answered).toMatchObject({ status: 'cancelled', waitingFor: null });
    expect(await run.result()).toBe('cancelled');
    expect(run.transitions()).toEqual(['awaiting_parcel/parcel', 'received/inspection', 'cancelled']);
    expect(run.emails()).toEqual(['label', 'received', 'cancelled']);
    expect(run.calls('moveStock')).toEqual([]);
  });

  it('cancels right after the start, before any label, when the cancel comes that early', async () => {
    const hold = deferred();
    const run = await env().start(caseInput(), {
      before: (c) => (c.name === 'recordProgress' && c.input.eventKey === 'started' ? hold.promise : undefined),
    });
    await run.until('progress:started');
    // Taken in while the first step is still under way.
    const cancelled = await run.handle.startUpdate(cancelCase, {
      args: [{ reason: 'duplicate', cancelledBy: 'cs-1' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    hold.release();
    expect(await cancelled.result()).toMatchObject({ status: 'cancelled' });
    expect(await run.result()).toBe('cancelled');
    expect(run.trail()).toEqual(['progress:started', 'progress:cancelled', 'email:cancelled']);
  });

  it('a cancel taken in while the label is issued still lets the label e-mail go out, then cancels (current behaviour)', async () => {
    const hold = deferred();
    const run = await env().start(caseInput(), {
      before: (c) => (c.name === 'issueReturnLabel' ? hold.promise : undefined),
    });
    await run.until('issueReturnLabel');
    const cancelled = await run.handle.startUpdate(cancelCase, {
      args: [{ reason: 'duplicate', cancelledBy: 'cs-1' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    hold.release();
    expect(await cancelled.result()).toMatchObject({ status: 'cancelled' });
    expect(await run.result()).toBe('cancelled');
    expect(run.trail()).toEqual([...LABEL_AND_WAIT, 'progress:cancelled', 'email:cancelled']);
  });

  it('refuses a cancel once the inspection is in (CaseAlreadySettled), also after completion', async () => {
    const run = await env().start(caseInput());
    await run.until('progress:awaiting_parcel');
    await run.handle.signal(parcelReceived, scan);
    await run.until('email:received');
    await run.handle.executeUpdate(inspect, {
      args: [inspection([{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }])],
    });
    const early = await refusal(
      run.handle.executeUpdate(cancelCase, { args: [{ reason: 'too late', cancelledBy: 'customer' }] }),
    );
    expect(early.type).toBe('CaseAlreadySettled');
    expect(early.message).toMatch(/^case is (inspected|completed); it can no longer be cancelled$/);
    await run.until('progress:completed');
    expect(
      await refusal(run.handle.executeUpdate(cancelCase, { args: [{ reason: 'too late', cancelledBy: 'customer' }] })),
    ).toEqual({
      type: 'CaseAlreadySettled',
      message: 'case is completed; it can no longer be cancelled',
    });
    expect(await run.result()).toBe('completed');
    expect(run.progress('cancelled')).toEqual([]);
  });

  it('refuses an inspection while the case is not waiting for one (CaseNotWaiting)', async () => {
    const run = await env().start(caseInput());
    await run.until('progress:awaiting_parcel');
    const insp = inspection([{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }]);
    expect(await refusal(run.handle.executeUpdate(inspect, { args: [insp] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is awaiting_parcel, not waiting for inspection',
    });
    await run.handle.signal(parcelReceived, scan);
    await run.until('email:received');
    await run.handle.executeUpdate(inspect, { args: [insp] });
    // A second inspection of the same case.
    const again = await refusal(run.handle.executeUpdate(inspect, { args: [insp] }));
    expect(again.type).toBe('CaseNotWaiting');
    expect(again.message).toMatch(/^case is (inspected|completed), not waiting for inspection$/);
    expect(await run.result()).toBe('completed');
    expect(run.progress('inspected')).toHaveLength(1);
  });

  it('refuses an inspection of a cancelled case', async () => {
    const hold = deferred();
    const run = await env().start(caseInput(), {
      before: (c) => (c.name === 'sendCaseEmail' && c.input.kind === 'cancelled' ? hold.promise : undefined),
    });
    await run.until('progress:awaiting_parcel');
    await run.handle.signal(parcelReceived, scan);
    await run.until('email:received');
    await run.handle.executeUpdate(cancelCase, { args: [{ reason: 'kept it', cancelledBy: 'cs-1' }] });
    await run.until('email:cancelled');
    expect(
      await refusal(
        run.handle.executeUpdate(inspect, {
          args: [inspection([{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }])],
        }),
      ),
    ).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is cancelled, not waiting for inspection',
    });
    expect(
      await refusal(run.handle.executeUpdate(cancelCase, { args: [{ reason: 'again', cancelledBy: 'cs-1' }] })),
    ).toEqual({
      type: 'CaseAlreadySettled',
      message: 'case is cancelled; it can no longer be cancelled',
    });
    hold.release();
    expect(await run.result()).toBe('cancelled');
    expect(run.progress('inspected')).toEqual([]);
  });

  it('refuses an inspection that does not cover each case line once (InvalidInspection) and changes nothing', async () => {
    const run = await env().start(caseInput({ lines: [SWEATER, SCARF] }));
    await run.until('progress:awaiting_parcel');
    await run.handle.signal(parcelReceived, scan);
    await run.until('email:received');
    const before = run.trail();
    const l1 = { orderLineId: 'L1', condition: 'new', disposition: 'restock' } as const;
    const l2 = { orderLineId: 'L2', condition: 'new', disposition: 'restock' } as const;
    const invalid = { type: 'InvalidInspection', message: 'inspection must cover each case line once: L1, L2' };
    for (const lines of [
      [l1],
      [l1, l1],
      [l1, { ...l2, orderLineId: 'L3' }],
      [l1, l2, { ...l2, orderLineId: 'L3' }],
      [],
    ]) {
      expect(
        await refusal(run.handle.executeUpdate(inspect, { args: [inspection(lines)] })),
        JSON.stringify(lines),
      ).toEqual(invalid);
    }
    expect(run.trail()).toEqual(before);
    expect(await run.state()).toMatchObject({ status: 'received', waitingFor: 'inspection', settling: false });
    // Order of the lines does not matter.
    await run.handle.executeUpdate(inspect, { args: [inspection([l2, l1])] });
    expect(await run.result()).toBe('completed');
  });
});
