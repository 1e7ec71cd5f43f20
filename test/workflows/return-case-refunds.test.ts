/**
 * Money back with stub activities: refunds asked once after the credit note, the case waiting for
 * a pending refund (woken by the provider's notification, polling meanwhile), stuck past
 * refundDueBy or at a refusal, and finance's retry and manual settlement.
 */
import { describe, expect, it } from 'vitest';
import {
  cancelCase,
  inspect,
  parcelReceived,
  refundUpdated,
  retryRefund,
  settleRefund,
} from '../../workflows/messages.js';
import {
  caseInput,
  DAY,
  HOUR,
  refusal,
  useWorkflowEnv,
  type PlanRefundsRequest,
  type RefundState,
} from '../support/workflow-env.js';

const env = useWorkflowEnv();

/** One refund of everything credited, to the given provider. */
const oneRefund =
  (provider: string) =>
  (req: PlanRefundsRequest): RefundState[] => [
    {
      id: `RF-${req.purpose}`,
      provider,
      amount: req.credited,
      currency: 'NOK',
      status: 'pending',
      attempt: 1,
      providerReference: null,
      failureReason: null,
    },
  ];
const pendingAtProvider = (r: RefundState): RefundState => ({
  ...r,
  status: 'pending',
  providerReference: 'PSP-1',
  failureReason: 'received; settled by notification',
});
const creditOnly = (over: Parameters<typeof caseInput>[0] = {}) =>
  caseInput({ method: 'credit_only', channel: 'customer_service', ...over });
const refundsOf = (run: { trail(): string[] }) => run.trail().filter((s) => /refund|Refund/.test(s));

describe('returnCase: refunds', () => {
  it('a refund that succeeds at once: credit note, refund, e-mail, completed', async () => {
    const run = await env().start(creditOnly(), { planRefunds: oneRefund('stripe') });
    expect(await run.result()).toBe('completed');
    expect(refundsOf(run)).toEqual([
      'planRefunds:credit_only',
      'progress:refund.pending:RF-credit_only:1',
      'executeRefund',
      'progress:refund.succeeded:RF-credit_only:1',
      'progress:refunded:credit_only',
      'email:refunded',
    ]);
    expect(run.transitions()).toEqual(['completed']);
  });

  it('a pending refund keeps the case waiting for it until the provider settles it', async () => {
    // No refundDueBy in the input (as in cases started before it): the policy's P14D from the workflow's start.
    const run = await env().start(creditOnly(), { planRefunds: oneRefund('adyen'), executeRefund: pendingAtProvider });
    await run.until('progress:awaiting_refund:credit_only');
    expect(await run.state()).toMatchObject({ status: 'requested', waitingFor: 'refund', stuck: false });
    const waiting = run.entry('awaiting_refund:credit_only');
    expect(waiting.case).toMatchObject({ waitingFor: 'refund' });
    expect(Date.parse(waiting.case?.deadline ?? '') - Date.parse(waiting.at)).toBeGreaterThan(13 * DAY);
    await run.handle.signal(refundUpdated, { refundId: 'RF-credit_only', status: 'succeeded' });
    expect(await run.result()).toBe('completed');
    expect(run.entry('refund.succeeded:RF-credit_only:1').detail).toMatchObject({ reason: null });
    expect(run.emails()).toContain('refunded');
  });

  it('polls the provider while the refund is pending, and shows the case stuck past refundDueBy', async () => {
    const run = await env().start(creditOnly({ policy: { refundDeadline: 'PT3H' } }), {
      planRefunds: oneRefund('klarna'),
      executeRefund: (r) => ({ ...r, failureReason: 'klarna is not configured here' }),
    });
    await run.until('progress:awaiting_refund:credit_only');
    await env().sleep(4 * HOUR);
    await run.until((trail) => trail.some((s) => s.startsWith('progress:refund_stuck:')));
    const stuck = run.progress().find((p) => p.eventKey.startsWith('refund_stuck:'));
    expect(stuck).toMatchObject({
      type: 'deadline.missed',
      detail: { reason: expect.stringMatching(/^refund not settled by /), waitingFor: 'refund' },
      case: { stuck: true },
    });
    // Hourly lookups before the due date (the first call is the request itself).
    expect(run.calls('executeRefund').length).toBeGreaterThanOrEqual(3);
    const settled = await run.handle.executeUpdate(settleRefund, {
      args: [{ refundId: 'RF-credit_only', note: 'paid by bank transfer', settledBy: 'finance-1' }],
    });
    expect(settled).toMatchObject({ refundId: 'RF-credit_only', status: 'succeeded' });
    expect(await run.result()).toBe('completed');
    expect(run.entry('refund.settled_manually:RF-credit_only').detail).toEqual({
      refundId: 'RF-credit_only',
      by: 'finance-1',
      note: 'paid by bank transfer',
    });
  });

  it('a refusal shows stuck at once and waits for finance; a retry that succeeds completes the case', async () => {
    const run = await env().start(creditOnly(), {
      planRefunds: oneRefund('stripe'),
      executeRefund: (r, call) =>
        call === 1
          ? { ...r, status: 'failed', failureReason: 'card closed' }
          : { ...r, status: 'succeeded', providerReference: 're_2' },
    });
    await run.until((trail) => trail.some((s) => s.startsWith('progress:refund_stuck:')));
    const stuck = run.progress().find((p) => p.eventKey.startsWith('refund_stuck:'));
    expect(stuck).toMatchObject({
      type: 'refund.needs_finance',
      case: { stuck: true, stuckReason: expect.stringContaining('card closed') },
    });
    expect(run.emails()).not.toContain('refunded'); // nobody is e-mailed about a refusal
    expect(
      await refusal(
        run.handle.executeUpdate(settleRefund, { args: [{ refundId: 'RF-nope', note: 'x', settledBy: 'f' }] }),
      ),
    ).toMatchObject({ type: 'RefundNotOpen' });
    const retried = await run.handle.executeUpdate(retryRefund, {
      args: [{ refundId: 'RF-credit_only', requestedBy: 'finance-1' }],
    });
    expect(retried).toMatchObject({ status: 'succeeded' });
    expect(await run.result()).toBe('completed');
    expect(refundsOf(run)).toEqual(
      expect.arrayContaining([
        'progress:refund.failed:RF-credit_only:1',
        'retryRefund',
        'progress:refund.pending:RF-credit_only:2',
        'progress:refund.succeeded:RF-credit_only:2',
      ]),
    );
  });

  it('refuses to retry a refund that has not failed', async () => {
    const run = await env().start(creditOnly(), { planRefunds: oneRefund('adyen'), executeRefund: pendingAtProvider });
    await run.until('progress:awaiting_refund:credit_only');
    expect(
      await refusal(
        run.handle.executeUpdate(retryRefund, { args: [{ refundId: 'RF-credit_only', requestedBy: 'f' }] }),
      ),
    ).toEqual({
      type: 'RefundNotOpen',
      message: 'refund RF-credit_only is pending; only a failed refund is retried',
    });
  });

  it('store credit: the customer hears of store credit, not of a card refund', async () => {
    const run = await env().start(creditOnly({ refundMethod: 'store_credit' }), {
      planRefunds: oneRefund('gift_card'),
    });
    expect(await run.result()).toBe('completed');
    expect(run.emails()).toContain('store_credit_issued');
    expect(run.emails()).not.toContain('refunded');
  });

  it('return to stock: refunds after inspection, with the inspected conditions', async () => {
    const run = await env().start(caseInput(), { planRefunds: oneRefund('stripe') });
    await run.until('progress:awaiting_parcel');
    await run.handle.signal(parcelReceived, { trackingNumber: `LR${run.caseId}`, scannedBy: 'dock' });
    await run.until('progress:received');
    await run.handle.executeUpdate(inspect, {
      args: [{ lines: [{ orderLineId: 'L1', condition: 'defective', disposition: 'scrap' }], inspectedBy: 'w' }],
    });
    expect(await run.result()).toBe('completed');
    expect(run.calls('planRefunds').map((c) => c.input)).toEqual([
      {
        caseId: run.caseId,
        purpose: 'return_credit',
        credited: 159_800,
        conditions: ['defective'],
        goodsReturned: true,
      },
    ]);
  });

  it('refundOn receipt: the refund is asked for at receipt, before inspection, and the case can no longer be cancelled', async () => {
    const run = await env().start(caseInput({ policy: { refundOn: 'receipt' } }), { planRefunds: oneRefund('stripe') });
    await run.until('progress:awaiting_parcel');
    await run.handle.signal(parcelReceived, { trackingNumber: `LR${run.caseId}`, scannedBy: 'dock' });
    await run.until('executeRefund');
    expect(run.calls('planRefunds').map((c) => c.input)).toEqual([
      { caseId: run.caseId, purpose: 'return_credit', credited: 159_800, conditions: [null], goodsReturned: true },
    ]);
    expect(run.trail().indexOf('planRefunds:return_credit')).toBeLessThan(run.trail().length);
    expect(
      (await refusal(run.handle.executeUpdate(cancelCase, { args: [{ reason: 'changed mind', cancelledBy: 'cs' }] })))
        .type,
    ).toBe('CaseAlreadySettled');
    await run.handle.executeUpdate(inspect, {
      args: [{ lines: [{ orderLineId: 'L1', condition: 'opened', disposition: 'restock' }], inspectedBy: 'w' }],
    });
    expect(await run.result()).toBe('completed');
    expect(run.calls('issueCreditNote')).toHaveLength(1);
    expect(run.trail().indexOf('progress:inspected')).toBeGreaterThan(run.trail().indexOf('executeRefund'));
  });
});
