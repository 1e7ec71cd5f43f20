/**
 * Exactly once under failure: an activity that dies after its effect committed (the worst moment)
 * is retried without a second effect, and a worker that goes away mid-case leaves a case the next
 * worker finishes without duplicates.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseActivities } from '../../activities/index.js';
import { caseEvents, creditNotes, outboundEmails, stockMovements } from '../../db/schema.js';
import { seedOrder, startStack, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
/** Per case: which steps have already been made to fail once after their commit. */
const crashed = new Map<string, Set<string>>();
let onCrash: ((step: string) => void) | undefined;
let crashCases = new Set<string>();

/** Fails a marked case's step once, after its effect committed: the moment a worker crash is most dangerous. */
function crashOnce(step: string, caseId: string): void {
  if (!crashCases.has(caseId)) return;
  const seen = crashed.get(caseId) ?? new Set<string>();
  crashed.set(caseId, seen);
  if (seen.has(step)) return;
  seen.add(step);
  onCrash?.(step);
  throw new Error(`simulated crash after ${step} committed`);
}

/** The real activity runs (its transaction commits), then the crash comes before it reports back. */
function crashingAfter<I extends { caseId: string }, R>(step: string, real: (input: I) => Promise<R>) {
  return async (input: I): Promise<R> => {
    const result = await real(input);
    crashOnce(step, input.caseId);
    return result;
  };
}

/** The activities with an effect, each wrapped. */
const crashAfterEffects = (a: CaseActivities): CaseActivities => ({
  ...a,
  issueReturnLabel: crashingAfter('issueReturnLabel', a.issueReturnLabel),
  issueParcelLabel: crashingAfter('issueParcelLabel', a.issueParcelLabel),
  sendCaseEmail: crashingAfter('sendCaseEmail', a.sendCaseEmail),
  moveStock: crashingAfter('moveStock', a.moveStock),
  issueCreditNote: crashingAfter('issueCreditNote', a.issueCreditNote),
  shipReplacements: crashingAfter('shipReplacements', a.shipReplacements),
  recordCharge: crashingAfter('recordCharge', a.recordCharge),
});

beforeAll(async () => {
  stack = await startStack({ wrapActivities: crashAfterEffects });
});
afterAll(async () => {
  await stack?.close();
});

async function effectsOf(caseId: string) {
  const [notes, moves, mails, events] = await Promise.all([
    stack.db.select().from(creditNotes).where(eq(creditNotes.caseId, caseId)),
    stack.db.select().from(stockMovements).where(eq(stockMovements.caseId, caseId)),
    stack.db.select().from(outboundEmails).where(eq(outboundEmails.caseId, caseId)),
    stack.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)),
  ]);
  return { notes, moves, mails, events };
}

async function runCase(quantity = 2) {
  const { sku, orderId } = await seedOrder(stack, { quantity, stock: 4 });
  const started = await stack.call('POST', '/v1/returns', {
    orderId,
    method: 'return_to_stock',
    channel: 'store',
    lines: [{ orderLineId: 'L1', quantity, reason: 'defect' }],
  });
  expect(started.status).toBe(201);
  return { sku, c: started.body };
}

describe('exactly-once effects', () => {
  it('retries every effect that crashed after commit without duplicating it', async () => {
    const { sku, orderId } = await seedOrder(stack, { quantity: 2, stock: 4 });
    // Mark the case for crashes as soon as it exists: the API answers only after the label step.
    const res = await stack.call('POST', '/v1/returns', {
      orderId,
      method: 'return_to_stock',
      channel: 'store',
      lines: [{ orderLineId: 'L1', quantity: 2, reason: 'defect' }],
    });
    const c = res.body;
    crashCases.add(c.id);
    const { label } = await waitForCase(stack, c.id, (v) => v.label !== null);
    await stack.call('POST', '/v1/scans', { trackingNumber: label!.trackingNumber });
    await waitForCase(stack, c.id, (v) => v.waitingFor === 'inspection', 30_000);
    expect(
      (
        await stack.call('POST', `/v1/returns/${c.id}/inspection`, {
          lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }],
        })
      ).status,
    ).toBe(200);
    await waitForCase(stack, c.id, (v) => v.status === 'completed', 60_000);

    expect([...(crashed.get(c.id) ?? [])].sort()).toEqual(
      expect.arrayContaining(['issueCreditNote', 'moveStock', 'sendCaseEmail']),
    );
    const { notes, moves, mails, events } = await effectsOf(c.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.amount).toBe(2 * 79_900);
    expect(moves).toHaveLength(1);
    expect((await stack.call('GET', `/v1/products/${sku}`)).body.stock).toBe(6);
    expect(mails.map((m) => m.kind).sort()).toEqual(['credit_issued', 'inspected', 'label', 'received']);
    const keys = events.map((e) => e.eventKey);
    expect(new Set(keys).size).toBe(keys.length);
    crashCases = new Set();
  });

  it('a worker that dies mid-settlement leaves a case the next worker completes once', async () => {
    const { sku, c } = await runCase(1);
    await stack.call('POST', '/v1/scans', { trackingNumber: c.label.trackingNumber });
    await waitForCase(stack, c.id, (v) => v.waitingFor === 'inspection');

    // The worker goes away while the credit note has committed but not been reported.
    crashCases.add(c.id);
    crashed.set(c.id, new Set(['moveStock', 'sendCaseEmail', 'recordProgress']));
    let died!: () => void;
    const death = new Promise<void>((r) => (died = r));
    onCrash = (step) => {
      if (step === 'issueCreditNote') died();
    };
    expect(
      (
        await stack.call('POST', `/v1/returns/${c.id}/inspection`, {
          lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }],
        })
      ).status,
    ).toBe(200);
    await death;
    await stack.stopWorker();
    onCrash = undefined;
    const stalled = (await stack.call('GET', `/v1/returns/${c.id}`)).body;
    expect(stalled.status).toBe('inspected');
    expect((await effectsOf(c.id)).notes).toHaveLength(1); // committed before the "crash"

    await stack.startWorker();
    const done = await waitForCase(stack, c.id, (v) => v.status === 'completed', 60_000);
    expect(done.creditNotes).toHaveLength(1);
    const { notes, moves, mails } = await effectsOf(c.id);
    expect(notes).toHaveLength(1);
    expect(moves).toHaveLength(1);
    expect(mails.map((m) => m.kind).sort()).toEqual(['credit_issued', 'inspected', 'label', 'received']);
    expect((await stack.call('GET', `/v1/products/${sku}`)).body.stock).toBe(5);
  });

  it('signals sent while no worker runs are kept and acted on when one starts', async () => {
    const { c } = await runCase(1);
    await stack.stopWorker();
    const scan = await stack.call('POST', '/v1/scans', { trackingNumber: c.label.trackingNumber });
    expect(scan.status).toBe(200);
    expect(scan.body.status).toBe('awaiting_parcel'); // nothing processes it yet
    await stack.startWorker();
    const received = await waitForCase(stack, c.id, (v) => v.status === 'received');
    expect(received.waitingFor).toBe('inspection');
  });
});
