/**
 * Abuse signals end to end through the API: a customer whose returns cross the market's
 * serial-returner threshold, and a blocklisted one — their new goods-back cases wait for a
 * manager's approval with the reason, approved they get their label, rejected they end with the
 * customer's e-mail; flags, figures and consent on the customer card; analytics by `flagged`.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseLines, orders, outboundEmails, returnCases, stockMovements } from '../../db/schema.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import {
  eventOf,
  expectProblem,
  getCase,
  inspectCase,
  inspectionRequest,
  policyRequest,
  returnRequest,
  scanParcel,
  startReturn,
  trackingNumberOf,
  type CaseDetail,
} from '../support/requests.js';
import { startStack, uid, waitForCase, type Stack } from '../support/stack.js';

// This file's own market (tests share one database): serial returner from 50 % of the value and 2 returns.
const MARKET = 'BE';
const PRICE = 10_000;

let stack: Stack;
const keys: Record<string, string> = {};
const startedAt = new Date();
beforeAll(async () => {
  stack = await startStack();
  const policy = await stack.call('PUT', `/v1/policies/${MARKET}`, {
    ...policyRequest(),
    serialReturnerRate: 0.5,
    serialReturnerMinCases: 2,
  });
  expect(policy.status).toBe(200);
  expect(policy.body).toMatchObject({ serialReturnerRate: 0.5, serialReturnerMinCases: 2 });
  for (const role of ['manager', 'warehouse', 'customer_service', 'marketing']) {
    const res = await stack.call('POST', '/v1/api-keys', { name: `${role} ${uid('key')}`, role });
    expect(res.status).toBe(201);
    keys[role] = res.body.key;
  }
});
afterAll(async () => {
  await stack?.close();
});

const as = (role: string) => ({ key: keys[role]! });

async function product(stock = 20) {
  const sku = uid('SKU');
  const res = await stack.call('PUT', `/v1/products/${sku}`, {
    name: 'Rain jacket',
    category: 'apparel',
    price: PRICE,
    currency: 'EUR',
    stock,
    returnable: true,
  });
  expect(res.status).toBe(200);
  return sku;
}

function newCustomer() {
  const id = uid('CUS');
  return { id, email: `${id}@example.be`, name: 'Jan Peeters', locale: 'nl-BE', country: MARKET };
}

/** An order of one unit of `sku` (line L1), delivered 3 days ago. */
async function order(customer: ReturnType<typeof newCustomer>, sku: string) {
  const id = uid('ORD');
  const delivered = new Date(Date.now() - 3 * 86_400_000);
  const res = await stack.call('POST', '/v1/orders', {
    id,
    customer,
    currency: 'EUR',
    placedAt: new Date(delivered.getTime() - 86_400_000).toISOString(),
    deliveredAt: delivered.toISOString(),
    lines: [{ id: 'L1', sku, name: 'Rain jacket', quantity: 1, unitPrice: PRICE, vatRate: 21 }],
  });
  expect(res.status).toBe(201);
  return id;
}

const card = async (customerId: string) => {
  const res = await stack.call('GET', `/v1/customers/${customerId}`);
  expect(res.status).toBe(200);
  return res.body;
};

const mailKinds = async (caseId: string) =>
  (await stack.db.select().from(outboundEmails).where(eq(outboundEmails.caseId, caseId))).map((m) => m.kind);

/** The case's e-mails once one of `kind` is among them (sent by an activity after the status moved). */
async function mailsOnceSent(caseId: string, kind: string): Promise<string[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const kinds = await mailKinds(caseId);
    if (kinds.includes(kind) || Date.now() > until) return kinds;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A return that gets its label at once, received and inspected in `condition`. */
async function completedReturn(orderId: string, condition: 'new' | 'damaged'): Promise<CaseDetail> {
  const opened = await startReturn(stack, returnRequest({ orderId }));
  const labelled = await waitForCase(stack, opened.id, (v) => v.status === 'awaiting_parcel' && v.label !== null);
  expect(labelled.approvalReason).toBeNull();
  expect((await scanParcel(stack, trackingNumberOf(labelled))).status).toBe('received');
  await inspectCase(
    stack,
    opened.id,
    inspectionRequest({ condition, disposition: condition === 'new' ? 'restock' : 'scrap' }),
  );
  return waitForCase(stack, opened.id, (v) => v.status === 'completed');
}

const flaggedCases: string[] = [];

describe('a serial returner by the policy', () => {
  const customer = newCustomer();
  let sku: string;
  let orderIds: string[];

  beforeAll(async () => {
    sku = await product();
    orderIds = [await order(customer, sku), await order(customer, sku), await order(customer, sku)];
    // Below the threshold (0, then 1 return): labels at once.
    await completedReturn(orderIds[0]!, 'damaged');
    await completedReturn(orderIds[1]!, 'new');
  });

  it('shows the figures on the card: a serial returner from the second return', async () => {
    const before = await card(customer.id);
    // 2 returns of 3 ordered units of the same price: 2/3 of the value; 1 of the 2 ended returns damaged.
    expect(before.abuseSignals).toEqual({
      returnsLast12Months: 2,
      returnRateByValue: 0.6667,
      damagedOrMissingShare: 0.5,
      serialReturner: true,
    });
    expect(before.flags).toEqual([]);
  });

  it('holds the next return for approval with the reason; approved, it gets its label and goes on as usual', async () => {
    const opened = await startReturn(stack, returnRequest({ orderId: orderIds[2]! }));
    flaggedCases.push(opened.id);
    expect(opened).toMatchObject({ status: 'awaiting_approval', waitingFor: 'approval', label: null });
    expect(opened.approvalReason).toMatch(/^serial returner: 2 returns in 12 months, 66\.7 % of the ordered value/);
    expect(opened.approvalReason).toContain(`policy ${MARKET}`);
    const waiting = await getCase(stack, opened.id);
    expect(eventOf(waiting, 'status.awaiting_approval').detail).toEqual({ reason: opened.approvalReason });
    expect(await mailKinds(opened.id)).not.toContain('label');

    // The case counts on the card at once; now every unit ordered is in a return.
    expect((await card(customer.id)).abuseSignals).toMatchObject({ returnsLast12Months: 3, returnRateByValue: 1 });

    expectProblem(
      await stack.call('POST', `/v1/returns/${opened.id}/approval`, { approved: true }, as('customer_service')),
      403,
    );
    const approved = await stack.call(
      'POST',
      `/v1/returns/${opened.id}/approval`,
      { approved: true, note: 'regular customer' },
      as('manager'),
    );
    expect(approved.status).toBe(200);
    const labelled = await waitForCase(stack, opened.id, (v) => v.status === 'awaiting_parcel' && v.label !== null);
    expect(labelled.approvalReason).toBe(opened.approvalReason);
    expect(eventOf(labelled, 'approved').detail).toMatchObject({ note: 'regular customer' });
    expect(await mailsOnceSent(opened.id, 'label')).toContain('label');
    // Approval only opened the gate: a second decision is refused, a cancel still works.
    expectProblem(
      await stack.call('POST', `/v1/returns/${opened.id}/approval`, { approved: true }, as('manager')),
      409,
    );
    const cancelled = await stack.call('POST', `/v1/returns/${opened.id}/cancel`, { reason: 'customer kept it' });
    expect(cancelled.status).toBe(200);
    await waitForCase(stack, opened.id, (v) => v.status === 'cancelled');
  });
});

describe('a blocklisted customer', () => {
  const customer = newCustomer();
  let sku: string;
  let replacement: string;
  let orderId: string;
  let flagId: string;

  beforeAll(async () => {
    [sku, replacement] = await Promise.all([product(), product()]);
    orderId = await order(customer, sku);
  });

  it('is put on the blocklist by a manager only', async () => {
    const path = `/v1/customers/${customer.id}/flags`;
    expectProblem(await stack.call('POST', path, { reason: 'chargebacks' }, as('warehouse')), 403);
    expectProblem(await stack.call('GET', path, undefined, as('warehouse')), 403);
    expectProblem(await stack.call('POST', path, { reason: 'chargebacks' }, as('customer_service')), 403);
    expectProblem(await stack.call('POST', path, { reason: '' }, as('manager')), 422, 'reason');
    expectProblem(await stack.call('POST', path, {}, as('manager')), 422, 'reason');
    expectProblem(
      await stack.call('POST', `/v1/customers/${uid('NOBODY')}/flags`, { reason: 'x' }, as('manager')),
      404,
    );

    const res = await stack.call('POST', path, { reason: 'three chargebacks in 2026' }, as('manager'));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^FLG-/),
      kind: 'blocklist',
      reason: 'three chargebacks in 2026',
      createdBy: expect.stringMatching(/^manager /),
      createdAt: expect.any(String),
      clearedAt: null,
      clearedBy: null,
    });
    flagId = res.body.id;
    const listed = await stack.call('GET', path, undefined, as('customer_service'));
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([res.body]);
    const onCard = await card(customer.id);
    expect(onCard.flags).toEqual([res.body]);
    expect(onCard.abuseSignals).toEqual({
      returnsLast12Months: 0,
      returnRateByValue: 0,
      damagedOrMissingShare: 0,
      serialReturner: false,
    });
  });

  it('holds an exchange for approval; rejected, it ends with the e-mail', async () => {
    const opened = await startReturn(
      stack,
      returnRequest({ orderId, method: 'exchange', replacements: [{ sku: replacement, quantity: 1 }] }),
    );
    flaggedCases.push(opened.id);
    expect(opened).toMatchObject({ status: 'awaiting_approval', waitingFor: 'approval', label: null });
    expect(opened.approvalReason).toBe('blocklisted: three chargebacks in 2026');
    const rejected = await stack.call(
      'POST',
      `/v1/returns/${opened.id}/approval`,
      { approved: false, note: 'blocklisted' },
      as('manager'),
    );
    expect(rejected.status).toBe(200);
    const done = await waitForCase(stack, opened.id, (v) => v.status === 'rejected');
    expect(done.label).toBeNull();
    expect(await mailsOnceSent(opened.id, 'rejected')).toEqual(['rejected']);
  });

  it('does not hold a credit-only case: no goods come back', async () => {
    const opened = await startReturn(
      stack,
      returnRequest({ orderId, method: 'credit_only', creditAmount: 1_000, reason: 'late' }),
    );
    const done = await waitForCase(stack, opened.id, (v) => v.status === 'completed');
    expect(done.approvalReason).toBeNull();
  });

  it('once cleared, the next case gets its label at once', async () => {
    const path = `/v1/customers/${customer.id}/flags/${flagId}`;
    expectProblem(await stack.call('DELETE', path, undefined, as('warehouse')), 403);
    expectProblem(
      await stack.call('DELETE', `/v1/customers/${customer.id}/flags/${uid('FLG')}`, undefined, as('manager')),
      404,
    );
    const cleared = await stack.call('DELETE', path, undefined, as('manager'));
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ id: flagId, clearedAt: expect.any(String), clearedBy: expect.any(String) });
    // Clearing again changes nothing.
    expect((await stack.call('DELETE', path, undefined, as('manager'))).body).toEqual(cleared.body);
    expect((await card(customer.id)).flags).toEqual([]);
    expect((await stack.call('GET', `/v1/customers/${customer.id}/flags`)).body.items).toEqual([cleared.body]);

    // The rejected exchange released the unit: it can come back now, without waiting.
    const opened = await startReturn(stack, returnRequest({ orderId }));
    const labelled = await waitForCase(stack, opened.id, (v) => v.status === 'awaiting_parcel' && v.label !== null);
    expect(labelled.approvalReason).toBeNull();
  });

  it('records marketing consent from customer service and shows it on the card', async () => {
    const path = `/v1/customers/${customer.id}`;
    expect((await card(customer.id)).marketingConsent).toBe(false);
    expectProblem(await stack.call('PATCH', path, { marketingConsent: true }, as('warehouse')), 403);
    expectProblem(await stack.call('PATCH', path, { marketingConsent: true }, as('marketing')), 403);
    expectProblem(
      await stack.call('PATCH', path, { marketingConsent: 'yes' }, as('customer_service')),
      422,
      'marketingConsent',
    );
    expectProblem(await stack.call('PATCH', `/v1/customers/${uid('NOBODY')}`, { marketingConsent: true }), 404);

    const given = await stack.call('PATCH', path, { marketingConsent: true }, as('customer_service'));
    expect(given.status).toBe(200);
    expect(given.body).toMatchObject({
      id: customer.id,
      marketingConsent: true,
      marketingConsentAt: expect.any(String),
    });
    const again = await stack.call('PATCH', path, { marketingConsent: true }, as('manager'));
    expect(again.body.marketingConsentAt).toBe(given.body.marketingConsentAt); // unchanged: given once
    expect(await card(customer.id)).toMatchObject({
      marketingConsent: true,
      marketingConsentAt: given.body.marketingConsentAt,
    });

    const withdrawn = await stack.call('PATCH', path, { marketingConsent: false }, as('customer_service'));
    expect(withdrawn.body.marketingConsent).toBe(false);
    expect(Date.parse(withdrawn.body.marketingConsentAt)).toBeGreaterThanOrEqual(
      Date.parse(given.body.marketingConsentAt),
    );
  });
});

describe('the figures', () => {
  it('count expired exchanges whose replacement went out as missing, and leave out cancelled and old cases', async () => {
    // History seeded in SQL: what the API would take months to make.
    const customer = newCustomer();
    const sku = await product();
    const [shipped, cancelled, old] = [
      await order(customer, sku),
      await order(customer, sku),
      await order(customer, sku),
    ];
    const longAgo = new Date(Date.now() - 400 * 86_400_000);
    // The third order and its case are 13 months old: outside the window.
    await stack.db.update(orders).set({ placedAt: longAgo }).where(eq(orders.id, old));
    const seed = async (orderId: string, status: 'expired' | 'cancelled', createdAt = new Date()) => {
      const id = uid('RET');
      await stack.db.insert(returnCases).values({
        id,
        orderId,
        customerId: customer.id,
        method: 'exchange',
        channel: 'portal',
        status,
        currency: 'EUR',
        policy: DEFAULT_POLICY,
        createdAt,
        closedAt: new Date(),
      });
      await stack.db
        .insert(caseLines)
        .values({ caseId: id, orderId, orderLineId: 'L1', sku, quantity: 1, reason: 'size' });
      return id;
    };
    const expired = await seed(shipped, 'expired');
    await stack.db.insert(stockMovements).values({
      caseId: expired,
      orderLineId: 'L1',
      sku,
      quantity: -1,
      location: 'shipped',
      value: PRICE,
      currency: 'EUR',
    });
    await seed(cancelled, 'cancelled');
    await seed(old, 'expired', longAgo);
    // 1 return (the expired one), 1 of 2 units ordered in the window returned, that one went missing.
    expect((await card(customer.id)).abuseSignals).toEqual({
      returnsLast12Months: 1,
      returnRateByValue: 0.5,
      damagedOrMissingShare: 1,
      serialReturner: false,
    });
  });

  it('group analytics by flagged', async () => {
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await stack.call(
      'GET',
      `/v1/analytics/returns?from=${startedAt.toISOString()}&to=${to}&groupBy=flagged`,
      undefined,
      as('manager'),
    );
    expect(res.status).toBe(200);
    expect(res.body.groupBy).toBe('flagged');
    // Only this file flags customers, and the period starts with it: its two held cases.
    const flagged = res.body.groups.find((g: { key: string }) => g.key === 'flagged');
    expect(flagged).toMatchObject({ cases: 2, units: 2 });
    expect(res.body.groups.find((g: { key: string }) => g.key === 'not_flagged').cases).toBeGreaterThanOrEqual(4);
    expect(flaggedCases).toHaveLength(2);
  });
});
