/**
 * exchange_without_return with stub activities: up to the policy's limit the replacement ships at
 * once; above it a manager approves or rejects (approve update), the approval deadline marks the
 * case stuck, and a cancel ends a case still waiting for the decision.
 */
import { describe, expect, it } from 'vitest';
import { approve, cancelCase, type CaseLineInput, type ReplacementInput } from '../../workflows/messages.js';
import {
  caseInput,
  deferred,
  HOUR,
  outOfStock,
  refusal,
  shipped,
  useWorkflowEnv,
  SWEATER,
} from '../support/workflow-env.js';

const env = useWorkflowEnv();

const line = (unitPrice: number): CaseLineInput => ({ ...SWEATER, quantity: 1, unitPrice });
const replacement = (unitPrice: number): ReplacementInput[] => [{ sku: 'SKU-SWEATER-L', quantity: 1, unitPrice }];
const withoutReturn = (paid: number, replacementPrice: number, over: Parameters<typeof caseInput>[0] = {}) =>
  caseInput({
    method: 'exchange_without_return',
    channel: 'customer_service',
    lines: [line(paid)],
    replacements: replacement(replacementPrice),
    ...over,
  });
const SHIPPED = ['shipReplacements', 'progress:replacement_shipped', 'email:replacement_shipped'];
const manager = { approved: true, note: 'loyal customer', approvedBy: 'manager-1' };

describe('returnCase: exchange_without_return up to the limit', () => {
  it('ships at once when the replacement is worth exactly the limit, and completes', async () => {
    const run = await env().start(withoutReturn(50_000, 50_000)); // DEFAULT_POLICY: exchangeWithoutReturnMaxValue 50 000
    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual(['progress:started', ...SHIPPED, 'progress:completed', 'email:follow_up']);
    expect(run.calls('shipReplacements').map((c) => c.input)).toEqual([
      { caseId: run.caseId, currency: 'NOK', replacements: replacement(50_000) },
    ]);
    expect(run.transitions()).toEqual(['completed']);
    expect(run.calls().map((c) => c.name)).not.toContain('issueReturnLabel');
  });

  it('credits a cheaper replacement’s difference', async () => {
    const run = await env().start(withoutReturn(45_000, 40_000));
    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual([
      'progress:started',
      ...SHIPPED,
      'issueCreditNote:price_difference',
      'progress:credit_note:price_difference',
      'email:credit_issued',
      'planRefunds:price_difference',
      'progress:completed',
      'email:follow_up',
    ]);
    expect(run.calls('issueCreditNote')[0]!.input.draft).toEqual({
      currency: 'NOK',
      amount: 5_000,
      vat: 1_000,
      lines: [
        {
          orderLineId: 'L1',
          sku: 'SKU-SWEATER',
          quantity: 1,
          paid: 45_000,
          restockingFeePercent: 0,
          restockingFee: 0,
          amount: 5_000,
          vatRate: 25,
          vat: 1_000,
        },
      ],
    });
  });

  it('refuses approve and cancel: nothing to decide, and the replacement is on its way', async () => {
    const hold = deferred();
    const run = await env().start(withoutReturn(40_000, 40_000), {
      before: (c) => (c.name === 'shipReplacements' ? hold.promise : undefined),
    });
    await run.until('shipReplacements');
    expect(await refusal(run.handle.executeUpdate(approve, { args: [manager] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is requested, not waiting for approval',
    });
    expect(
      await refusal(run.handle.executeUpdate(cancelCase, { args: [{ reason: 'no', cancelledBy: 'cs-1' }] })),
    ).toEqual({
      type: 'CaseAlreadySettled',
      message: 'case is requested; it can no longer be cancelled',
    });
    hold.release();
    expect(await run.result()).toBe('completed');
  });

  it('waits for stock, stuck after replacementStockDeadline, then ships', async () => {
    const run = await env().start(withoutReturn(40_000, 40_000, { policy: { replacementStockDeadline: 'PT2H' } }), {
      shipReplacements: (req, call) => (call < 4 ? outOfStock(req) : shipped(req)),
    });
    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual([
      'progress:started',
      'shipReplacements',
      'progress:replacement_out_of_stock:1',
      'shipReplacements',
      'shipReplacements',
      'progress:replacement_out_of_stock:3',
      ...SHIPPED,
      'progress:completed',
      'email:follow_up',
    ]);
    expect(run.transitions()).toEqual(['requested', 'requested (stuck)', 'completed']);
    expect(run.entry('replacement_out_of_stock:3').case).toMatchObject({
      stuck: true,
      stuckReason: 'replacement out of stock: SKU-SWEATER-L',
    });
  });
});

describe('returnCase: exchange_without_return above the limit', () => {
  it('waits for approval, then ships and completes', async () => {
    const run = await env().start(withoutReturn(79_900, 79_900));
    await run.until('progress:awaiting_approval');
    const awaiting = run.entry('awaiting_approval');
    expect(awaiting).toMatchObject({
      type: 'status.awaiting_approval',
      detail: { value: 79_900, limit: 50_000 },
      case: {
        status: 'awaiting_approval',
        waitingFor: 'approval',
        waitingSince: awaiting.at,
        stuck: false,
        closed: false,
      },
    });
    expect(Date.parse(awaiting.case!.deadline!) - Date.parse(awaiting.at)).toBe(72 * HOUR);
    expect(await run.state()).toMatchObject({ status: 'awaiting_approval', waitingFor: 'approval', settling: false });

    const answered = await run.handle.executeUpdate(approve, { args: [manager] });
    expect(answered).toEqual({
      status: 'requested',
      waitingFor: null,
      waitingSince: null,
      deadline: null,
      stuck: false,
      settling: true,
    });
    expect(run.entry('approved')).toMatchObject({
      type: 'approved',
      detail: { by: 'manager-1', note: 'loyal customer' },
      case: { status: 'requested', waitingFor: null },
    });
    expect(await refusal(run.handle.executeUpdate(approve, { args: [manager] }))).toMatchObject({
      type: 'CaseNotWaiting',
    });
    expect(
      (await refusal(run.handle.executeUpdate(cancelCase, { args: [{ reason: 'no', cancelledBy: 'cs-1' }] }))).type,
    ).toBe('CaseAlreadySettled');

    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual([
      'progress:started',
      'progress:awaiting_approval',
      'progress:approved',
      'email:approved',
      ...SHIPPED,
      'progress:completed',
      'email:follow_up',
    ]);
    expect(run.transitions()).toEqual(['awaiting_approval/approval', 'requested', 'completed']);
  });

  it('charges a dearer replacement’s difference after approval', async () => {
    const run = await env().start(withoutReturn(79_900, 89_900));
    await run.until('progress:awaiting_approval');
    await run.handle.executeUpdate(approve, { args: [{ approved: true, approvedBy: 'manager-1' }] });
    expect(await run.result()).toBe('completed');
    expect(run.entry('approved').detail).toEqual({ by: 'manager-1', note: null });
    expect(run.trail().slice(3)).toEqual([
      'email:approved',
      ...SHIPPED,
      'recordCharge:price_difference',
      'collectCharge',
      'progress:charge:price_difference',
      'email:charged',
      'progress:completed',
      'email:follow_up',
    ]);
    expect(run.calls('recordCharge')[0]!.input).toEqual({
      caseId: run.caseId,
      purpose: 'price_difference',
      amount: 10_000,
      currency: 'NOK',
      reason: 'replacement costs more than the returned goods',
    });
  });

  it('ends rejected when the manager says no', async () => {
    const run = await env().start(withoutReturn(79_900, 79_900));
    await run.until('progress:awaiting_approval');
    const answered = await run.handle.executeUpdate(approve, {
      args: [{ approved: false, note: 'too often', approvedBy: 'manager-2' }],
    });
    expect(answered).toEqual({
      status: 'rejected',
      waitingFor: null,
      waitingSince: null,
      deadline: null,
      stuck: false,
      settling: false,
    });
    expect(await run.result()).toBe('rejected');
    expect(run.trail()).toEqual([
      'progress:started',
      'progress:awaiting_approval',
      'progress:rejected',
      'email:rejected',
    ]);
    expect(run.entry('rejected')).toMatchObject({
      type: 'rejected',
      detail: { by: 'manager-2', note: 'too often' },
      case: { status: 'rejected', closed: true },
    });
    expect(run.calls('shipReplacements')).toEqual([]);
  });

  it('shows as stuck after the approval deadline and still takes a late decision', async () => {
    const run = await env().start(withoutReturn(79_900, 79_900, { policy: { approvalDeadline: 'PT12H' } }));
    await run.until('progress:awaiting_approval');
    expect(Date.parse(run.entry('awaiting_approval').case!.deadline!) - run.timeOf('progress:awaiting_approval')).toBe(
      12 * HOUR,
    );
    await env().sleep(13 * HOUR);
    await run.until('progress:approval_overdue');
    expect(run.entry('approval_overdue')).toMatchObject({
      type: 'deadline.missed',
      detail: { reason: 'no decision within PT12H', waitingFor: 'approval' },
      case: {
        status: 'awaiting_approval',
        waitingFor: 'approval',
        stuck: true,
        stuckReason: 'no decision within PT12H',
        closed: false,
      },
    });
    const overdue = run.timeOf('progress:approval_overdue') - run.timeOf('progress:awaiting_approval');
    expect(overdue).toBeGreaterThanOrEqual(12 * HOUR);
    expect(overdue).toBeLessThan(12 * HOUR + 60_000);
    expect(await run.state()).toMatchObject({ status: 'awaiting_approval', waitingFor: 'approval', stuck: true });

    expect(await run.handle.executeUpdate(approve, { args: [manager] })).toMatchObject({
      status: 'requested',
      stuck: false,
    });
    expect(await run.result()).toBe('completed');
    expect(run.transitions()).toEqual([
      'awaiting_approval/approval',
      'awaiting_approval/approval (stuck)',
      'requested',
      'completed',
    ]);
  });

  it('cancels a case waiting for approval', async () => {
    const run = await env().start(withoutReturn(79_900, 79_900));
    await run.until('progress:awaiting_approval');
    const answered = await run.handle.executeUpdate(cancelCase, {
      args: [{ reason: 'found the old one', cancelledBy: 'customer' }],
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
    expect(run.trail()).toEqual([
      'progress:started',
      'progress:awaiting_approval',
      'progress:cancelled',
      'email:cancelled',
    ]);
    expect(run.transitions()).toEqual(['awaiting_approval/approval', 'cancelled']);
  });

  it('cancels a case stuck waiting for approval', async () => {
    const run = await env().start(withoutReturn(79_900, 79_900));
    await run.until('progress:awaiting_approval');
    await env().sleep(73 * HOUR);
    await run.until('progress:approval_overdue');
    await run.handle.executeUpdate(cancelCase, { args: [{ reason: 'too slow', cancelledBy: 'customer' }] });
    expect(await run.result()).toBe('cancelled');
    expect(run.trail()).toEqual([
      'progress:started',
      'progress:awaiting_approval',
      'progress:approval_overdue',
      'progress:cancelled',
      'email:cancelled',
    ]);
    expect(run.entry('approval_overdue').detail).toEqual({ reason: 'no decision within P3D', waitingFor: 'approval' });
  });

  it('refuses an approval once the case is cancelled', async () => {
    const hold = deferred();
    const run = await env().start(withoutReturn(79_900, 79_900), {
      before: (c) => (c.name === 'sendCaseEmail' && c.input.kind === 'cancelled' ? hold.promise : undefined),
    });
    await run.until('progress:awaiting_approval');
    await run.handle.executeUpdate(cancelCase, { args: [{ reason: 'no', cancelledBy: 'customer' }] });
    await run.until('email:cancelled');
    expect(await refusal(run.handle.executeUpdate(approve, { args: [manager] }))).toEqual({
      type: 'CaseNotWaiting',
      message: 'case is cancelled, not waiting for approval',
    });
    hold.release();
    expect(await run.result()).toBe('cancelled');
    expect(run.progress('approved')).toEqual([]);
  });
});
