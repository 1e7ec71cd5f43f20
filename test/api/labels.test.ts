import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BinaryBitmap,
  Code128Reader,
  DecodeHintType,
  HybridBinarizer,
  QRCodeReader,
  RGBLuminanceSource,
  type Reader,
} from '@zxing/library';
import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { returnRequest, startReturn, trackingNumberOf, type ReturnOverrides } from '../support/requests.js';
import { ADMIN_KEY, seedOrder, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let workDir: string;
beforeAll(async () => {
  stack = await startStack();
  workDir = mkdtempSync(join(tmpdir(), 'labels-test-'));
});
afterAll(async () => {
  await stack?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const getPdf = async (path: string) => {
  const res = await stack.app.request(path, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
};

const startCase = (orderId: string, over: ReturnOverrides = {}) =>
  startReturn(stack, returnRequest({ orderId, channel: 'portal', ...over }));

/** Page 1 rasterised the way a printer would see it (poppler at 300 dpi), as luminance. */
function renderFirstPage(pdf: Uint8Array): { lum: Uint8ClampedArray; width: number; height: number; file: string } {
  const dir = mkdtempSync(join(workDir, 'pdf-'));
  execFileSync('pdftoppm', ['-r', '300', '-png', '-f', '1', '-l', '1', '-', join(dir, 'page')], { input: pdf });
  const file = join(
    dir,
    readdirSync(dir).find((f) => f.endsWith('.png'))!,
  );
  const png = PNG.sync.read(readFileSync(file));
  const lum = new Uint8ClampedArray(png.width * png.height);
  for (let i = 0; i < lum.length; i++)
    lum[i] = (png.data[i * 4]! * 299 + png.data[i * 4 + 1]! * 587 + png.data[i * 4 + 2]! * 114) / 1000;
  return { lum, width: png.width, height: png.height, file };
}

/**
 * Decodes like a handheld scanner: the whole page first, then half-page windows (aiming at the
 * code). ZXing's QR finder search over a full page sometimes takes a finder-like run inside the
 * symbol's own data for a finder pattern (a few % of random labels); a window around the code reads.
 * One reader per symbology (not MultiFormatReader, whose decode() resets the format hints), so a
 * QR read cannot stand in for a failed Code 128 read.
 */
function decode(page: ReturnType<typeof renderFirstPage>, reader: () => Reader): string {
  const source = new RGBLuminanceSource(page.lum, page.width, page.height);
  const [w, h] = [page.width, page.height];
  const windows = [[0, 0, w, h]];
  for (const fy of [0, 0.25, 0.5])
    for (const fx of [0, 0.25, 0.5])
      windows.push([Math.floor(fx * w), Math.floor(fy * h), Math.floor(w / 2), Math.floor(h / 2)]);
  const failures: string[] = [];
  for (const [x, y, cw, ch] of windows as [number, number, number, number][]) {
    const region = cw === w ? source : source.crop(x, y, cw, ch);
    try {
      return reader()
        .decode(new BinaryBitmap(new HybridBinarizer(region)), new Map([[DecodeHintType.TRY_HARDER, true]]))
        .getText();
    } catch (err) {
      failures.push(String(err));
    }
  }
  throw new Error(`no barcode read from ${page.file}: ${failures.join('; ')}`);
}

describe('GET /v1/returns/:id/label', () => {
  it('is an A6 PDF whose Code 128 barcode and QR code scan back to the tracking number', async () => {
    const { orderId } = await seedOrder(stack);
    const c = await startCase(orderId);
    const res = await getPdf(`/v1/returns/${c.id}/label`);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/pdf');
    expect(Buffer.from(res.bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const doc = await PDFDocument.load(res.bytes);
    expect(doc.getPageCount()).toBe(1);
    const { width, height } = doc.getPage(0).getSize();
    expect([Math.round((width * 25.4) / 72), Math.round((height * 25.4) / 72)]).toEqual([105, 148]);

    const page = renderFirstPage(res.bytes);
    expect(decode(page, () => new Code128Reader())).toBe(trackingNumberOf(c));
    expect(decode(page, () => new QRCodeReader())).toBe(trackingNumberOf(c));
  });

  it('?parcel=2 is the label of the second parcel; an unknown parcel is 404', async () => {
    const { orderId } = await seedOrder(stack);
    const c = await startCase(orderId);
    const added = await stack.call('POST', `/v1/returns/${c.id}/parcels`);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const second = added.body.parcels.find((p: { parcelNo: number }) => p.parcelNo === 2);
    expect(second.trackingNumber).not.toBe(trackingNumberOf(c));

    const res = await getPdf(`/v1/returns/${c.id}/label?parcel=2`);
    expect(res.status).toBe(200);
    expect(decode(renderFirstPage(res.bytes), () => new Code128Reader())).toBe(second.trackingNumber);

    const missing = await stack.call('GET', `/v1/returns/${c.id}/label?parcel=3`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
  });

  it('adds a content declaration page when the order has an export reference', async () => {
    const { sku, orderId } = await seedOrder(stack, {
      quantity: 2,
      unitPrice: 79_900,
      exportReference: 'EX-NO-2026-000123',
    });
    const c = await startCase(orderId, { quantity: 2 });

    const res = await getPdf(`/v1/returns/${c.id}/label`);
    expect(res.status).toBe(200);
    expect((await PDFDocument.load(res.bytes)).getPageCount()).toBe(2);
    const text = execFileSync('pdftotext', ['-f', '2', '-l', '2', '-', '-'], { input: res.bytes }).toString();
    expect(text).toContain('EX-NO-2026-000123');
    expect(text).toContain(sku);
    expect(text).toContain('1598.00'); // 2 × 799.00 paid
  });

  it('404 for a case without a label and for an unknown case; 403 for marketing', async () => {
    const { orderId } = await seedOrder(stack);
    const credit = await startCase(orderId, { method: 'credit_only', reason: 'late delivery' });
    expect(credit.label).toBeNull();
    expect((await stack.call('GET', `/v1/returns/${credit.id}/label`)).status).toBe(404);
    expect((await stack.call('GET', '/v1/returns/no-such-case/label')).status).toBe(404);

    const key = await stack.call('POST', '/v1/api-keys', { name: 'marketing labels', role: 'marketing' });
    expect(key.status).toBe(201);
    const c = await startCase((await seedOrder(stack)).orderId);
    const denied = await stack.call('GET', `/v1/returns/${c.id}/label`, undefined, { key: key.body.key });
    expect(denied.status).toBe(403);
  });

  it("the FROM block shows the customer's name and the order's address (postal code, city, country)", async () => {
    const { sku, orderId: plain } = await seedOrder(stack);
    const orderId = `${plain}-A`;
    const address = { lines: ['Kirkeveien 12', 'Leilighet H0301'], postalCode: '0368', city: 'Oslo', country: 'NO' };
    const order = await stack.call('POST', '/v1/orders', {
      id: orderId,
      customer: {
        id: `${plain}-C`,
        email: 'kari@example.no',
        name: 'Kari Nordmann',
        locale: 'nb-NO',
        country: 'NO',
        address,
      },
      currency: 'NOK',
      placedAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
      lines: [{ id: 'L1', sku, name: 'Wool sweater', quantity: 1, unitPrice: 79_900, vatRate: 25 }],
    });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect((await stack.call('GET', `/v1/orders/${orderId}`)).body.customer.address).toEqual(address);
    const c = await startCase(orderId);
    const res = await getPdf(`/v1/returns/${c.id}/label`);
    expect(res.status).toBe(200);
    const text = execFileSync('pdftotext', ['-layout', '-f', '1', '-l', '1', '-', '-'], {
      input: res.bytes,
    }).toString();
    const from = text.slice(text.indexOf('FROM'));
    for (const s of ['Kari Nordmann', 'Kirkeveien 12', 'Leilighet H0301', '0368 Oslo']) expect(from).toContain(s);
  });
});
