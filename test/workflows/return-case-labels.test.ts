/**
 * The label updates with stub activities: `addParcel` (another label for a case that goes back in
 * several parcels) and `resendLabel` (the label e-mailed again), while the case waits for its
 * parcel or its receipt, and their refusals once it no longer does.
 */
import { describe, expect, it } from 'vitest';
import {
  addParcel,
  cancelCase,
  inspect,
  parcelInTransit,
  parcelReceived,
  resendLabel,
} from '../../workflows/messages.js';
import { caseInput, deferred, refusal, useWorkflowEnv, type CaseRun } from '../support/workflow-env.js';

const env = useWorkflowEnv();

const by = { requestedBy: 'cs-1' };
const scan = { trackingNumber: 'LR-SCANNED', scannedBy: 'dock-1' };
const LABEL_AND_WAIT = [
  'progress:started',
  'issueReturnLabel',
  'progress:label_issued',
  'email:label',
  'progress:awaiting_parcel',
];

async function inTransit(run: CaseRun): Promise<void> {
  await run.handle.signal(parcelInTransit, {
    trackingNumber: `LR${run.caseId}`,
    carrier: 'generic',
    status: 'in_transit',
  });
  await run.until('progress:in_transit');
}

async function received(run: CaseRun): Promise<void> {
  await run.handle.signal(parcelReceived, scan);
  await run.until('email:received');
}

describe('returnCase: addParcel', () => {
  it('issues one more label per request while the case waits for its parcel, numbered from 2', async () => {
    const run = await env().start(caseInput());
    await run.until('progress:awaiting_parcel');
    const second = await run.handle.executeUpdate(addParcel, { args: [by] });
    expect(second).toEqual({
      carrier: 'local',
      trackingNumber: `LR${run.caseId}P2`,
      url: `http://returns.test/v1/returns/${run.caseId}/label?parcel=2`,
    });
    expect(run.calls('issueParcelLabel').map((c) => c.input)).toEqual([{ caseId: run.caseId, parcelNo: 2 }]);
    expect(run.entry('parcel_label:2')).toMatchObject({
      type: 'label.issued',
      detail: { ...second, parcelNo: 2, requestedBy: 'cs-1' },
    });
    expect(run.entry('parcel_label:2').case).toBeUndefined();

    await inTransit(run);
    const third = await run.handle.executeUpdate(addParcel, { args: [{ requestedBy: 'customer' }] });
    expect(third.trackingNumber).toBe(`LR${run.caseId}P3`);
    expect(await run.state()).toMatchObject({ status: 'in_transit', waitingFor: 'receipt' });

    await received(run);
    expect(await refusal(run.handle.executeUpdate(addParcel, { args: [by] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is received, not waiting for parcels',
    });
    expect(run.trail()).toEqual([
      ...LABEL_AND_WAIT,
      'issueParcelLabel:2',
      'progress:parcel_label:2',
      'progress:in_transit',
      'issueParcelLabel:3',
      'progress:parcel_label:3',
      'progress:received',
      'email:received',
    ]);
    // The first scan brings the case in, however many parcels it was sent in.
    await run.handle.executeUpdate(inspect, {
      args: [{ lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }], inspectedBy: 'inspector-1' }],
    });
    expect(await run.result()).toBe('completed');
    expect(run.emails()).toEqual(['label', 'received', 'inspected', 'credit_issued', 'follow_up']);
  });

  it('refuses a parcel for cases without a parcel to send: credit only, awaiting approval, cancelled', async () => {
    const credit = await env().start(caseInput({ method: 'credit_only' }));
    await credit.until('progress:completed');
    expect(await refusal(credit.handle.executeUpdate(addParcel, { args: [by] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is completed, not waiting for parcels',
    });

    const approval = await env().start(
      caseInput({
        method: 'exchange_without_return',
        lines: [
          {
            orderLineId: 'L1',
            sku: 'SKU-COAT',
            name: 'Coat',
            quantity: 1,
            reason: 'broken',
            unitPrice: 99_000,
            vatRate: 25,
          },
        ],
        replacements: [{ sku: 'SKU-COAT', quantity: 1, unitPrice: 99_000 }],
      }),
    );
    await approval.until('progress:awaiting_approval');
    expect(await refusal(approval.handle.executeUpdate(addParcel, { args: [by] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is awaiting_approval, not waiting for parcels',
    });

    const hold = deferred();
    const cancelled = await env().start(caseInput(), {
      before: (c) => (c.name === 'sendCaseEmail' && c.input.kind === 'cancelled' ? hold.promise : undefined),
    });
    await cancelled.until('progress:awaiting_parcel');
    await cancelled.handle.executeUpdate(cancelCase, { args: [{ reason: 'no', cancelledBy: 'customer' }] });
    await cancelled.until('email:cancelled');
    expect(await refusal(cancelled.handle.executeUpdate(addParcel, { args: [by] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is cancelled, not waiting for parcels',
    });
    hold.release();
    expect(await cancelled.result()).toBe('cancelled');
    expect([credit, approval, cancelled].flatMap((r) => r.calls('issueParcelLabel'))).toEqual([]);
  });
});

describe('returnCase: resendLabel', () => {
  it('e-mails the label again, a distinct e-mail kind per request, while waiting for the parcel or its receipt', async () => {
    const run = await env().start(caseInput());
    await run.until('progress:awaiting_parcel');
    expect(await run.handle.executeUpdate(resendLabel, { args: [by] })).toEqual({ kind: 'label_resend_1' });
    expect(run.entry('label_resent:1')).toMatchObject({
      type: 'label.resent',
      detail: { kind: 'label_resend_1', requestedBy: 'cs-1' },
    });
    expect(run.entry('label_resent:1').case).toBeUndefined();
    await inTransit(run);
    expect(await run.handle.executeUpdate(resendLabel, { args: [{ requestedBy: 'customer' }] })).toEqual({
      kind: 'label_resend_2',
    });
    expect(run.trail()).toEqual([
      ...LABEL_AND_WAIT,
      'email:label_resend_1',
      'progress:label_resent:1',
      'progress:in_transit',
      'email:label_resend_2',
      'progress:label_resent:2',
    ]);
    expect(await run.state()).toMatchObject({ status: 'in_transit', waitingFor: 'receipt' });

    await received(run);
    expect(await refusal(run.handle.executeUpdate(resendLabel, { args: [by] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is received; its label is no longer needed',
    });
    expect(run.emails()).toEqual(['label', 'label_resend_1', 'label_resend_2', 'received']);
  });

  it('refuses once the case is cancelled', async () => {
    const hold = deferred();
    const run = await env().start(caseInput(), {
      before: (c) => (c.name === 'sendCaseEmail' && c.input.kind === 'cancelled' ? hold.promise : undefined),
    });
    await run.until('progress:awaiting_parcel');
    await run.handle.executeUpdate(cancelCase, { args: [{ reason: 'no', cancelledBy: 'customer' }] });
    await run.until('email:cancelled');
    expect(await refusal(run.handle.executeUpdate(resendLabel, { args: [by] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is cancelled; its label is no longer needed',
    });
    hold.release();
    expect(await run.result()).toBe('cancelled');
    expect(run.emails()).toEqual(['label', 'cancelled']);
  });

  it('refuses for an exchange without return, which has no label', async () => {
    const run = await env().start(
      caseInput({
        method: 'exchange_without_return',
        replacements: [{ sku: 'SKU-SOCKS', quantity: 1, unitPrice: 9_900 }],
      }),
    );
    await run.until('progress:completed');
    expect(await refusal(run.handle.executeUpdate(resendLabel, { args: [by] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is completed; its label is no longer needed',
    });
  });
});
