import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundEmails, preIssuedLabels } from '../../db/schema.js';
import { eventOf, inspectCase, returnRequest, startReturn, trackingNumberOf } from '../support/requests.js';
import { seedOrder, startStack, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const issueLabel = (orderId: string) => stack.call('POST', `/v1/orders/${orderId}/return-label`);
const casesOf = async (orderId: string) =>
  (await stack.call('GET', `/v1/returns?orderId=${orderId}`)).body.items as { id: string }[];

/** The .eml files of one case's e-mails of `kind` (the file name is the message id). */
const emlFiles = (caseId: string, kind: string) =>
  readdirSync(stack.mailDir)
    .filter((f) => f.startsWith(`${caseId}.${kind}_`))
    .map((f) => readFileSync(join(stack.mailDir, f), 'utf8'));

describe('labels pre-issued into the outgoing parcel', () => {
  it('issues a label for an order; its first scan opens a mail case with everything returnable', async () => {
    const { orderId, customerId } = await seedOrder(stack, { quantity: 2 });
    const issued = await issueLabel(orderId);
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ carrier: 'local', orderId, caseId: null });
    const { trackingNumber, url } = issued.body;
    expect(trackingNumber).toMatch(/^LR\d{12}$/);
    expect(url).toContain(`/v1/orders/${orderId}/return-label/${trackingNumber}`);

    const pdf = await stack.app.request(`/v1/orders/${orderId}/return-label/${trackingNumber}`, {
      headers: { authorization: 'Bearer test-admin-key-0123456789' },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    expect((await stack.call('GET', `/v1/orders/${orderId}/return-label/LR000000000000`)).status).toBe(404);
    expect(await casesOf(orderId)).toHaveLength(0);

    const scanned = await stack.call('POST', '/v1/scans', { trackingNumber, location: 'dock-1' });
    expect(scanned.status).toBe(200);
    expect(scanned.body).toMatchObject({ orderId, customerId, channel: 'mail', method: 'return_to_stock' });
    expect(scanned.body.label.trackingNumber).toBe(trackingNumber);
    const received = await waitForCase(stack, scanned.body.id, (v) => v.status === 'received');
    expect(received).toMatchObject({ waitingFor: 'inspection', label: { carrier: 'local', trackingNumber } });
    expect(received.lines).toEqual([
      expect.objectContaining({ orderLineId: 'L1', quantity: 2, reason: 'returned by mail' }),
    ]);
    const [label] = await stack.db
      .select()
      .from(preIssuedLabels)
      .where(eq(preIssuedLabels.trackingNumber, trackingNumber));
    expect(label?.caseId).toBe(scanned.body.id);
    expect(eventOf(received, 'parcel.received').detail).toMatchObject({
      trackingNumber,
      scannedBy: 'bootstrap admin',
      location: 'dock-1',
    });
    // The parcel is already here: the customer is told it arrived, not sent a label.
    // (The e-mail follows the status change: wait for it.)
    const mailKinds = async () =>
      (await stack.db.select().from(outboundEmails).where(eq(outboundEmails.caseId, scanned.body.id))).map(
        (m) => m.kind,
      );
    for (let i = 0; i < 100 && !(await mailKinds()).includes('received'); i++)
      await new Promise((r) => setTimeout(r, 100));
    const kinds = await mailKinds();
    expect(kinds).toContain('received');
    expect(kinds).not.toContain('label');

    // Scanned again: the same case, no second one.
    const again = await stack.call('POST', '/v1/scans', { barcode: trackingNumber.toLowerCase() });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(scanned.body.id);
    expect(again.body.timeline.filter((e: { type: string }) => e.type === 'parcel.received')).toHaveLength(1);
    expect(await casesOf(orderId)).toHaveLength(1);

    await inspectCase(stack, scanned.body.id);
    const done = await waitForCase(stack, scanned.body.id, (v) => v.status === 'completed');
    expect(done.creditNotes).toEqual([
      { number: expect.stringMatching(/^CN-\d{6}$/), amount: 2 * 79_900, currency: 'NOK' },
    ]);

    // Settled: the label is of no use any more.
    const resend = await stack.call('POST', `/v1/returns/${scanned.body.id}/label/resend`);
    expect(resend.status).toBe(409);
    expect(resend.headers.get('content-type')).toContain('application/problem+json');
  });

  it('opens the case for what other cases have not claimed yet', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 3 });
    const first = await startReturn(stack, returnRequest({ orderId }));
    const { trackingNumber } = (await issueLabel(orderId)).body;
    const scanned = await stack.call('POST', '/v1/scans', { trackingNumber });
    expect(scanned.status).toBe(200);
    expect(scanned.body.id).not.toBe(first.id);
    expect(scanned.body.lines).toEqual([expect.objectContaining({ orderLineId: 'L1', quantity: 2 })]);
    expect(await casesOf(orderId)).toHaveLength(2);
  });

  it('refuses a scan that would break the policy (nothing left, window passed) with 422 and no case', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1 });
    const { trackingNumber } = (await issueLabel(orderId)).body;
    await startReturn(stack, returnRequest({ orderId, channel: 'portal', reason: 'too big' }));
    const scanned = await stack.call('POST', '/v1/scans', { trackingNumber });
    expect(scanned.status).toBe(422);
    expect(scanned.headers.get('content-type')).toContain('application/problem+json');
    expect(scanned.body.detail).toContain('nothing is left to return');
    expect(await casesOf(orderId)).toHaveLength(1);
    const [label] = await stack.db
      .select()
      .from(preIssuedLabels)
      .where(eq(preIssuedLabels.trackingNumber, trackingNumber));
    expect(label?.caseId).toBeNull();

    const late = await seedOrder(stack, { quantity: 1, deliveredDaysAgo: 60 });
    const lateLabel = (await issueLabel(late.orderId)).body;
    const lateScan = await stack.call('POST', '/v1/scans', { trackingNumber: lateLabel.trackingNumber });
    expect(lateScan.status).toBe(422);
    expect(lateScan.body.detail).toContain('return window has passed');
    expect(await casesOf(late.orderId)).toHaveLength(0);
  });

  it('issues labels only for known orders', async () => {
    const res = await issueLabel('ORD-does-not-exist');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('the label e-mail', () => {
  it('carries the label PDF and is sent again on request, once per request', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1 });
    const c = await startReturn(stack, returnRequest({ orderId, reason: 'wrong colour' }));
    const tracking = trackingNumberOf(c);

    const [labelMail] = emlFiles(c.id, 'label');
    expect(labelMail).toContain('Content-Type: application/pdf');
    expect(labelMail).toContain(`label-${tracking}.pdf`);

    const resent = await stack.call('POST', `/v1/returns/${c.id}/label/resend`);
    expect(resent.status).toBe(202);
    expect(resent.body).toMatchObject({ id: c.id, status: 'awaiting_parcel' });
    expect(resent.body.timeline.some((e: { type: string }) => e.type === 'label.resent')).toBe(true);
    const mails = await stack.db.select().from(outboundEmails).where(eq(outboundEmails.caseId, c.id));
    const labelMails = mails.filter((m) => m.kind === 'label' || m.kind.startsWith('label_resend_'));
    expect(labelMails.map((m) => m.kind).sort()).toEqual(['label', 'label_resend_1']);
    expect(labelMails.every((m) => m.status === 'sent')).toBe(true);
    const [again] = emlFiles(c.id, 'label_resend_1');
    expect(again).toContain('Content-Type: application/pdf');
    expect(again).toContain(`label-${tracking}.pdf`);

    // A retry of the same request (same Idempotency-Key) sends nothing more.
    const key = { headers: { 'Idempotency-Key': `resend-${c.id}` } };
    expect((await stack.call('POST', `/v1/returns/${c.id}/label/resend`, undefined, key)).status).toBe(202);
    expect((await stack.call('POST', `/v1/returns/${c.id}/label/resend`, undefined, key)).status).toBe(202);
    const resends = await stack.db
      .select()
      .from(outboundEmails)
      .where(and(eq(outboundEmails.caseId, c.id), eq(outboundEmails.kind, 'label_resend_3')));
    expect(resends).toHaveLength(0);
    expect(
      (await stack.db.select().from(outboundEmails).where(eq(outboundEmails.caseId, c.id))).map((m) => m.kind),
    ).toContain('label_resend_2');

    expect((await stack.call('POST', '/v1/returns/RET-NOSUCHCASE0/label/resend')).status).toBe(404);
  });
});
