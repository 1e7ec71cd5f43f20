/**
 * The managers' pages and the API they stand on. The overview page driven as a manager would: the
 * real page and script in jsdom, every fetch answered by the real app (API key auth and all), a
 * stuck approval shown and approved by a click. Then what only the dashboard asks of the API:
 * extending a case's deadline, searching cases, and cases opened and closed per day.
 */
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_API_CALLS } from '../../dashboard/api-calls.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import {
  eventOf,
  expectProblem,
  getCase,
  inspectionRequest,
  returnRequest,
  scanParcel,
  startReturn,
  trackingNumberOf,
} from '../support/requests.js';
import { seedOrder, startStack, uid, waitForCase, type Stack } from '../support/stack.js';

// This file's own market (tests share one database): approvals and inspections go stuck after a second.
const MARKET = 'GR';
let stack: Stack;
let manager: { key: string; id: string; name: string };
beforeAll(async () => {
  stack = await startStack();
  expect(
    (
      await stack.call('PUT', `/v1/policies/${MARKET}`, {
        ...DEFAULT_POLICY,
        market: undefined,
        approvalDeadline: 'PT1S',
        inspectionDeadline: 'PT1S',
      })
    ).status,
  ).toBe(200);
  const name = uid('Mona');
  const res = await stack.call('POST', '/v1/api-keys', { name, role: 'manager' });
  expect(res.status).toBe(201);
  manager = { key: res.body.key, id: res.body.id, name };
});
afterAll(async () => {
  await stack?.close();
});

/** Loads /dashboard and its script into a browser-like window whose fetch goes to the app. */
async function openDashboard(key: string) {
  const page = await stack.app.request('/dashboard');
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await page.text();
  expect(html).toContain('<script type="module" src="/dashboard/app.js">');
  const script = await stack.app.request('/dashboard/app.js');
  expect(script.headers.get('content-type')).toContain('javascript');

  const dom = new JSDOM(html, { url: 'http://returns.test/dashboard', runScripts: 'outside-only' });
  const { window } = dom;
  window.sessionStorage.setItem('returns-api-key', key);
  const alerts: string[] = [];
  Object.assign(window, {
    fetch: (path: string, init: RequestInit) => stack.app.request(path, init),
    prompt: () => 'approved from the dashboard',
    alert: (m: string) => alerts.push(m),
  });
  window.eval(await script.text());
  const text = (id: string) => window.document.getElementById(id)?.textContent ?? '';
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(done(), `status: ${text('status')}`).toBe(true);
  };
  return { window, text, until, alerts, close: () => window.close() };
}

/** A replacement product and an exchange-without-return case above the limit: it waits for a manager. */
async function caseAwaitingApproval(): Promise<{ id: string; sku: string }> {
  const { orderId } = await seedOrder(stack, { quantity: 1, unitPrice: 79_900, country: MARKET });
  const sku = uid('SKU');
  await stack.call('PUT', `/v1/products/${sku}`, {
    name: 'Replacement',
    category: 'apparel',
    price: 79_900,
    currency: 'NOK',
    stock: 2,
    returnable: true,
  });
  const { id } = await startReturn(
    stack,
    returnRequest({
      orderId,
      method: 'exchange_without_return',
      replacements: [{ sku, quantity: 1 }],
      reason: 'broken zip',
    }),
  );
  return { id, sku };
}

describe("GET /dashboard (managers' page)", () => {
  it('shows a stuck approval, linked to its page, and approves it with a click', async () => {
    const { id, sku } = await caseAwaitingApproval();
    await waitForCase(stack, id, (c) => c.stuck && c.status === 'awaiting_approval');

    const ui = await openDashboard(manager.key);
    try {
      await ui.until(() => ui.text('status').startsWith('Updated'));
      expect(ui.text('stuck')).toContain(id);
      expect(ui.text('stuck')).toContain('no decision within PT1S');
      const link = ui.window.document.querySelector<HTMLAnchorElement>(`#stuck a[href="/dashboard/cases/${id}"]`);
      expect(link?.textContent).toBe(id);
      const row = [...ui.window.document.querySelectorAll('#approval tr')].find((tr) => tr.textContent?.includes(id));
      expect(row?.textContent).toContain(`1 × ${sku}`);
      const approve = [...row!.querySelectorAll('button')].find((b) => b.textContent === 'Approve')!;
      approve.click();
      const done = await waitForCase(stack, id, (c) => c.status === 'completed');
      expect(eventOf(done, 'approved').detail).toMatchObject({ by: manager.name, note: 'approved from the dashboard' });
      // The page reloads after the decision: the case has left both lists.
      await ui.until(() => !ui.text('approval').includes(id) && !ui.text('stuck').includes(id));
      expect(ui.alerts).toEqual([]);
    } finally {
      ui.close();
    }
  });

  it("shows the API's refusal for a key without the role", async () => {
    const marketing = await stack.call('POST', '/v1/api-keys', { name: 'Mads', role: 'marketing' });
    const ui = await openDashboard(marketing.body.key);
    try {
      await ui.until(() => ui.window.document.getElementById('status')?.className === 'error');
      expect(ui.text('status')).toMatch(/role|forbidden|not allowed/i);
    } finally {
      ui.close();
    }
  });

  it('serves the case page, its script and chart.js under the same CSP, without a key', async () => {
    const page = await stack.app.request('/dashboard/cases/RC-anything');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/dashboard/case.js">');
    expect(html).toContain('<meta name="temporal-ui" content="http://localhost:8233">');
    const script = await stack.app.request('/dashboard/case.js');
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain("'/v1/returns/' + enc(caseId)");
    const chart = await stack.app.request('/dashboard/vendor/chart.js');
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toContain('javascript');
    const source = await chart.text();
    expect(source.length).toBeGreaterThan(100_000);
    expect(source).toMatch(/Chart/);
    expectProblem(await stack.call('GET', '/dashboard/cases/bad%20id'), 400);
  });

  it('calls only documented API operations', async () => {
    const doc = (await stack.call('GET', '/openapi.json')).body;
    for (const { method, path } of DASHBOARD_API_CALLS)
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    expect(doc.paths['/dashboard']?.get).toBeDefined();
    expect(doc.paths['/dashboard/cases/{id}']?.get).toBeDefined();
  });
});

/** A return to stock whose parcel is in: it waits for its inspection (PT1S in this market), then stuck. */
async function receivedCase() {
  const { orderId, customerId } = await seedOrder(stack, { quantity: 1, country: MARKET });
  const started = await startReturn(stack, returnRequest({ orderId }));
  const trackingNumber = trackingNumberOf(started);
  await scanParcel(stack, trackingNumber);
  return { id: started.id, orderId, customerId, trackingNumber };
}

describe('POST /v1/returns/:id/deadline', () => {
  const extend = (id: string, body: unknown, key = manager.key) =>
    stack.call('POST', `/v1/returns/${id}/deadline`, body, { key });

  it('moves a stuck wait, records who did it, and the wait re-arms on the new deadline', async () => {
    const { id } = await receivedCase();
    const stuck = await waitForCase(stack, id, (c) => c.stuck && c.waitingFor === 'inspection');
    expect(stuck.stuckReason).toBe('not inspected within PT1S');

    expectProblem(await extend(id, { extendBy: 'a week', reason: 'x' }), 422, 'extendBy');
    expectProblem(await extend(id, { extendBy: 'PT0S', reason: 'x' }), 422, 'extendBy');
    expectProblem(await extend(id, { extendBy: 'P7D' }), 422, 'reason');
    const warehouse = await stack.call('POST', '/v1/api-keys', { name: 'Wilma', role: 'warehouse' });
    expectProblem(await extend(id, { extendBy: 'P7D', reason: 'x' }, warehouse.body.key), 403);
    expectProblem(await extend(uid('RC'), { extendBy: 'P7D', reason: 'x' }), 404);

    const before = Date.now();
    const res = await extend(id, { extendBy: 'PT3S', reason: 'the warehouse is short-staffed' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'received', waitingFor: 'inspection', stuck: false, stuckReason: null });
    // The old deadline had passed: the new one counts from now.
    const deadline = Date.parse(res.body.deadline);
    expect(deadline).toBeGreaterThanOrEqual(before + 3000 - 1000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 3000 + 1000);
    expect(eventOf(res.body, 'deadline.extended').detail).toMatchObject({
      waitingFor: 'inspection',
      from: stuck.deadline,
      to: res.body.deadline,
      extendBy: 'PT3S',
      reason: 'the warehouse is short-staffed',
      wasStuck: true,
      by: manager.name,
      byKeyId: manager.id,
    });
    const stuckList = await stack.call('GET', `/v1/returns?stuck=true&q=${id}`, undefined, { key: manager.key });
    expect(stuckList.body.items).toEqual([]);

    // The extension runs out too: stuck again, with the same reason, once the new deadline passed.
    const again = await waitForCase(stack, id, (c) => c.stuck, 15_000);
    expect(Date.now()).toBeGreaterThanOrEqual(deadline - 50);
    expect(again.stuckReason).toBe('not inspected within PT1S');
    expect(again.timeline.filter((e) => e.type === 'deadline.missed')).toHaveLength(2);

    // A manager records the inspection on the warehouse's behalf; then there is nothing left to extend.
    const inspected = await stack.call('POST', `/v1/returns/${id}/inspection`, inspectionRequest(), {
      key: manager.key,
    });
    expect(inspected.status, JSON.stringify(inspected.body)).toBe(200);
    const done = await waitForCase(stack, id, (c) => c.status === 'completed');
    expect(eventOf(done, 'inspected').detail).toMatchObject({ by: manager.name });
    expectProblem(await extend(id, { extendBy: 'P7D', reason: 'too late' }), 409);
  }, 60_000);

  it('adds to a deadline still ahead, keeping the case on its way', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1, country: MARKET });
    const started = await startReturn(stack, returnRequest({ orderId }));
    const waiting = await waitForCase(stack, started.id, (c) => c.waitingFor === 'parcel');
    const res = await extend(started.id, { extendBy: 'P7D', reason: 'customer is abroad' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(Date.parse(res.body.deadline) - Date.parse(waiting.deadline!)).toBe(7 * 86_400_000);
    expect(res.body).toMatchObject({ status: 'awaiting_parcel', stuck: false });
    // The parcel still comes in as usual.
    const received = await scanParcel(stack, trackingNumberOf(started));
    expect(received.status).toBe('received');
  });

  it('answers 409 when the case waits for nothing with a deadline', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1, country: MARKET });
    const credit = await startReturn(stack, returnRequest({ orderId, method: 'credit_only' }));
    await waitForCase(stack, credit.id, (c) => c.status === 'completed');
    const res = expectProblem(await extend(credit.id, { extendBy: 'P7D', reason: 'x' }), 409);
    expect(res.detail).toMatch(/no longer running|waits for nothing/);
  });
});

describe('GET /v1/returns?q= and filters', () => {
  it('finds a case by its id, order id, customer e-mail or tracking number, and filters', async () => {
    const a = await receivedCase();
    const { orderId: otherOrder } = await seedOrder(stack, { quantity: 1, country: MARKET });
    const b = await startReturn(stack, returnRequest({ orderId: otherOrder, channel: 'store' }));
    const search = async (query: string) => {
      const res = await stack.call('GET', `/v1/returns?${query}`, undefined, { key: manager.key });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items.map((c: { id: string }) => c.id);
    };
    expect(await search(`q=${a.id}`)).toEqual([a.id]);
    expect(await search(`q=${a.orderId}`)).toEqual([a.id]);
    expect(await search(`q=${a.trackingNumber}`)).toEqual([a.id]);
    expect(await search(`q=${encodeURIComponent(`${a.customerId}@EXAMPLE.no`)}`)).toEqual([a.id]);
    expect(await search(`q=${uid('nothing')}`)).toEqual([]);
    expect(await search(`q=${b.id}&channel=store&market=${MARKET}`)).toEqual([b.id]);
    expect(await search(`q=${b.id}&channel=portal`)).toEqual([]);
    expect(await search(`q=${b.id}&market=NO`)).toEqual([]);
    expect(await search(`q=${b.id}&status=awaiting_parcel&method=return_to_stock&stuck=false`)).toEqual([b.id]);
    expectProblem(await stack.call('GET', '/v1/returns?channel=fax'), 400, 'channel');

    // The case view carries the e-mails sent about the case.
    const view = await getCase(stack, a.id);
    expect(view.emails?.map((m) => m.kind)).toEqual(expect.arrayContaining(['label', 'received']));
    expect(view.emails?.[0]?.recipient).toBe(`${a.customerId}@example.no`);
  });
});

describe('GET /v1/analytics/daily', () => {
  it("counts this market's cases opened and closed per UTC day, days without any included", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - 2 * 86_400_000).toISOString();
    const to = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString();
    const daily = async () => {
      const res = await stack.call('GET', `/v1/analytics/daily?from=${from}&to=${to}&market=${MARKET}`, undefined, {
        key: manager.key,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.days.map((d: { date: string }) => d.date)).toHaveLength(3);
      return res.body.days.at(-1) as { date: string; opened: number; closed: number };
    };
    const before = await daily();
    expect(before.date).toBe(today);
    const { orderId } = await seedOrder(stack, { quantity: 1, country: MARKET });
    const credit = await startReturn(stack, returnRequest({ orderId, method: 'credit_only' }));
    await waitForCase(stack, credit.id, (c) => c.status === 'completed');
    const after = await daily();
    expect(after.opened).toBeGreaterThanOrEqual(before.opened + 1);
    expect(after.closed).toBeGreaterThanOrEqual(before.closed + 1);
    expectProblem(await stack.call('GET', `/v1/analytics/daily?from=${to}&to=${from}`), 400, 'to');
    expectProblem(await stack.call('GET', `/v1/analytics/daily?from=2020-01-01T00:00:00Z&to=${to}`), 400, 'to');
  });
});
