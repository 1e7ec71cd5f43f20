/**
 * credit_only with stub activities: no goods move, a credit note at once (the agreed amount or what
 * was paid, spread over the lines), completed, the follow-up e-mail after followUpAfter.
 */
import { WorkflowUpdateStage } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { addParcel, approve, cancelCase, inspect, resendLabel } from '../../workflows/messages.js';
import {
  caseInput,
  DAY,
  deferred,
  refusal,
  refusedAtOnce,
  SCARF,
  SWEATER,
  useWorkflowEnv,
} from '../support/workflow-env.js';

const env = useWorkflowEnv();

const creditOnly = (over: Parameters<typeof caseInput>[0] = {}) =>
  caseInput({ method: 'credit_only', channel: 'customer_service', lines: [SWEATER, SCARF], ...over });
const CREDIT_TRAIL = [
  'progress:started',
  'issueCreditNote:credit_only',
  'progress:credit_note:credit_only',
  'email:credit_issued',
  'planRefunds:credit_only',
  'progress:completed',
  'email:follow_up',
];

describe('returnCase: credit_only', () => {
  it('credits what was paid at once and completes, then follows up', async () => {
    const run = await env().start(creditOnly());
    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual(CREDIT_TRAIL);
    expect(run.calls('issueCreditNote').map((c) => c.input)).toEqual([
      {
        caseId: run.caseId,
        purpose: 'credit_only',
        draft: {
          currency: 'NOK',
          amount: 179_800,
          vat: 34_569,
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
              restockingFeePercent: 0,
              restockingFee: 0,
              amount: 20_000,
              vatRate: 15,
              vat: 2_609,
            },
          ],
        },
      },
    ]);
    expect(run.entry('started').detail).toEqual({
      method: 'credit_only',
      channel: 'customer_service',
      policy: 'default',
    });
    expect(run.entry('credit_note:credit_only')).toMatchObject({
      type: 'credit_note.issued',
      detail: { number: expect.stringMatching(/^CN-\d{6}$/), amount: 179_800, currency: 'NOK' },
    });
    expect(run.entry('credit_note:credit_only').case).toBeUndefined();
    expect(run.calls('planRefunds').map((c) => c.input)).toEqual([
      { caseId: run.caseId, purpose: 'credit_only', credited: 179_800, conditions: [], goodsReturned: false },
    ]);
    expect(run.entry('completed')).toMatchObject({
      case: { status: 'completed', waitingFor: null, waitingSince: null, deadline: null, stuck: false, closed: true },
    });
    expect(run.transitions()).toEqual(['completed']);
    const followUp = run.timeOf('email:follow_up') - run.timeOf('progress:completed');
    expect(followUp).toBeGreaterThanOrEqual(7 * DAY);
    expect(followUp).toBeLessThan(7 * DAY + 60_000);
    expect(run.calls().map((c) => c.name)).not.toContain('issueReturnLabel');
    expect(run.calls().map((c) => c.name)).not.toContain('moveStock');
  });

  it('credits an agreed amount, spread over the lines by what was paid for each', async () => {
    const run = await env().start(creditOnly({ creditAmount: 50_000, policy: { followUpAfter: 'P2D' } }));
    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual(CREDIT_TRAIL);
    expect(run.calls('issueCreditNote')[0]!.input.draft).toEqual({
      currency: 'NOK',
      amount: 50_000,
      vat: 9_613,
      lines: [
        {
          orderLineId: 'L1',
          sku: 'SKU-SWEATER',
          quantity: 2,
          paid: 159_800,
          restockingFeePercent: 0,
          restockingFee: 0,
          amount: 44_438,
          vatRate: 25,
          vat: 8_888,
        },
        {
          orderLineId: 'L2',
          sku: 'SKU-SCARF',
          quantity: 1,
          paid: 20_000,
          restockingFeePercent: 0,
          restockingFee: 0,
          amount: 5_562,
          vatRate: 15,
          vat: 725,
        },
      ],
    });
    const followUp = run.timeOf('email:follow_up') - run.timeOf('progress:completed');
    expect(followUp).toBeGreaterThanOrEqual(2 * DAY);
    expect(followUp).toBeLessThan(2 * DAY + 60_000);
  });

  it('completes without a credit entry or e-mail when nothing is left to credit', async () => {
    const run = await env().start(creditOnly(), { issueCreditNote: () => null });
    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual([
      'progress:started',
      'issueCreditNote:credit_only',
      'progress:completed',
      'email:follow_up',
    ]);
  });

  it('refuses a cancel while the credit is being issued (CaseAlreadySettled)', async () => {
    const hold = deferred();
    const run = await env().start(creditOnly(), {
      before: (c) => (c.name === 'issueCreditNote' ? hold.promise : undefined),
    });
    await run.until('issueCreditNote:credit_only');
    // Up to ACCEPTED only: a cancel the case took in would not answer until the case ended.
    const cancel = run.handle.startUpdate(cancelCase, {
      args: [{ reason: 'no', cancelledBy: 'cs-1' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    const refused = await refusal(refusedAtOnce(cancel));
    hold.release();
    expect(refused).toEqual({
      type: 'CaseAlreadySettled',
      message: 'case is requested; it can no longer be cancelled',
    });
    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual(CREDIT_TRAIL);
  });

  it('refuses every other command once completed', async () => {
    const run = await env().start(creditOnly());
    await run.until('progress:completed');
    const by = { requestedBy: 'cs-1' };
    expect(
      await refusal(run.handle.executeUpdate(cancelCase, { args: [{ reason: 'late', cancelledBy: 'cs-1' }] })),
    ).toEqual({
      type: 'CaseAlreadySettled',
      message: 'case is completed; it can no longer be cancelled',
    });
    expect(await refusal(run.handle.executeUpdate(inspect, { args: [{ lines: [], inspectedBy: 'x' }] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is completed, not waiting for inspection',
    });
    expect(
      await refusal(run.handle.executeUpdate(approve, { args: [{ approved: true, approvedBy: 'manager' }] })),
    ).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is completed, not waiting for approval',
    });
    expect(await refusal(run.handle.executeUpdate(addParcel, { args: [by] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is completed, not waiting for parcels',
    });
    expect(await refusal(run.handle.executeUpdate(resendLabel, { args: [by] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is completed; its label is no longer needed',
    });
    expect(await run.state()).toEqual({
      status: 'completed',
      waitingFor: null,
      waitingSince: null,
      deadline: null,
      stuck: false,
      settling: expect.any(Boolean),
    });
    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual(CREDIT_TRAIL);
  });
});
