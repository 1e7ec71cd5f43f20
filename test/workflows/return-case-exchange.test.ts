/**
 * exchange with stub activities: the replacement ships after the inspection (default) or at once;
 * out of stock the case retries hourly and shows as stuck after replacementStockDeadline; the
 * price difference is charged or credited; an immediately shipped replacement never paid for by a
 * returned parcel is charged when the case expires.
 */
import { WorkflowUpdateStage } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import {
  cancelCase,
  inspect,
  parcelReceived,
  type InspectionInput,
  type ReplacementInput,
} from '../../workflows/messages.js';
import {
  caseInput,
  DAY,
  HOUR,
  outOfStock,
  refusal,
  shipped,
  useWorkflowEnv,
  type CaseRun,
} from '../support/workflow-env.js';

const env = useWorkflowEnv();

const scan = { trackingNumber: 'LR-SCANNED', scannedBy: 'dock-1' };
const inspection: InspectionInput = {
  lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }],
  inspectedBy: 'inspector-1',
};
/** The returned goods (two sweaters) were paid 159 800. */
const SAME_VALUE: ReplacementInput[] = [{ sku: 'SKU-SWEATER-L', quantity: 2, unitPrice: 79_900 }];
const DEARER: ReplacementInput[] = [{ sku: 'SKU-PARKA', quantity: 1, unitPrice: 179_800 }];
const CHEAPER: ReplacementInput[] = [{ sku: 'SKU-SWEATER-L', quantity: 2, unitPrice: 69_900 }];

const exchange = (replacements: ReplacementInput[], over: Parameters<typeof caseInput>[0] = {}) =>
  caseInput({ method: 'exchange', replacements, ...over });

async function receiveAndInspect(run: CaseRun): Promise<void> {
  await run.until('progress:awaiting_parcel');
  await run.handle.signal(parcelReceived, scan);
  await run.until('email:received');
  await run.handle.executeUpdate(inspect, { args: [inspection] });
}

const RETURN_PART = [
  'progress:started',
  'issueReturnLabel',
  'progress:label_issued',
  'email:label',
  'progress:awaiting_parcel',
  'progress:received',
  'email:received',
  'progress:inspected',
  'email:inspected',
  'moveStock',
  'progress:stock_moved',
];
const SHIPPED = ['shipReplacements', 'progress:replacement_shipped', 'email:replacement_shipped'];
/** An immediately shipped replacement first asks for a hold on the card (none in these stubs unless `hold` is set). */
const NO_HOLD = ['holdReplacementValue', 'progress:hold.placed'];

describe('returnCase: exchange, replacement after receipt', () => {
  it('ships the replacement after the inspection; same value: no charge, no credit', async () => {
    const run = await env().start(exchange(SAME_VALUE, { shipReplacement: 'after_receipt' }));
    await receiveAndInspect(run);
    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual([...RETURN_PART, ...SHIPPED, 'progress:completed', 'email:follow_up']);
    expect(run.calls('shipReplacements').map((c) => c.input)).toEqual([
      { caseId: run.caseId, currency: 'NOK', replacements: SAME_VALUE },
    ]);
    expect(run.entry('replacement_shipped')).toMatchObject({
      type: 'replacement.shipped',
      detail: {
        shipments: [
          { id: `SHP-${run.caseId}-1`, sku: 'SKU-SWEATER-L', quantity: 2, trackingNumber: `LS${run.caseId}1` },
        ],
      },
    });
    expect(run.entry('replacement_shipped').case).toBeUndefined();
    expect(run.transitions()).toEqual(['awaiting_parcel/parcel', 'received/inspection', 'inspected', 'completed']);
    expect(run.calls('issueCreditNote')).toEqual([]);
    expect(run.calls('recordCharge')).toEqual([]);
  });

  it('ships after receipt when shipReplacement is not given', async () => {
    const run = await env().start(exchange(SAME_VALUE));
    await receiveAndInspect(run);
    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual([...RETURN_PART, ...SHIPPED, 'progress:completed', 'email:follow_up']);
  });

  it('charges the difference when the replacement costs more', async () => {
    const run = await env().start(exchange(DEARER));
    await receiveAndInspect(run);
    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual([
      ...RETURN_PART,
      ...SHIPPED,
      'recordCharge:price_difference',
      'collectCharge',
      'progress:charge:price_difference',
      'email:charged',
      'progress:completed',
      'email:follow_up',
    ]);
    expect(run.calls('recordCharge').map((c) => c.input)).toEqual([
      {
        caseId: run.caseId,
        purpose: 'price_difference',
        amount: 20_000,
        currency: 'NOK',
        reason: 'replacement costs more than the returned goods',
      },
    ]);
    expect(run.entry('charge:price_difference')).toMatchObject({
      type: 'charge.recorded',
      detail: { amount: 20_000, currency: 'NOK' },
    });
  });

  it('credits the difference when the replacement costs less', async () => {
    const run = await env().start(exchange(CHEAPER));
    await receiveAndInspect(run);
    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual([
      ...RETURN_PART,
      ...SHIPPED,
      'issueCreditNote:price_difference',
      'progress:credit_note:price_difference',
      'email:credit_issued',
      'planRefunds:price_difference',
      'progress:completed',
      'email:follow_up',
    ]);
    expect(run.calls('issueCreditNote').map((c) => c.input)).toEqual([
      {
        caseId: run.caseId,
        purpose: 'price_difference',
        draft: {
          currency: 'NOK',
          amount: 20_000,
          vat: 4_000,
          lines: [
            {
              orderLineId: 'L1',
              sku: 'SKU-SWEATER',
              quantity: 2,
              paid: 159_800,
              restockingFeePercent: 0,
              restockingFee: 0,
              amount: 20_000,
              vatRate: 25,
              vat: 4_000,
            },
          ],
        },
      },
    ]);
    expect(run.entry('credit_note:price_difference')).toMatchObject({
      type: 'credit_note.issued',
      detail: { amount: 20_000, currency: 'NOK' },
    });
    expect(run.calls('planRefunds').map((c) => c.input)).toEqual([
      { caseId: run.caseId, purpose: 'price_difference', credited: 20_000, conditions: [], goodsReturned: false },
    ]);
  });

  it('skips the credit e-mail when nothing is left to credit on the difference', async () => {
    const run = await env().start(exchange(CHEAPER), { issueCreditNote: () => null });
    await receiveAndInspect(run);
    expect(await run.result()).toBe('completed');
    expect(run.trail().slice(-4)).toEqual([
      'email:replacement_shipped',
      'issueCreditNote:price_difference',
      'progress:completed',
      'email:follow_up',
    ]);
  });

  it('retries hourly while out of stock, shows as stuck after replacementStockDeadline, then ships', async () => {
    const run = await env().start(exchange(SAME_VALUE, { policy: { replacementStockDeadline: 'PT3H' } }), {
      shipReplacements: (req, call) => (call < 5 ? outOfStock(req) : shipped(req)),
    });
    await receiveAndInspect(run);
    await run.until('progress:replacement_out_of_stock:1');
    const first = run.entry('replacement_out_of_stock:1');
    expect(first).toMatchObject({
      type: 'replacement.out_of_stock',
      detail: { skus: ['SKU-SWEATER-L'], reason: 'replacement out of stock: SKU-SWEATER-L' },
      case: { status: 'inspected', waitingFor: null, stuck: false, stuckReason: null, closed: false },
    });
    await env().sleep(3.5 * HOUR);
    expect(await run.state()).toMatchObject({ status: 'inspected', stuck: true });
    expect(run.entry('replacement_out_of_stock:4')).toMatchObject({
      detail: { skus: ['SKU-SWEATER-L'], reason: 'replacement out of stock: SKU-SWEATER-L' },
      case: { status: 'inspected', stuck: true, stuckReason: 'replacement out of stock: SKU-SWEATER-L' },
    });

    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual([
      ...RETURN_PART,
      'shipReplacements',
      'progress:replacement_out_of_stock:1',
      'shipReplacements',
      'shipReplacements',
      'shipReplacements',
      'progress:replacement_out_of_stock:4',
      ...SHIPPED,
      'progress:completed',
      'email:follow_up',
    ]);
    const attempts = run.calls('shipReplacements').map((c) => c.at - run.calls('shipReplacements')[0]!.at);
    attempts.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(i * HOUR);
      expect(ms).toBeLessThan(i * HOUR + 60_000);
    });
    expect(run.transitions()).toEqual([
      'awaiting_parcel/parcel',
      'received/inspection',
      'inspected',
      'inspected',
      'inspected (stuck)',
      'completed',
    ]);
  });
});

describe('returnCase: exchange, replacement immediately', () => {
  it('ships before the parcel comes back and settles after the inspection', async () => {
    const run = await env().start(exchange(SAME_VALUE, { shipReplacement: 'immediately' }));
    await run.until('progress:awaiting_parcel');
    expect(run.trail()).toEqual([
      'progress:started',
      'issueReturnLabel',
      'progress:label_issued',
      'email:label',
      ...NO_HOLD,
      ...SHIPPED,
      'progress:awaiting_parcel',
    ]);
    await run.handle.signal(parcelReceived, scan);
    await run.until('email:received');
    await run.handle.executeUpdate(inspect, { args: [inspection] });
    expect(await run.result()).toBe('completed');
    expect(run.trail().slice(9)).toEqual([...RETURN_PART.slice(4), 'progress:completed', 'email:follow_up']);
    expect(run.calls('shipReplacements')).toHaveLength(1);
    expect(run.transitions()).toEqual(['awaiting_parcel/parcel', 'received/inspection', 'inspected', 'completed']);
  });

  it('charges a dearer replacement’s difference after the inspection', async () => {
    const run = await env().start(exchange(DEARER, { shipReplacement: 'immediately' }));
    await receiveAndInspect(run);
    expect(await run.result()).toBe('completed');
    expect(run.trail()).toEqual([
      'progress:started',
      'issueReturnLabel',
      'progress:label_issued',
      'email:label',
      ...NO_HOLD,
      ...SHIPPED,
      ...RETURN_PART.slice(4),
      'recordCharge:price_difference',
      'collectCharge',
      'progress:charge:price_difference',
      'email:charged',
      'progress:completed',
      'email:follow_up',
    ]);
    expect(run.calls('recordCharge').map((c) => c.input)).toEqual([
      {
        caseId: run.caseId,
        purpose: 'price_difference',
        amount: 20_000,
        currency: 'NOK',
        reason: 'replacement costs more than the returned goods',
      },
    ]);
  });

  it('charges the replacement and expires when the goods never come back', async () => {
    const run = await env().start(exchange(SAME_VALUE, { shipReplacement: 'immediately' }));
    expect(await run.result()).toBe('expired');
    expect(run.trail()).toEqual([
      'progress:started',
      'issueReturnLabel',
      'progress:label_issued',
      'email:label',
      ...NO_HOLD,
      ...SHIPPED,
      'progress:awaiting_parcel',
      'email:label_reminder',
      'progress:label_reminder',
      'recordCharge:unreturned_replacement',
      'collectCharge',
      'progress:charge:unreturned_replacement',
      'email:charged',
      'progress:expired',
      'email:expired',
    ]);
    expect(run.calls('recordCharge').map((c) => c.input)).toEqual([
      {
        caseId: run.caseId,
        purpose: 'unreturned_replacement',
        amount: 159_800,
        currency: 'NOK',
        reason: 'no return parcel within P30D',
      },
    ]);
    expect(run.entry('charge:unreturned_replacement')).toMatchObject({
      type: 'charge.recorded',
      detail: { amount: 159_800, currency: 'NOK' },
    });
    expect(run.timeOf('progress:expired') - run.timeOf('progress:awaiting_parcel')).toBeGreaterThanOrEqual(30 * DAY);
    expect(run.transitions()).toEqual(['awaiting_parcel/parcel', 'expired']);
  });

  it('waits for stock before it waits for the parcel; the parcel deadline runs from then', async () => {
    const run = await env().start(exchange(SAME_VALUE, { shipReplacement: 'immediately' }), {
      shipReplacements: (req, call) => (call < 3 ? outOfStock(req) : shipped(req)),
    });
    await run.until('progress:replacement_out_of_stock:1');
    expect(run.entry('replacement_out_of_stock:1').case).toMatchObject({
      status: 'requested',
      waitingFor: null,
      stuck: false,
    });
    await env().sleep(2.5 * HOUR);
    await run.until('progress:awaiting_parcel');
    expect(run.trail()).toEqual([
      'progress:started',
      'issueReturnLabel',
      'progress:label_issued',
      'email:label',
      ...NO_HOLD,
      'shipReplacements',
      'progress:replacement_out_of_stock:1',
      'shipReplacements',
      'shipReplacements',
      ...SHIPPED.slice(1),
      'progress:awaiting_parcel',
    ]);
    const awaiting = run.entry('awaiting_parcel');
    expect(Date.parse(awaiting.case!.deadline!) - Date.parse(awaiting.at)).toBe(30 * DAY);
    expect(Date.parse(awaiting.at) - run.timeOf('progress:replacement_out_of_stock:1')).toBeGreaterThanOrEqual(
      2 * HOUR,
    );
    expect(run.transitions()).toEqual(['requested', 'awaiting_parcel/parcel']);
  });

  it('can still be cancelled after the replacement shipped: cancelled, and nothing is charged (current behaviour)', async () => {
    const run = await env().start(exchange(SAME_VALUE, { shipReplacement: 'immediately' }));
    await run.until('progress:awaiting_parcel');
    expect(await run.state()).toMatchObject({ settling: false });
    await run.handle.executeUpdate(cancelCase, { args: [{ reason: 'keeps both', cancelledBy: 'customer' }] });
    expect(await run.result()).toBe('cancelled');
    expect(run.calls('recordCharge')).toEqual([]);
    expect(run.emails()).toEqual(['label', 'replacement_shipped', 'cancelled']);
  });

  it('a cancel taken in while the replacement waits for stock is acted on only after it shipped (current behaviour)', async () => {
    const run = await env().start(exchange(SAME_VALUE, { shipReplacement: 'immediately' }), {
      shipReplacements: (req, call) => (call < 3 ? outOfStock(req) : shipped(req)),
    });
    await run.until('progress:replacement_out_of_stock:1');
    const cancelled = await run.handle.startUpdate(cancelCase, {
      args: [{ reason: 'too slow', cancelledBy: 'customer' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    await env().sleep(2.5 * HOUR);
    expect(await cancelled.result()).toMatchObject({ status: 'cancelled' });
    expect(await run.result()).toBe('cancelled');
    expect(run.trail().slice(6)).toEqual([
      'shipReplacements',
      'progress:replacement_out_of_stock:1',
      'shipReplacements',
      'shipReplacements',
      ...SHIPPED.slice(1),
      'progress:awaiting_parcel',
      'progress:cancelled',
      'email:cancelled',
    ]);
    expect(run.calls('recordCharge')).toEqual([]);
  });

  it('secures the replacement with a hold on the card, released when the goods come back', async () => {
    const run = await env().start(exchange(SAME_VALUE, { shipReplacement: 'immediately' }), { hold: 'held' });
    await receiveAndInspect(run);
    expect(await run.result()).toBe('completed');
    expect(run.calls('holdReplacementValue').map((c) => c.input)).toEqual([{ caseId: run.caseId, amount: 159_800 }]);
    expect(run.trail().indexOf('holdReplacementValue')).toBeLessThan(run.trail().indexOf('shipReplacements'));
    expect(run.trail().indexOf('releaseHold')).toBeLessThan(run.trail().indexOf('progress:received'));
    expect(run.entry('hold.released')).toMatchObject({ type: 'hold.released' });
    expect(run.calls('captureHold')).toEqual([]);
  });

  it('captures the hold instead of charging again when the goods never come back', async () => {
    const run = await env().start(exchange(SAME_VALUE, { shipReplacement: 'immediately' }), { hold: 'held' });
    expect(await run.result()).toBe('expired');
    expect(run.calls('captureHold')).toHaveLength(1);
    expect(run.calls('collectCharge')).toEqual([]);
    expect(run.calls('releaseHold')).toEqual([]);
    expect(run.entry('charge:unreturned_replacement')).toMatchObject({
      detail: { amount: 159_800, status: 'captured', providerReference: 'pi_hold' },
    });
  });

  it('refuses a cancel after the inspection', async () => {
    const run = await env().start(exchange(SAME_VALUE, { shipReplacement: 'immediately' }));
    await receiveAndInspect(run);
    expect(
      (await refusal(run.handle.executeUpdate(cancelCase, { args: [{ reason: 'late', cancelledBy: 'customer' }] })))
        .type,
    ).toBe('CaseAlreadySettled');
    expect(await run.result()).toBe('completed');
  });
});
