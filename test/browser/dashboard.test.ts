/**
 * The managers' dashboard in a real browser (Debian's chromium via playwright-core), against the
 * real app served over HTTP with a worker and the shared Temporal dev server: a manager finds a
 * stuck case by its tracking number, opens its page, reads why it is stuck, extends its deadline
 * and sees it leave the stuck list; approves an exchange from the list; the charts show the data.
 * Screenshots of each step go to test/artifacts/dashboard/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { returnRequest, scanParcel, startReturn, trackingNumberOf } from '../support/requests.js';
import { launchBrowser, screenshot, serveOnLoopback } from '../support/browser.js';
import { seedOrder, startStack, uid, waitForCase, type Stack } from '../support/stack.js';

// This file's own market: approvals and inspections are overdue after a second.
const MARKET = 'SK';
const SUITE = 'dashboard';
let stack: Stack;
let server: Awaited<ReturnType<typeof serveOnLoopback>> | undefined;
let base: string;
let browser: Browser;
let managerKey: string;

beforeAll(async () => {
  stack = await startStack();
  const policy = await stack.call('PUT', `/v1/policies/${MARKET}`, {
    ...DEFAULT_POLICY,
    market: undefined,
    approvalDeadline: 'PT1S',
    inspectionDeadline: 'PT1S',
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(200);
  managerKey = (await stack.call('POST', '/v1/api-keys', { name: 'Mona Manager', role: 'manager' })).body.key;
  server = await serveOnLoopback(stack.app.fetch);
  base = server.base;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await stack?.close();
});

/** A page that fails the test on any script error or CSP violation. */
async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { page, errors };
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${base}/dashboard`);
  await page.fill('#api-key', managerKey);
  await page.click('#key-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Updated'));
}

describe('the dashboard in chromium', () => {
  it('finds a stuck case by tracking number, reads why, extends its deadline; it leaves the stuck list', async () => {
    const reason = uid('scuffed heel');
    const { orderId } = await seedOrder(stack, { quantity: 1, country: MARKET });
    const started = await startReturn(stack, returnRequest({ orderId, reason }));
    const trackingNumber = trackingNumberOf(started);
    await scanParcel(stack, trackingNumber);
    await waitForCase(stack, started.id, (c) => c.stuck && c.waitingFor === 'inspection');

    const { page, errors } = await newPage();
    await signIn(page);
    expect(await page.textContent('#stuck')).toContain(started.id);

    await page.fill('#search-q', trackingNumber);
    await page.click('#search-form button[type=submit]');
    await page.waitForFunction((id) => document.getElementById('search')?.textContent?.includes(id), started.id);
    expect(await page.locator('#search tbody tr').count()).toBe(1);
    await screenshot(page, SUITE, '1-search-by-tracking-number');

    await page.click(`#search a[href="/dashboard/cases/${started.id}"]`);
    await page.waitForURL(`${base}/dashboard/cases/${started.id}`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Updated'));
    expect(await page.textContent('#stuck-reason')).toBe('not inspected within PT1S');
    expect(await page.textContent('#stuck-since')).toMatch(/since/);
    expect(await page.textContent('#parcels')).toContain(trackingNumber);
    expect(await page.textContent('#lines')).toContain(reason);
    expect(await page.textContent('#emails')).toContain('label');
    expect(await page.textContent('#timeline')).toContain('deadline.missed');
    expect(await page.textContent('#policy')).toContain('"inspectionDeadline": "PT1S"');
    expect(await page.getAttribute('#temporal-link', 'href')).toBe(
      `http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(`ReturnCase:${started.id}`)}`,
    );
    await screenshot(page, SUITE, '2-case-page-stuck');

    const form = page.locator('form[data-action="Extend the deadline"]');
    expect(await form.locator('input[name=extendBy]').inputValue()).toBe('P7D');
    await form.locator('input[name=reason]').fill('warehouse closed for stocktaking');
    await form.locator('button[type=submit]').click();
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Extend the deadline: done');
    expect(await page.isHidden('#stuck-box')).toBe(true);
    expect(await page.textContent('#timeline')).toContain('deadline.extended');
    expect(await page.textContent('#timeline')).toContain('Mona Manager');
    const extended = await waitForCase(stack, started.id, (c) => !c.stuck);
    expect(Date.parse(extended.deadline!)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    await screenshot(page, SUITE, '3-deadline-extended');

    await page.click('a[href="/dashboard"]');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Updated'));
    expect(await page.textContent('#stuck')).not.toContain(started.id);
    expect(await page.textContent('#inspection')).toContain(started.id);
    await screenshot(page, SUITE, '4-left-the-stuck-list');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('approves an exchange without return from the list', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1, unitPrice: 79_900, country: MARKET });
    const sku = uid('SKU');
    await stack.call('PUT', `/v1/products/${sku}`, {
      name: 'Replacement boots',
      category: 'footwear',
      price: 79_900,
      currency: 'NOK',
      stock: 3,
      returnable: true,
    });
    const { id } = await startReturn(
      stack,
      returnRequest({ orderId, method: 'exchange_without_return', replacements: [{ sku, quantity: 1 }] }),
    );
    await waitForCase(stack, id, (c) => c.status === 'awaiting_approval');

    const { page, errors } = await newPage();
    page.on('dialog', (d) => void d.accept('fine by me'));
    await signIn(page);
    const row = page.locator('#approval tbody tr', { hasText: id });
    expect(await row.textContent()).toContain(`1 × ${sku}`);
    await screenshot(page, SUITE, '5-approval-list');
    await row.locator('button', { hasText: 'Approve' }).click();
    const done = await waitForCase(stack, id, (c) => c.status === 'completed');
    expect(done.timeline.find((e) => e.type === 'approved')?.detail).toMatchObject({
      by: 'Mona Manager',
      note: 'fine by me',
    });
    await page.waitForFunction((caseId) => !document.getElementById('approval')?.textContent?.includes(caseId), id);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('draws the charts from the analytics of the seeded cases', async () => {
    const reason = uid('too-narrow');
    for (let i = 0; i < 2; i++) {
      const { orderId } = await seedOrder(stack, { quantity: 1, country: MARKET });
      const c = await startReturn(stack, returnRequest({ orderId, method: 'credit_only', reason }));
      await waitForCase(stack, c.id, (v) => v.status === 'completed');
    }
    const { page, errors } = await newPage();
    await signIn(page);
    await page.waitForFunction(() => {
      const g = (globalThis as unknown as { Chart?: { getChart(id: string): unknown } }).Chart;
      return ['chart-daily', 'chart-categories', 'chart-reasons', 'chart-processing'].every((id) => g?.getChart(id));
    });
    const charts = await page.evaluate((seededReason) => {
      type ChartLike = { data: { labels: string[]; datasets: { label: string; data: number[] }[] } };
      const g = (globalThis as unknown as { Chart: { getChart(id: string): ChartLike } }).Chart;
      const daily = g.getChart('chart-daily').data;
      const reasons = g.getChart('chart-reasons').data;
      const canvas = document.getElementById('chart-daily') as HTMLCanvasElement;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
      return {
        openedToday: daily.datasets.find((d) => d.label === 'opened')!.data.at(-1),
        closedToday: daily.datasets.find((d) => d.label === 'closed')!.data.at(-1),
        days: daily.labels.length,
        seededReason: reasons.datasets[0]!.data[reasons.labels.indexOf(seededReason)],
        painted,
      };
    }, reason);
    expect(charts.days).toBe(30);
    expect(charts.openedToday).toBeGreaterThanOrEqual(2);
    expect(charts.closedToday).toBeGreaterThanOrEqual(2);
    expect(charts.seededReason).toBe(2);
    expect(charts.painted).toBeGreaterThan(1000);
    expect(await page.textContent('#charts-status')).toBe('');
    expect(await page.locator('#campaigns .error').count()).toBe(0);
    await page.locator('#chart-daily').scrollIntoViewIfNeeded();
    await screenshot(page, SUITE, '6-charts');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
