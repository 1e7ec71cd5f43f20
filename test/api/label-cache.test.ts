/**
 * The label PDF is rendered once per input and stored (label_documents): the label e-mail renders
 * it, GET /label sends the same bytes, and a changed input (here a second parcel: "1 of 2") renders
 * anew instead of serving the stored one.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelDocuments } from '../../db/schema.js';
import { labelInputHash } from '../../documents/label-cache.js';
import { DEFAULT_WAREHOUSE, type ReturnLabelData } from '../../documents/label-pdf.js';
import { returnRequest, startReturn, trackingNumberOf } from '../support/requests.js';
import { ADMIN_KEY, seedOrder, startStack, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const getLabel = async (path: string) => {
  const res = await stack.app.request(path, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
};

const storedOf = (caseId: string) =>
  stack.db
    .select({ trackingNumber: labelDocuments.trackingNumber, parcelNo: labelDocuments.parcelNo })
    .from(labelDocuments)
    .where(eq(labelDocuments.caseId, caseId));

/** The PDF attached to the case's label e-mail (the .eml file is named by its message id). */
async function labelAttachment(caseId: string): Promise<Buffer> {
  const file = readdirSync(stack.mailDir).find((f) => f.startsWith(`${caseId}.label_`));
  expect(file, 'the label e-mail').toBeDefined();
  const mail = await simpleParser(readFileSync(join(stack.mailDir, file!)));
  const pdfs = mail.attachments.filter((a) => a.contentType === 'application/pdf');
  expect(pdfs).toHaveLength(1);
  return pdfs[0]!.content;
}

describe('label PDF cache', () => {
  it('the label e-mail renders the label once; GET /label sends the same bytes without storing another', async () => {
    const { orderId } = await seedOrder(stack);
    const c = await startReturn(stack, returnRequest({ orderId, channel: 'portal' }));
    await waitForCase(stack, c.id, (v) => (v.emails ?? []).some((e) => e.kind === 'label' && e.status === 'sent'));
    const attached = await labelAttachment(c.id);
    expect(await storedOf(c.id)).toEqual([{ trackingNumber: trackingNumberOf(c), parcelNo: 1 }]);

    const first = await getLabel(`/v1/returns/${c.id}/label`);
    expect(first.equals(attached)).toBe(true);
    const second = await getLabel(`/v1/returns/${c.id}/label`);
    expect(second.equals(attached)).toBe(true);
    expect(await storedOf(c.id)).toHaveLength(1);
  });

  it('a changed input is a new rendering: with a second parcel, parcel 1 reads "1 of 2"', async () => {
    const { orderId } = await seedOrder(stack);
    const c = await startReturn(stack, returnRequest({ orderId, channel: 'portal' }));
    const before = await getLabel(`/v1/returns/${c.id}/label`);
    const text = (pdf: Buffer) =>
      execFileSync('pdftotext', ['-f', '1', '-l', '1', '-', '-'], { input: pdf }).toString();
    expect(text(before)).toContain('1 of 1');

    const added = await stack.call('POST', `/v1/returns/${c.id}/parcels`);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const after = await getLabel(`/v1/returns/${c.id}/label`);
    expect(after.equals(before)).toBe(false);
    expect(text(after)).toContain('1 of 2');
    expect((await getLabel(`/v1/returns/${c.id}/label`)).equals(after)).toBe(true);
    // The label e-mail's (or the first GET's) "1 of 1" and the new "1 of 2"; parcel 2 not asked for yet.
    expect((await storedOf(c.id)).filter((r) => r.parcelNo === 1)).toHaveLength(2);
  });
});

describe('labelInputHash', () => {
  const data: ReturnLabelData = {
    caseId: 'RC-1',
    orderId: 'O-1',
    carrier: 'local',
    trackingNumber: 'LR000000000001',
    parcelNo: 1,
    parcelCount: 1,
    sender: { name: 'Kari Nordmann', lines: ['Kirkeveien 12'], postalCode: '0368', city: 'Oslo', country: 'NO' },
    receiver: DEFAULT_WAREHOUSE,
  };

  it('is the same for the same input, whatever the key order', () => {
    const reordered = Object.fromEntries(Object.entries(data).reverse()) as unknown as ReturnLabelData;
    expect(labelInputHash(reordered)).toBe(labelInputHash({ ...data }));
  });

  it('changes with anything drawn: address, tracking number, parcel count, receiver, declaration', () => {
    const variants: ReturnLabelData[] = [
      { ...data, sender: { ...data.sender, lines: ['Kirkeveien 14'] } },
      { ...data, sender: { ...data.sender, postalCode: '0369' } },
      { ...data, trackingNumber: 'LR000000000002' },
      { ...data, parcelCount: 2 },
      { ...data, receiver: { ...DEFAULT_WAREHOUSE, country: 'NO' } },
      {
        ...data,
        customs: {
          exportReference: 'EX-1',
          currency: 'NOK',
          from: { country: 'NO' },
          to: { country: 'SE' },
          items: [],
          totalValue: 0,
        } as unknown as NonNullable<ReturnLabelData['customs']>,
      },
    ];
    const hashes = new Set([data, ...variants].map(labelInputHash));
    expect(hashes.size).toBe(variants.length + 1);
  });
});
