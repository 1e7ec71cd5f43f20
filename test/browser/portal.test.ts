/**
 * The customer portal in a real browser (Debian's chromium via playwright-core), served by a real
 * HTTP server over the real app, worker, Temporal and database: a customer signs in (by keyboard),
 * is refused with a wrong e-mail, switches language, returns a line for store credit, downloads the
 * label and sees its QR code, and follows the case to `completed` from the e-mail link on a phone
 * while the warehouse scans and inspects the parcel through the API. A burst of sign-ins gets the
 * rate-limit message. Screenshots of the steps go to test/artifacts/portal/.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { NEXT_STEPS } from '../../api/routes/portal.js';
import { CASE_STATUSES } from '../../domain/case-status.js';
import { CUSTOMER_LANGUAGES } from '../../domain/policy.js';
import { REFUND_STATUSES } from '../../domain/refunds.js';
import { NOT_RETURNABLE_REASONS } from '../../domain/returnability.js';
import { portalCaseUrl } from '../../links/customer-links.js';
import { loadPortalTexts } from '../../portal/i18n.js';
import { portalHtml } from '../../portal/page.js';
import { PORTAL_API_CALLS, portalScript } from '../../portal/script.js';
import { launchBrowser, screenshot, serveOnLoopback } from '../support/browser.js';
import { getCase, inspectCase, inspectionRequest, policyRequest, scanParcel } from '../support/requests.js';
import { ADMIN_KEY, TEST_BRAND, TEST_LINK_SECRET, startStack, uid, waitForCase, type Stack } from '../support/stack.js';

/** This file's own market (tests share one database): a store credit bonus and a return shipping fee. */
const MARKET = 'CY';
const SUITE = 'portal';
const TEXTS = loadPortalTexts();
/** A text of the page, asserting it exists. */
function tx(lang: keyof typeof TEXTS, key: string): string {
  const value = TEXTS[lang][key];
  if (value === undefined) throw new Error(`no text ${key} in ${lang}`);
  return value;
}
const ADDRESS = { lines: ['Storgata 1'], postalCode: '0155', city: 'Oslo', country: 'NO' };

let stack: Stack;
let server: Awaited<ReturnType<typeof serveOnLoopback>> | undefined;
let base: string;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  const policy = await stack.call(
    'PUT',
    `/v1/policies/${MARKET}`,
    policyRequest({ storeCreditBonusPercent: 10, returnShippingFee: 4_900 }),
  );
  expect(policy.status, JSON.stringify(policy.body)).toBe(200);
  // The app as it runs: its own instance over the stack's database and Temporal, on a real socket.
  const app = createApp({
    db: stack.db,
    temporal: stack.env.client,
    taskQueue: stack.taskQueue,
    adminApiKey: ADMIN_KEY,
    linkSecret: TEST_LINK_SECRET,
    brand: TEST_BRAND,
    settleWaitMs: 5000,
    readiness: { database: () => stack.database.ping(), temporal: async () => undefined },
  });
  server = await serveOnLoopback(app.fetch);
  base = server.base;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await stack?.close();
});

async function putProduct(sku: string, over: Record<string, unknown>) {
  const res = await stack.call('PUT', `/v1/products/${sku}`, {
    category: 'shoes',
    price: 49_900,
    currency: 'NOK',
    stock: 5,
    returnable: true,
    ...over,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** A shoe in three sizes (M bought; L in stock, S sold out) and earrings that cannot be returned. */
async function seedPortalOrder() {
  const skus = { medium: uid('SHOE-M'), large: uid('SHOE-L'), small: uid('SHOE-S'), earrings: uid('EARRING') };
  await putProduct(skus.medium, { name: 'Trail shoe M' });
  await putProduct(skus.large, { name: 'Trail shoe L', variantOf: skus.medium });
  await putProduct(skus.small, { name: 'Trail shoe S', variantOf: skus.medium, stock: 0 });
  await putProduct(skus.earrings, { name: 'Earrings', returnable: false });
  const orderId = uid('ORD');
  const customerId = uid('CUS');
  const email = `${customerId}@example.no`;
  const delivered = new Date(Date.now() - 3 * 86_400_000);
  const order = await stack.call('POST', '/v1/orders', {
    id: orderId,
    customer: { id: customerId, email, name: 'Kari Nordmann', locale: 'nb-NO', country: MARKET, address: ADDRESS },
    currency: 'NOK',
    placedAt: new Date(delivered.getTime() - 2 * 86_400_000).toISOString(),
    deliveredAt: delivered.toISOString(),
    lines: [
      { id: 'L1', sku: skus.medium, name: 'Trail shoe M', quantity: 2, unitPrice: 49_900, vatRate: 25 },
      { id: 'L2', sku: skus.earrings, name: 'Earrings', quantity: 1, unitPrice: 19_900, vatRate: 25 },
    ],
  });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  return { orderId, email, skus };
}

/** A page whose script errors and Content-Security-Policy violations the test collects. */
async function openPage(context: BrowserContext, url: string) {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content.Security.Policy|Refused to/i.test(msg.text())) problems.push(msg.text());
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready=true]');
  return { page, problems };
}

/** Text with Intl's non-breaking spaces as plain ones. */
const norm = (s: string | null) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ');
const text = async (page: Page, selector: string) => norm(await page.textContent(selector));
const untilText = (page: Page, selector: string, expected: string, timeout = 20_000) =>
  page.waitForFunction(
    ([sel, want]) => document.querySelector(sel!)?.textContent?.replace(/[\u00a0\u202f]/g, ' ') === want,
    [selector, expected] as const,
    { timeout },
  );
/** Until the first line's reason list offers `label` (it fails after the timeout, naming nothing else). */
const untilReason = (page: Page, label: string, timeout = 20_000) =>
  page.waitForFunction(
    (want) => [...document.querySelectorAll('#line-0-reason option')].some((o) => o.textContent === want),
    label,
    { timeout },
  );
const fitsWidth = (page: Page) =>
  page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth }));

describe('GET /portal in a real browser', () => {
  it('sign-in, language switch, a return for store credit with label and QR code, followed to completed', async () => {
    const { orderId, email, skus } = await seedPortalOrder();
    const desk = await browser.newContext({ locale: 'nb-NO', viewport: { width: 1024, height: 900 } });
    const phone = await browser.newContext({ locale: 'sv-SE', viewport: { width: 360, height: 740 } });
    try {
      // The browser speaks Norwegian: the page does too.
      const { page, problems } = await openPage(desk, `${base}/portal`);
      expect(await text(page, '#signin-title')).toBe(tx('nb', 'signin.title'));
      expect(await page.getAttribute('html', 'lang')).toBe('nb');
      expect(await text(page, '#shop-name')).toBe(TEST_BRAND.shopName);
      await screenshot(page, SUITE, '01-sign-in-nb');

      // By keyboard: a wrong e-mail is refused with words a customer understands.
      await page.focus('#order-number');
      await page.keyboard.type(orderId);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('order-email');
      await page.keyboard.type('someone.else@example.no');
      await page.keyboard.press('Enter');
      await untilText(page, '#signin-error', tx('nb', 'signin.not_found'));
      expect(await page.isVisible('#order-view')).toBe(false);
      await screenshot(page, SUITE, '02-wrong-email');

      await page.fill('#order-email', email);
      await page.press('#order-email', 'Enter');
      await page.waitForSelector('#order-view:not([hidden])');
      expect(await text(page, '#order-title')).toBe(tx('nb', 'order.title'));
      // Amounts and percentages in Norwegian; what cannot be returned says why.
      expect(await text(page, '[data-line=L1] .facts')).toContain('499,00 kr');
      expect(await text(page, '#refund-credit-hint')).toBe(
        norm(tx('nb', 'refund.store_credit_bonus').replace('{percent}', '10 %')),
      );
      expect(await text(page, '[data-line=L2] .why')).toBe(tx('nb', 'why.not_returnable'));
      expect(await page.$('[data-line=L2] input')).toBeNull();
      expect(await page.inputValue('#address-line1')).toBe('Storgata 1');
      expect(await page.inputValue('#address-city')).toBe('Oslo');
      await screenshot(page, SUITE, '03-order-nb');

      // Switch language: nb → sv → en; the page's texts and the shop's reasons follow.
      await page.selectOption('#lang', 'sv');
      await untilText(page, '#order-title', tx('sv', 'order.title'));
      expect(await page.getAttribute('html', 'lang')).toBe('sv');
      // The shop's reasons come from the API in the new language a moment after the page's own texts.
      await untilReason(page, 'Fel storlek');
      await page.selectOption('#lang', 'en');
      await untilText(page, '#order-title', tx('en', 'order.title'));
      await untilReason(page, 'Wrong size');
      expect(await text(page, '[data-line=L1] .facts')).toContain('NOK 499.00');

      // Pick one of the two shoes, a reason; the fees before confirming (none for defective goods).
      await page.check('#line-0-pick');
      await page.fill('#line-0-qty', '1');
      await page.selectOption('#line-0-reason', 'defective');
      await page.check('#refund-credit');
      expect(await text(page, '#summary-rows')).toContain(tx('en', 'summary.fee_waived'));
      await page.selectOption('#line-0-reason', 'wrong_size');
      const summary = await text(page, '#summary-rows');
      expect(summary).toContain('Return shipping fee: NOK 49.00');
      expect(summary).toContain('Store credit bonus: +10%');
      expect(summary).toContain('Items to return: 1, worth NOK 499.00');
      // An exchange offers only the variants in stock.
      await page.check('#refund-exchange');
      const variants = await page.$$eval('#line-0-variant option', (os) =>
        os.map((o) => ({ value: (o as HTMLOptionElement).value, disabled: (o as HTMLOptionElement).disabled })),
      );
      expect(variants).toEqual(
        expect.arrayContaining([
          { value: skus.large, disabled: false },
          { value: skus.small, disabled: true },
        ]),
      );
      await page.check('#refund-credit');
      expect(await page.isVisible('#exchange-choices')).toBe(false);
      await page.fill('#address-line1', 'Nedre gate 7');
      await page.fill('#note', 'a size too small');
      await screenshot(page, SUITE, '04-order-filled-en');

      // Readable on a phone: nothing wider than 360 px.
      await page.setViewportSize({ width: 360, height: 800 });
      const narrow = await fitsWidth(page);
      expect(narrow.scroll, JSON.stringify(narrow)).toBeLessThanOrEqual(360);
      await screenshot(page, SUITE, '05-order-360px');
      await page.setViewportSize({ width: 1024, height: 900 });

      await page.click('#confirm');
      await page.waitForSelector('#case-view:not([hidden])', { timeout: 20_000 });
      const caseId = await page.evaluate(() => sessionStorage.getItem('portal-case'));
      expect(caseId).toBeTruthy();
      // The first step (the label) may still be under way: the page follows until it is there.
      await untilText(page, '#case-status', tx('en', 'status.awaiting_parcel'));
      await page.waitForSelector('#label-block:not([hidden])');
      expect(await text(page, '#next-step-text')).toMatch(/^Pack the items, .* drop it off at \S+/);
      expect(await text(page, '#next-step .by')).toMatch(/^By \d{1,2} \w+ \d{4}$/);

      // What the customer chose reached the case as they chose it.
      const opened = await getCase(stack, caseId!);
      expect(opened).toMatchObject({
        orderId,
        channel: 'portal',
        method: 'return_to_stock',
        refundMethod: 'store_credit',
        note: 'a size too small',
        lines: [{ orderLineId: 'L1', quantity: 1, reason: 'wrong_size' }],
      });
      const trackingNumber = opened.label!.trackingNumber;
      expect(await text(page, '#label-tracking')).toContain(trackingNumber);

      // The label: a real PDF download, and the QR code on screen (from a blob URL, under the CSP).
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-label')]);
      expect(download.suggestedFilename()).toBe(`return-label-${trackingNumber.replace(/[^A-Za-z0-9_-]/g, '')}.pdf`);
      const pdf = readFileSync((await download.path())!);
      expect(pdf.subarray(0, 4).toString('latin1')).toBe('%PDF');
      expect(pdf.length).toBeGreaterThan(1000);
      await page.waitForFunction(() => {
        const img = document.getElementById('label-qr') as HTMLImageElement;
        return img.src.startsWith('blob:') && img.complete && img.naturalWidth > 100;
      });
      expect(await page.getAttribute('#label-qr', 'alt')).toBe(tx('en', 'label.qr_alt'));
      await screenshot(page, SUITE, '06-label-and-qr');

      // The e-mail link, on a phone with a Swedish browser: straight onto the case, the token out of the address bar.
      const link = portalCaseUrl(base, TEST_LINK_SECRET, orderId, caseId!);
      const mobile = await openPage(phone, link);
      await mobile.page.waitForSelector('#case-view:not([hidden])');
      expect(mobile.page.url()).toBe(`${base}/portal`);
      expect(await text(mobile.page, '#case-status')).toBe(tx('sv', 'status.awaiting_parcel'));
      const phoneWidth = await fitsWidth(mobile.page);
      expect(phoneWidth.scroll, JSON.stringify(phoneWidth)).toBeLessThanOrEqual(360);
      await screenshot(mobile.page, SUITE, '07-email-link-360px-sv');

      // The warehouse scans and inspects; the status page follows by itself.
      await scanParcel(stack, trackingNumber);
      await untilText(mobile.page, '#case-status', tx('sv', 'status.received'));
      expect(await text(mobile.page, '#next-step-text')).toBe(tx('sv', 'next.wait_for_inspection'));
      expect(await mobile.page.isVisible('#label-block')).toBe(false);
      await screenshot(mobile.page, SUITE, '08-received-sv');
      await waitForCase(stack, caseId!, (c) => c.waitingFor === 'inspection');
      await inspectCase(stack, caseId!, inspectionRequest());
      await untilText(mobile.page, '#case-status', tx('sv', 'status.completed'));
      await untilText(page, '#case-status', tx('en', 'status.completed'));
      const steps = await mobile.page.$$eval('#case-steps li', (lis) => lis.map((li) => li.getAttribute('data-state')));
      expect(steps).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
      expect(await text(mobile.page, '#case-steps')).toContain(tx('sv', 'step.credited'));
      expect(await text(mobile.page, '#next-step-text')).toBe(tx('sv', 'next.done'));
      const money = await text(mobile.page, '#case-money');
      expect(money).toMatch(/Tillgodokvitto: [\d ]+,\d\d Nkr/);
      expect(money).toContain('Returfrakt: 49,00 Nkr');
      const doneWidth = await fitsWidth(mobile.page);
      expect(doneWidth.scroll, JSON.stringify(doneWidth)).toBeLessThanOrEqual(360);
      await screenshot(mobile.page, SUITE, '09-completed-360px-sv');
      await screenshot(page, SUITE, '10-completed-en');

      expect([...problems, ...mobile.problems]).toEqual([]);
    } finally {
      await desk.close();
      await phone.close();
    }
  });

  it('a burst of sign-ins for one order gets the rate-limit message with the seconds to wait', async () => {
    const { orderId, email } = await seedPortalOrder();
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1024, height: 800 } });
    try {
      const { page, problems } = await openPage(context, `${base}/portal`);
      expect(await text(page, '#signin-title')).toBe(tx('en', 'signin.title'));
      // Ten sign-ins from this browser within the minute (all allowed) ...
      const statuses = await page.evaluate(
        async ({ orderId, email }) => {
          const out: number[] = [];
          for (let i = 0; i < 10; i++) {
            const res = await fetch('/v1/portal/sessions', {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ orderId, email }),
            });
            out.push(res.status);
          }
          return out;
        },
        { orderId, email },
      );
      expect(statuses).toEqual(Array(10).fill(201));
      // ... and the next one, through the form, is refused with the wait.
      await page.fill('#order-number', orderId);
      await page.fill('#order-email', email);
      await page.click('#signin-submit');
      await page.waitForFunction(() => document.getElementById('signin-error')?.textContent !== '');
      expect(await text(page, '#signin-error')).toMatch(/^Too many attempts\. Try again in \d+ s\.$/);
      expect(await page.isVisible('#order-view')).toBe(false);
      await screenshot(page, SUITE, '11-rate-limited');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the portal page, its texts and its contract', () => {
  it('every text the page uses exists in every language; every API call it makes is documented', async () => {
    const html = portalHtml({ shopName: 'Shop', texts: TEXTS });
    const used = new Set([
      ...[...html.matchAll(/data-t(?:-alt)?="([a-z0-9_.]+)"/g)].map((m) => m[1]!),
      ...[...portalScript.matchAll(/\bt\(\s*'([a-z0-9_.]*[a-z0-9_])'/g)].map((m) => m[1]!),
      ...[...portalScript.matchAll(/'((?:step|refund|summary|order)\.[a-z_]+)'/g)].map((m) => m[1]!),
      ...CASE_STATUSES.map((s) => `status.${s}`),
      ...NEXT_STEPS.map((s) => `next.${s}`),
      ...NOT_RETURNABLE_REASONS.map((s) => `why.${s}`),
      ...REFUND_STATUSES.map((s) => `refund_status.${s}`),
      'lang.name',
    ]);
    for (const lang of CUSTOMER_LANGUAGES)
      for (const key of used) expect(TEXTS[lang][key], `${lang}: ${key}`).toEqual(expect.any(String));

    const doc = (await stack.call('GET', '/openapi.json')).body;
    for (const { method, path } of PORTAL_API_CALLS)
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    expect(doc.paths['/portal']?.get).toBeDefined();

    // Served with a strict policy: its own script only, no inline script, images from itself or blob URLs.
    const page = await stack.app.request('/portal', { headers: { 'accept-language': 'da-DK,da;q=0.9,en;q=0.5' } });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("img-src 'self' blob: data:");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const body = await page.text();
    expect(body).toContain('<html lang="da" data-accept-language="da">');
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const texts = await stack.app.request('/portal/texts/fi');
    expect(await texts.json()).toEqual(TEXTS.fi);
    expect((await stack.app.request('/portal/texts/de')).status).toBe(400);
    for (const asset of ['/portal/app.js', '/portal/app.css'])
      expect((await stack.app.request(asset)).status).toBe(200);
  });
});
