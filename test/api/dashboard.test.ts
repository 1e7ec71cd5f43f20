/**
 * The managers' page, driven as a manager would: the real page and script in jsdom, every fetch
 * answered by the real app (API key auth and all), a stuck approval shown and approved by a click.
 */
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_API_CALLS } from '../../dashboard/page.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { eventOf, returnRequest, startReturn } from '../support/requests.js';
import { seedOrder, startStack, uid, waitForCase, type Stack } from '../support/stack.js';

// This file's own market (tests share one database): approvals go stuck after a second.
const MARKET = 'GR';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  expect(
    (
      await stack.call('PUT', `/v1/policies/${MARKET}`, {
        ...DEFAULT_POLICY,
        market: undefined,
        approvalDeadline: 'PT1S',
      })
    ).status,
  ).toBe(200);
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

describe("GET /dashboard (managers' page)", () => {
  it('shows a stuck approval and approves it with a click', async () => {
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
    await waitForCase(stack, id, (c) => c.stuck && c.status === 'awaiting_approval');

    const manager = await stack.call('POST', '/v1/api-keys', { name: 'Mona', role: 'manager' });
    const ui = await openDashboard(manager.body.key);
    try {
      await ui.until(() => ui.text('status').startsWith('Updated'));
      expect(ui.text('stuck')).toContain(id);
      expect(ui.text('stuck')).toContain('no decision within PT1S');
      const row = [...ui.window.document.querySelectorAll('#approval tr')].find((tr) => tr.textContent?.includes(id));
      expect(row?.textContent).toContain(`1 × ${sku}`);
      const approve = [...row!.querySelectorAll('button')].find((b) => b.textContent === 'Approve')!;
      approve.click();
      const done = await waitForCase(stack, id, (c) => c.status === 'completed');
      expect(eventOf(done, 'approved').detail).toMatchObject({ by: 'Mona', note: 'approved from the dashboard' });
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

  it('calls only documented API operations', async () => {
    const doc = (await stack.call('GET', '/openapi.json')).body;
    for (const { method, path } of DASHBOARD_API_CALLS)
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    expect(doc.paths['/dashboard']?.get).toBeDefined();
  });
});
