/**
 * The customer portal's API end to end (shared/API.md "The customer portal"): sign-in, the order
 * with what is still returnable, a return and an exchange opened by the customer, the case with
 * its label — and what a customer without the right token, or another order's token, gets.
 */
import { execFileSync } from 'node:child_process';
import { BinaryBitmap, DecodeHintType, HybridBinarizer, QRCodeReader, RGBLuminanceSource } from '@zxing/library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createApp } from '../../api/app.js';
import { customers } from '../../db/schema.js';
import { signLink } from '../../links/customer-links.js';
import { expectProblem, inspectionRequest, policyRequest, returnRequest, startReturn } from '../support/requests.js';
import { ADMIN_KEY, TEST_LINK_SECRET, startStack, uid, waitForCase, type Stack } from '../support/stack.js';

/** This file's own market: its policy lists its own reasons, a bonus, a fee and a non-returnable category. */
const MARKET = 'LU';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  const policy = await stack.call(
    'PUT',
    `/v1/policies/${MARKET}`,
    policyRequest({
      nonReturnableCategories: ['gift_cards'],
      storeCreditBonusPercent: 10,
      returnShippingFee: 4_900,
      returnReasons: [
        {
          code: 'wrong_size',
          labels: {
            en: 'Wrong size',
            nb: 'Feil størrelse',
            sv: 'Fel storlek',
            da: 'Forkert størrelse',
            fi: 'Väärä koko',
          },
        },
        { code: 'defective', labels: { en: 'Defective', nb: 'Defekt', sv: 'Trasig', da: 'Defekt', fi: 'Viallinen' } },
      ],
    }),
  );
  expect(policy.status, JSON.stringify(policy.body)).toBe(200);
});
afterAll(async () => {
  await stack?.close();
});

const ADDRESS = { lines: ['Storgata 1'], postalCode: '0155', city: 'Oslo', country: 'NO' };

async function putProduct(sku: string, over: Record<string, unknown> = {}) {
  const res = await stack.call('PUT', `/v1/products/${sku}`, {
    name: `Product ${sku}`,
    category: 'shoes',
    price: 99_900,
    currency: 'NOK',
    stock: 5,
    returnable: true,
    ...over,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/**
 * A shoe in three sizes (M bought; L in stock; S sold out), a non-returnable product, a gift card
 * (a non-returnable category of the market) and a sock; an order of all four for a nb-NO customer.
 */
async function seedPortalOrder(o: { deliveredDaysAgo?: number } = {}) {
  const base = uid('SHOE-M');
  const skus = {
    base,
    large: uid('SHOE-L'),
    small: uid('SHOE-S'),
    sealed: uid('EARRING'),
    gift: uid('GIFT'),
    sock: uid('SOCK'),
  };
  await putProduct(base, { name: 'Trail shoe M' });
  await putProduct(skus.large, { name: 'Trail shoe L', variantOf: base });
  await putProduct(skus.small, { name: 'Trail shoe S', variantOf: base, stock: 0 });
  await putProduct(skus.sealed, { name: 'Earrings', returnable: false });
  await putProduct(skus.gift, { name: 'Gift card', category: 'gift_cards' });
  await putProduct(skus.sock, { name: 'Wool sock' });
  const orderId = uid('ORD');
  const customerId = uid('CUS');
  const email = `${customerId}@example.no`;
  const delivered = new Date(Date.now() - (o.deliveredDaysAgo ?? 3) * 86_400_000);
  const line = (id: string, sku: string, name: string, quantity = 1) => ({
    id,
    sku,
    name,
    quantity,
    unitPrice: 99_900,
    vatRate: 25,
  });
  const order = await stack.call('POST', '/v1/orders', {
    id: orderId,
    customer: {
      id: customerId,
      email,
      name: 'Kari Nordmann',
      locale: 'nb-NO',
      country: MARKET,
      address: ADDRESS,
      marketingConsent: true,
    },
    currency: 'NOK',
    placedAt: new Date(delivered.getTime() - 2 * 86_400_000).toISOString(),
    deliveredAt: delivered.toISOString(),
    lines: [
      line('L1', base, 'Trail shoe M', 2),
      line('L2', skus.sealed, 'Earrings'),
      line('L3', skus.gift, 'Gift card'),
      line('L4', skus.sock, 'Wool sock'),
    ],
  });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  return { orderId, customerId, email, skus };
}

type Caller = {
  call: (
    method: string,
    path: string,
    body: unknown,
    o?: { headers?: Record<string, string> },
  ) => Promise<{ status: number; body: any; headers: Headers }>;
};
const signIn = (orderId: string, email: string, app: Caller = stack) =>
  app.call('POST', '/v1/portal/sessions', { orderId, email }, { headers: { authorization: '' } });

async function tokenFor(orderId: string, email: string): Promise<string> {
  const res = await signIn(orderId, email);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.token;
}

/** A portal call with the customer's token (never an API key). */
const portal = (method: string, path: string, token: string | undefined, body?: unknown) =>
  stack.call(method, path, body, { headers: { authorization: token === undefined ? '' : `Bearer ${token}` } });

/** Polls the customer's view of a case until `done` holds (the workflow writes it asynchronously). */
async function portalCaseWhen(token: string, id: string, done: (v: any) => boolean, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await portal('GET', `/v1/portal/returns/${id}`, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (done(res.body)) return res.body;
    if (Date.now() > until) throw new Error(`case ${id} did not get there; last: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function portalBytes(path: string, token: string) {
  const res = await stack.app.request(path, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
}

/**
 * Reads the QR code of an SVG the way a phone would read it off the screen: the SVG's path (bwip-js
 * draws the dark modules as closed axis-aligned polygons) filled even-odd at 1 px per unit, then ZXing.
 */
function decodeQrSvg(svg: string): string {
  const [, w, h] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!.map(Number) as [number, number, number];
  const edges: [number, number, number][] = []; // vertical edges: x, y from, y to
  for (const [, d] of svg.matchAll(/<path[^>]* d="([^"]+)"/g))
    for (const sub of d!.split('Z').filter((s) => s.trim())) {
      const pts = [...sub.matchAll(/[ML]\s*(-?[\d.]+)[ ,]+(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
      pts.forEach(([x1, y1], i) => {
        const [x2, y2] = pts[(i + 1) % pts.length]!;
        if (x1 === x2 && y1 !== y2) edges.push([x1!, Math.min(y1!, y2!), Math.max(y1!, y2!)]);
      });
    }
  const lum = new Uint8ClampedArray(w * h).fill(255);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const crossings = edges.filter(([ex, y0, y1]) => ex > x + 0.5 && y + 0.5 > y0 && y + 0.5 < y1).length;
      if (crossings % 2 === 1) lum[y * w + x] = 0;
    }
  const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(lum, w, h)));
  return new QRCodeReader().decode(bitmap, new Map([[DecodeHintType.PURE_BARCODE, true]])).getText();
}

describe('POST /v1/portal/sessions', () => {
  it('signs in with the order number and its e-mail; a wrong order and a wrong e-mail get the same 404', async () => {
    const { orderId, email } = await seedPortalOrder();
    const ok = await signIn(orderId, ` ${email.toUpperCase()} `);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ orderId, locale: 'nb', token: expect.any(String) });
    const ttl = new Date(ok.body.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(59 * 60_000);
    expect(ttl).toBeLessThanOrEqual(60 * 60_000);

    const wrongEmail = await signIn(orderId, 'someone.else@example.no');
    const wrongOrder = await signIn(uid('ORD'), email);
    expectProblem(wrongEmail, 404);
    expectProblem(wrongOrder, 404);
    expect(wrongEmail.body).toEqual(wrongOrder.body);
    expect(wrongEmail.body.detail).not.toContain(orderId);

    expectProblem(
      await stack.call('POST', '/v1/portal/sessions', { orderId }, { headers: { authorization: '' } }),
      422,
      'email',
    );
  });

  it('a burst of sign-ins for one order number is refused with 429 and Retry-After', async () => {
    const { orderId, email } = await seedPortalOrder();
    // Right ones too: the limit is on attempts per order number (10 a minute).
    for (let i = 0; i < 10; i++) expect((await signIn(orderId, email)).status).toBe(201);
    const refused = await signIn(orderId, email);
    expectProblem(refused, 429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another order from the same address is not affected.
    const other = await seedPortalOrder();
    expect((await signIn(other.orderId, other.email)).status).toBe(201);
  });

  it('wrong sign-ins count towards the failed-authentication limit of the client IP', async () => {
    const limited = createApp({
      db: stack.db,
      temporal: stack.env.client,
      taskQueue: stack.taskQueue,
      adminApiKey: ADMIN_KEY,
      linkSecret: TEST_LINK_SECRET,
      limits: { failedAuthPerMinute: 3, trustProxy: true },
      readiness: { database: async () => undefined, temporal: async () => undefined },
    });
    const ip = `203.0.113.${Math.floor(Math.random() * 200) + 1}`;
    const call = async (_m: string, path: string, body: unknown) => {
      const res = await limited.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify(body),
      });
      return { status: res.status, headers: res.headers, body: await res.json() };
    };
    const { orderId, email } = await seedPortalOrder();
    // Three guesses at different order numbers (no per-order limit applies) ...
    for (let i = 0; i < 3; i++) expectProblem(await signIn(uid('ORD'), email, { call }), 404);
    // ... and this address may not sign in for a while, not even rightly.
    const refused = await signIn(orderId, email, { call });
    expectProblem(refused, 429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('GET /v1/portal/order', () => {
  it('shows each line with what can still be returned, why not, the exchange options, reasons and refund options', async () => {
    const { orderId, email, skus } = await seedPortalOrder();
    // The sock went back already (customer service).
    await startReturn(stack, returnRequest({ orderId, lines: [{ orderLineId: 'L4', quantity: 1, reason: 'other' }] }));
    const token = await tokenFor(orderId, email);

    const res = await portal('GET', '/v1/portal/order', token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const o = res.body;
    expect(o).toMatchObject({
      orderId,
      currency: 'NOK',
      locale: 'nb',
      customer: { name: 'Kari Nordmann', email, address: ADDRESS },
      refundOptions: {
        storeCreditBonusPercent: 10,
        returnShippingFee: 4_900,
        currency: 'NOK',
        feeFreeReasons: ['defective'],
      },
    });
    const windowEnd = new Date(o.returnWindowEndsAt).getTime() - new Date(o.deliveredAt).getTime();
    expect(windowEnd).toBe(30 * 86_400_000);
    const byId = Object.fromEntries(o.lines.map((l: { orderLineId: string }) => [l.orderLineId, l]));
    expect(byId.L1).toMatchObject({
      sku: skus.base,
      name: 'Trail shoe M',
      quantity: 2,
      unitPrice: 99_900,
      returnedQuantity: 0,
      returnableQuantity: 2,
      notReturnableReason: null,
    });
    expect(byId.L1.exchangeOptions).toEqual(
      [
        { sku: skus.large, name: 'Trail shoe L', price: 99_900, currency: 'NOK', inStock: true },
        { sku: skus.small, name: 'Trail shoe S', price: 99_900, currency: 'NOK', inStock: false },
      ].sort((a, b) => a.sku.localeCompare(b.sku)),
    );
    expect(byId.L2).toMatchObject({ returnableQuantity: 0, notReturnableReason: 'not_returnable' });
    expect(byId.L3).toMatchObject({ returnableQuantity: 0, notReturnableReason: 'not_returnable' });
    expect(byId.L4).toMatchObject({
      returnedQuantity: 1,
      returnableQuantity: 0,
      notReturnableReason: 'already_returned',
    });
    expect(byId.L4.exchangeOptions).toEqual([]);
    // The shop's reasons, in the customer's language unless asked for another.
    expect(o.reasons).toEqual([
      { code: 'wrong_size', label: 'Feil størrelse' },
      { code: 'defective', label: 'Defekt' },
    ]);
    expect(o.cases).toEqual([{ id: expect.any(String), status: expect.any(String), createdAt: expect.any(String) }]);
    const sv = await portal('GET', '/v1/portal/order?locale=sv', token);
    expect(sv.body.reasons.map((r: { label: string }) => r.label)).toEqual(['Fel storlek', 'Trasig']);
    expect(sv.body.locale).toBe('nb');
  });

  it('every line is window_passed once the return window is over; the default reasons without a list of the shop', async () => {
    const { orderId, email } = await seedPortalOrder({ deliveredDaysAgo: 45 });
    const res = await portal('GET', '/v1/portal/order', await tokenFor(orderId, email));
    expect(res.status).toBe(200);
    expect(res.body.lines.map((l: { notReturnableReason: string }) => l.notReturnableReason)).toEqual([
      'window_passed',
      'window_passed',
      'window_passed',
      'window_passed',
    ]);
    expect(new Date(res.body.returnWindowEndsAt).getTime()).toBeLessThan(Date.now());
    const late = await portal('POST', '/v1/portal/returns', await tokenFor(orderId, email), {
      orderId,
      method: 'return_to_stock',
      lines: [{ orderLineId: 'L1', quantity: 1, reason: 'wrong_size' }],
    });
    expectProblem(late, 422, 'orderId');
  });

  it('401 without a token, with an invalid or expired one, and with an API key', async () => {
    const { orderId } = await seedPortalOrder();
    expectProblem(await portal('GET', '/v1/portal/order', undefined), 401);
    expectProblem(await portal('GET', '/v1/portal/order', 'not-a-token'), 401);
    expectProblem(await portal('GET', '/v1/portal/order', ADMIN_KEY), 401);
    const expired = signLink(TEST_LINK_SECRET, { purpose: 'portal', subject: orderId, exp: Date.now() - 1000 });
    expectProblem(await portal('GET', '/v1/portal/order', expired), 401);
    const otherSecret = signLink('another-secret-0123456789', {
      purpose: 'portal',
      subject: orderId,
      exp: Date.now() + 60_000,
    });
    expectProblem(await portal('GET', '/v1/portal/order', otherSecret), 401);
    const unsubscribe = signLink(TEST_LINK_SECRET, {
      purpose: 'unsubscribe',
      subject: orderId,
      exp: Date.now() + 60_000,
    });
    expectProblem(await portal('GET', '/v1/portal/order', unsubscribe), 401);
  });
});

describe('POST /v1/portal/returns', () => {
  it('a return for store credit: channel portal, a label from the corrected address, the QR code, followed to the end', async () => {
    const { orderId, email } = await seedPortalOrder();
    const token = await tokenFor(orderId, email);
    const corrected = { lines: ['Nedre gate 7', 'c/o Hansen'], postalCode: '0551', city: 'Oslo', country: 'NO' };
    const res = await portal('POST', '/v1/portal/returns', token, {
      orderId,
      method: 'return_to_stock',
      lines: [{ orderLineId: 'L1', quantity: 1, reason: 'wrong_size' }],
      refundMethod: 'store_credit',
      note: 'too small',
      returnAddress: corrected,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ channel: 'portal', refundMethod: 'store_credit' });
    // The answer waits a moment for the label; on a busy machine the case may get it just after.
    const c = await portalCaseWhen(token, res.body.id, (v) => v.label !== null);
    expect(c).toMatchObject({
      orderId,
      method: 'return_to_stock',
      channel: 'portal',
      status: 'awaiting_parcel',
      refundMethod: 'store_credit',
      lines: [{ orderLineId: 'L1', name: 'Trail shoe M', quantity: 1, reason: 'wrong_size', condition: null }],
      label: {
        trackingNumber: expect.any(String),
        pdfUrl: `/v1/portal/returns/${c.id}/label`,
        qrUrl: `/v1/portal/returns/${c.id}/label/qr.svg`,
      },
      fees: { returnShippingFee: 4_900, currency: 'NOK' },
      nextStep: { kind: 'drop_off_parcel', by: c.deadline },
    });
    expect(c).not.toHaveProperty('note');
    expect(c).not.toHaveProperty('policy');
    const admin = await stack.call('GET', `/v1/returns/${c.id}`);
    expect(admin.body).toMatchObject({ channel: 'portal', refundMethod: 'store_credit', note: 'too small' });

    // The label's FROM block: the customer's name and the corrected address.
    const pdf = await portalBytes(c.label.pdfUrl, token);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    const text = execFileSync('pdftotext', ['-layout', '-f', '1', '-l', '1', '-', '-'], {
      input: pdf.bytes,
    }).toString();
    for (const s of ['Kari Nordmann', 'Nedre gate 7', 'c/o Hansen', '0551 Oslo']) expect(text).toContain(s);
    expect(text).not.toContain('Storgata 1');
    const qr = await portalBytes(c.label.qrUrl, token);
    expect(qr.status).toBe(200);
    expect(qr.type).toBe('image/svg+xml');
    expect(decodeQrSvg(Buffer.from(qr.bytes).toString('utf8'))).toBe(c.label.trackingNumber);
    // Without the token: neither.
    expect((await portal('GET', c.label.pdfUrl, undefined)).status).toBe(401);

    // The order now shows the unit as returned, and the case.
    const order = await portal('GET', '/v1/portal/order', token);
    expect(order.body.lines[0]).toMatchObject({ returnedQuantity: 1, returnableQuantity: 1 });
    expect(order.body.cases.map((k: { id: string }) => k.id)).toEqual([c.id]);

    // Followed to the end: received, inspected, store credit with the bonus.
    expect((await stack.call('POST', '/v1/scans', { trackingNumber: c.label.trackingNumber })).status).toBe(200);
    await waitForCase(stack, c.id, (v) => v.waitingFor === 'inspection');
    const seen = await portal('GET', `/v1/portal/returns/${c.id}`, token);
    expect(seen.body.nextStep.kind).toBe('wait_for_inspection');
    expect((await stack.call('POST', `/v1/returns/${c.id}/inspection`, inspectionRequest())).status).toBe(200);
    await waitForCase(stack, c.id, (v) => v.status === 'completed');
    const done = await portal('GET', `/v1/portal/returns/${c.id}`, token);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', nextStep: { kind: 'done', by: null } });
    expect(done.body.creditNotes).toHaveLength(1);
    expect(done.body.storeCredit).toMatchObject({ currency: 'NOK', bonus: expect.any(Number) });
    expect(done.body.storeCredit.bonus).toBeGreaterThan(0);
    expect(done.body.timeline.map((e: { type: string }) => e.type)).toContain('parcel.received');
    for (const e of done.body.timeline) expect(Object.keys(e).sort()).toEqual(['at', 'type']);
  });

  it("another order's case is 404 (the case, its label and QR code); the token's order only", async () => {
    const mine = await seedPortalOrder();
    const theirs = await seedPortalOrder();
    const theirCase = await startReturn(stack, returnRequest({ orderId: theirs.orderId, channel: 'portal' }));
    const token = await tokenFor(mine.orderId, mine.email);
    for (const path of [
      `/v1/portal/returns/${theirCase.id}`,
      `/v1/portal/returns/${theirCase.id}/label`,
      `/v1/portal/returns/${theirCase.id}/label/qr.svg`,
      '/v1/portal/returns/RET-NOSUCHCASE',
    ])
      expectProblem(await portal('GET', path, token), 404);
    const elsewhere = await portal('POST', '/v1/portal/returns', token, {
      orderId: theirs.orderId,
      method: 'return_to_stock',
      lines: [{ orderLineId: 'L1', quantity: 1, reason: 'wrong_size' }],
    });
    expectProblem(elsewhere, 422, 'orderId');
  });

  it('refuses an unknown reason, a non-returnable line and an exchange out of the family or out of stock (422 naming the field)', async () => {
    const { orderId, email, skus } = await seedPortalOrder();
    const other = await putProduct(uid('HAT'), { name: 'Hat' });
    const token = await tokenFor(orderId, email);
    const body = (over: Record<string, unknown>) => ({
      orderId,
      method: 'exchange',
      lines: [{ orderLineId: 'L1', quantity: 1, reason: 'wrong_size' }],
      ...over,
    });
    expectProblem(
      await portal(
        'POST',
        '/v1/portal/returns',
        token,
        body({ method: 'return_to_stock', lines: [{ orderLineId: 'L1', quantity: 1, reason: 'too small' }] }),
      ),
      422,
      'lines[0].reason',
    );
    expectProblem(
      await portal(
        'POST',
        '/v1/portal/returns',
        token,
        body({ method: 'return_to_stock', lines: [{ orderLineId: 'L2', quantity: 1, reason: 'defective' }] }),
      ),
      422,
      'lines[0].orderLineId',
    );
    expectProblem(
      await portal('POST', '/v1/portal/returns', token, body({ replacements: [{ sku: other.sku, quantity: 1 }] })),
      422,
      'replacements[0].sku',
    );
    expectProblem(
      await portal('POST', '/v1/portal/returns', token, body({ replacements: [{ sku: skus.small, quantity: 1 }] })),
      422,
      'replacements[0].sku',
    );
    expectProblem(await portal('POST', '/v1/portal/returns', token, body({})), 422, 'replacements');

    const ok = await portal(
      'POST',
      '/v1/portal/returns',
      token,
      body({ replacements: [{ sku: skus.large, quantity: 1 }] }),
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({
      method: 'exchange',
      channel: 'portal',
      replacements: [{ sku: skus.large, quantity: 1 }],
    });
    expect((await portalCaseWhen(token, ok.body.id, (v) => v.label !== null)).label.trackingNumber).toEqual(
      expect.any(String),
    );
  });
});

describe('the customer on the order, the product family', () => {
  it('POST /v1/orders keeps the address and consent; GET shows them; an invalid address is 422 naming the field', async () => {
    const { orderId, customerId } = await seedPortalOrder();
    const got = await stack.call('GET', `/v1/orders/${orderId}`);
    expect(got.body.customer).toMatchObject({ address: ADDRESS, marketingConsent: true });
    const stored = async () => (await stack.db.select().from(customers).where(eq(customers.id, customerId)))[0]!;
    const first = await stored();
    expect(first).toMatchObject({ address: ADDRESS, marketingConsent: true });
    expect(first.marketingConsentAt).toBeInstanceOf(Date);

    // A later order that says nothing of either keeps them; one that withdraws consent clears it.
    const later = (id: string, customer: Record<string, unknown>) =>
      stack.call('POST', '/v1/orders', {
        id,
        customer: {
          id: customerId,
          email: 'k@example.no',
          name: 'Kari Nordmann',
          locale: 'nb-NO',
          country: MARKET,
          ...customer,
        },
        currency: 'NOK',
        placedAt: new Date().toISOString(),
        lines: [{ id: 'L1', sku: 'X', name: 'X', quantity: 1, unitPrice: 100, vatRate: 25 }],
      });
    expect((await later(uid('ORD'), {})).status).toBe(201);
    expect(await stored()).toMatchObject({
      address: ADDRESS,
      marketingConsent: true,
      marketingConsentAt: first.marketingConsentAt,
    });
    expect((await later(uid('ORD'), { marketingConsent: true })).status).toBe(201);
    expect((await stored()).marketingConsentAt).toEqual(first.marketingConsentAt); // given once, kept
    expect((await later(uid('ORD'), { marketingConsent: false })).status).toBe(201);
    expect(await stored()).toMatchObject({ marketingConsent: false, marketingConsentAt: null });

    const bad = await stack.call('POST', '/v1/orders', {
      id: uid('ORD'),
      customer: {
        id: uid('CUS'),
        email: 'a@example.no',
        name: 'A',
        locale: 'nb-NO',
        country: 'NO',
        address: { lines: ['1', '2', '3', '4', '5'], postalCode: '0150', city: 'Oslo', country: 'no' },
      },
      currency: 'NOK',
      placedAt: new Date().toISOString(),
      lines: [{ id: 'L1', sku: 'X', name: 'X', quantity: 1, unitPrice: 100, vatRate: 25 }],
    });
    const problem = expectProblem(bad, 422, 'customer.address.lines');
    expect(problem.errors.map((e) => e.field)).toContain('customer.address.country');
  });

  it('PUT /v1/products/:sku takes variantOf; GET shows it; a product is no variant of itself', async () => {
    const base = uid('BASE');
    const variant = uid('VAR');
    await putProduct(base);
    expect((await putProduct(variant, { variantOf: base })).variantOf).toBe(base);
    expect((await stack.call('GET', `/v1/products/${variant}`)).body.variantOf).toBe(base);
    expect((await stack.call('GET', `/v1/products/${base}`)).body.variantOf).toBeNull();
    expectProblem(
      await stack.call('PUT', `/v1/products/${base}`, {
        name: 'x',
        category: 'c',
        price: 1,
        currency: 'NOK',
        stock: 1,
        variantOf: base,
      }),
      422,
      'variantOf',
    );
  });

  it('a policy takes returnReasons (unique codes, every language)', async () => {
    const got = await stack.call('GET', `/v1/policies/${MARKET}`);
    expect(got.body.returnReasons.map((r: { code: string }) => r.code)).toEqual(['wrong_size', 'defective']);
    const labels = { en: 'x', nb: 'x', sv: 'x', da: 'x', fi: 'x' };
    const dup = await stack.call(
      'PUT',
      '/v1/policies/MT',
      policyRequest({
        returnReasons: [
          { code: 'a', labels },
          { code: 'a', labels },
        ],
      }),
    );
    expectProblem(dup, 422, 'returnReasons');
    const missing = await stack.call(
      'PUT',
      '/v1/policies/MT',
      policyRequest({ returnReasons: [{ code: 'a', labels: { en: 'x' } }] }),
    );
    expectProblem(missing, 422, 'returnReasons[0].labels.nb');
  });
});
