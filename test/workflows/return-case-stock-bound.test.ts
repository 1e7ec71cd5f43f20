/**
 * An out-of-stock replacement is not waited for for ever: it is tried hourly until the policy's
 * replacementGiveUpAfter (default P30D), so the case's history stays bounded; then an exchange
 * without return ends, and an exchange whose goods came back is credited like a return.
 */
import { describe, expect, it } from 'vitest';
import { inspect, parcelReceived } from '../../workflows/messages.js';
import { caseInput, HOUR, outOfStock, useWorkflowEnv, SWEATER } from '../support/workflow-env.js';

const env = useWorkflowEnv();

const sameValue = [{ sku: 'SKU-SWEATER-L', quantity: 2, unitPrice: SWEATER.unitPrice }];

describe('returnCase: a replacement that never comes back in stock', () => {
  it('gives up after replacementGiveUpAfter (default P30D): hourly attempts, a bounded history, the exchange ends', async () => {
    const policy = { exchangeWithoutReturnMaxValue: 1_000_000 }; // no approval needed
    const run = await env().start(caseInput({ method: 'exchange_without_return', replacements: sameValue, policy }), {
      shipReplacements: outOfStock,
    });
    expect(await run.result()).toBe('cancelled');
    const attempts = run.calls('shipReplacements');
    expect(attempts.length).toBeGreaterThanOrEqual(30 * 24);
    expect(attempts.length).toBeLessThanOrEqual(30 * 24 + 1);
    expect(run.entry('replacement_unavailable')).toMatchObject({
      type: 'replacement.unavailable',
      detail: { reason: 'replacement out of stock for P30D: SKU-SWEATER-L; given up' },
      case: { stuck: false },
    });
    expect(run.entry('cancelled').detail).toEqual({
      reason: 'the replacement stayed out of stock',
      by: 'returns-orchestrator',
    });
    expect(run.emails()).toEqual(['cancelled']);
    // Far below Temporal's 50 000-event limit, whatever the stock does.
    const events = (await run.handle.fetchHistory()).events ?? [];
    expect(events.length).toBeLessThan(12 * attempts.length);
  });

  it('credits the returned goods instead when the replacement cannot be had', async () => {
    const run = await env().start(
      caseInput({
        method: 'exchange',
        replacements: sameValue,
        shipReplacement: 'after_receipt',
        policy: { replacementGiveUpAfter: 'PT5H' },
      }),
      {
        shipReplacements: outOfStock,
      },
    );
    await run.until('progress:awaiting_parcel');
    await run.handle.signal(parcelReceived, { trackingNumber: `LR${run.caseId}`, scannedBy: 'dock' });
    await run.until('progress:received');
    await run.handle.executeUpdate(inspect, {
      args: [{ lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }], inspectedBy: 'w' }],
    });
    expect(await run.result()).toBe('completed');
    expect(run.calls('shipReplacements').length).toBeLessThanOrEqual(6);
    expect(run.calls('issueCreditNote').map((c) => c.input.purpose)).toEqual(['return_credit']);
    expect(run.calls('planRefunds').map((c) => c.input)).toEqual([
      { caseId: run.caseId, purpose: 'return_credit', credited: 159_800, conditions: ['new'], goodsReturned: true },
    ]);
    expect(run.calls('recordCharge')).toEqual([]);
  });

  it('an immediate exchange out of stock until the bound: the parcel is still awaited, then credited', async () => {
    const run = await env().start(
      caseInput({
        method: 'exchange',
        replacements: sameValue,
        shipReplacement: 'immediately',
        policy: { replacementGiveUpAfter: 'PT3H' },
      }),
      { shipReplacements: outOfStock, hold: 'held' },
    );
    await env().sleep(4 * HOUR);
    await run.until('progress:awaiting_parcel');
    await run.handle.signal(parcelReceived, { trackingNumber: `LR${run.caseId}`, scannedBy: 'dock' });
    await run.until('progress:received');
    expect(run.calls('releaseHold')).toHaveLength(1);
    await run.handle.executeUpdate(inspect, {
      args: [{ lines: [{ orderLineId: 'L1', condition: 'opened', disposition: 'restock' }], inspectedBy: 'w' }],
    });
    expect(await run.result()).toBe('completed');
    expect(run.calls('issueCreditNote').map((c) => c.input.purpose)).toEqual(['return_credit']);
    expect(run.calls('shipReplacements').length).toBeLessThanOrEqual(4);
  });
});
