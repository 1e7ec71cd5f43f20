/**
 * A flagged customer's goods-back case (input.approvalReason, FLAGGED_APPROVAL_PATCH) with stub
 * activities: no label until a manager approves; approved, it goes on as any case (a cancel still
 * ends it); rejected, it ends with the customer's e-mail; past the approval deadline it is stuck.
 */
import { describe, expect, it } from 'vitest';
import { approve, cancelCase } from '../../workflows/messages.js';
import { caseInput, HOUR, useWorkflowEnv } from '../support/workflow-env.js';

const env = useWorkflowEnv();
const REASON = 'blocklisted: three chargebacks';
const flagged = (over: Parameters<typeof caseInput>[0] = {}) => caseInput({ approvalReason: REASON, ...over });

describe('returnCase: a flagged customer', () => {
  it('issues no label before the approval, then goes on as usual and can still be cancelled', async () => {
    const run = await env().start(flagged());
    await run.until('progress:awaiting_approval');
    expect(run.entry('awaiting_approval')).toMatchObject({
      type: 'status.awaiting_approval',
      detail: { reason: REASON },
      case: { status: 'awaiting_approval', waitingFor: 'approval' },
    });
    expect(run.calls('issueReturnLabel')).toEqual([]);
    const answered = await run.handle.executeUpdate(approve, { args: [{ approved: true, approvedBy: 'manager-1' }] });
    expect(answered).toMatchObject({ status: 'requested', settling: false });
    await run.until('progress:awaiting_parcel');
    expect(await run.state()).toMatchObject({ status: 'awaiting_parcel', waitingFor: 'parcel' });
    await run.handle.executeUpdate(cancelCase, { args: [{ reason: 'kept it', cancelledBy: 'cs-1' }] });
    expect(await run.result()).toBe('cancelled');
    expect(run.trail().slice(0, 5)).toEqual([
      'progress:started',
      'progress:awaiting_approval',
      'progress:approved',
      'email:approved',
      'issueReturnLabel',
    ]);
  });

  it('is stuck past the approval deadline, and rejected ends with the e-mail', async () => {
    const run = await env().start(flagged({ method: 'exchange', policy: { approvalDeadline: 'PT12H' } }));
    await run.until('progress:awaiting_approval');
    await env().sleep(13 * HOUR);
    await run.until('progress:approval_overdue');
    expect(run.entry('approval_overdue').case).toMatchObject({ status: 'awaiting_approval', stuck: true });
    await run.handle.executeUpdate(approve, { args: [{ approved: false, note: 'no', approvedBy: 'manager-2' }] });
    expect(await run.result()).toBe('rejected');
    expect(run.emails()).toEqual(['rejected']);
    expect(run.calls('issueReturnLabel')).toEqual([]);
  });

  it('without a reason gets its label at once', async () => {
    const run = await env().start(caseInput());
    await run.until('issueReturnLabel');
    expect(run.trail()).not.toContain('progress:awaiting_approval');
    await run.handle.executeUpdate(cancelCase, { args: [{ reason: 'x', cancelledBy: 'cs-1' }] });
    expect(await run.result()).toBe('cancelled');
  });
});
