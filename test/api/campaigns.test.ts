/**
 * Follow-up campaigns through the API and a real campaign workflow. The database is shared with
 * other test files, so checks look at this file's own customers; counts are checked for consistency.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignMessages } from '../../db/schema.js';
import { inspectCase, returnRequest, scanParcel, startReturn, trackingNumberOf } from '../support/requests.js';
import { seedOrder, startStack, uid, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function completedReturn() {
  const { orderId, customerId, sku } = await seedOrder(stack, { quantity: 1 });
  const c = await startReturn(stack, returnRequest({ orderId, channel: 'portal' }));
  await scanParcel(stack, trackingNumberOf(c));
  await waitForCase(stack, c.id, (v) => v.status === 'received');
  await inspectCase(stack, c.id);
  await waitForCase(stack, c.id, (v) => v.status === 'completed');
  return { customerId, sku };
}

async function runCampaign(body: object) {
  const res = await stack.call('POST', '/v1/campaigns', body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const id = res.body.id as string;
  for (let i = 0; i < 100; i++) {
    const got = await stack.call('GET', `/v1/campaigns/${id}`);
    if (got.body.status === 'completed') {
      expect(got.body.total).toBe(got.body.sent + got.body.skipped + got.body.failed);
      return got.body;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`campaign ${id} did not complete`);
}

const messageOf = async (campaignId: string, customerId: string) =>
  (
    await stack.db
      .select()
      .from(campaignMessages)
      .where(and(eq(campaignMessages.campaignId, campaignId), eq(campaignMessages.customerId, customerId)))
  )[0];

describe('POST /v1/campaigns', () => {
  it('e-mails customers who returned and did not buy again, once, and respects the frequency cap', async () => {
    const returned = await completedReturn();
    const rebought = await completedReturn();
    // The second customer orders again after the return: not in the segment.
    const again = await stack.call('POST', '/v1/orders', {
      id: uid('ORD'),
      customer: {
        id: rebought.customerId,
        email: `${rebought.customerId}@example.no`,
        name: 'Kari Nordmann',
        locale: 'nb-NO',
        country: 'NO',
      },
      currency: 'NOK',
      placedAt: new Date().toISOString(),
      lines: [{ id: 'L1', sku: rebought.sku, name: 'Wool sweater', quantity: 1, unitPrice: 79_900, vatRate: 25 }],
    });
    expect(again.status).toBe(201);

    const first = await runCampaign({
      name: 'We miss you',
      segment: { kind: 'returned_without_repurchase', days: 1 },
      template: 'Hello {{name}}, 10 % off your next order.',
    });
    expect(first).toMatchObject({ name: 'We miss you', segment: { kind: 'returned_without_repurchase', days: 1 } });
    expect(first.sent).toBeGreaterThanOrEqual(1);
    expect(await messageOf(first.id, returned.customerId)).toMatchObject({ status: 'sent' });
    expect(await messageOf(first.id, rebought.customerId)).toBeUndefined();
    const mails = readdirSync(stack.mailDir).filter((f) => f.startsWith(`campaign.${first.id}.${returned.customerId}`));
    expect(mails).toHaveLength(1);
    const eml = readFileSync(join(stack.mailDir, mails[0]!), 'utf8');
    expect(eml).toContain('Subject: We miss you');
    expect(eml).toContain('Hello Kari Nordmann, 10 % off your next order.');

    // A second campaign right after: the customer was just contacted, so skipped.
    const second = await runCampaign({
      name: 'Still missing you',
      segment: { kind: 'returned_without_repurchase', days: 1 },
      template: 'Hi {{name}}',
    });
    expect(await messageOf(second.id, returned.customerId)).toMatchObject({
      status: 'skipped',
      detail: expect.stringContaining(first.id),
    });
    expect(second.skipped).toBeGreaterThanOrEqual(1);
  });

  it('targets completed exchanges', async () => {
    const { orderId, customerId } = await seedOrder(stack, { quantity: 1, unitPrice: 19_900 });
    const sku = uid('SKU');
    await stack.call('PUT', `/v1/products/${sku}`, {
      name: 'Other size',
      category: 'apparel',
      price: 19_900,
      currency: 'NOK',
      stock: 3,
      returnable: true,
    });
    const c = await startReturn(
      stack,
      returnRequest({
        orderId,
        method: 'exchange_without_return',
        replacements: [{ sku, quantity: 1 }],
        reason: 'wrong size',
      }),
    );
    await waitForCase(stack, c.id, (v) => v.status === 'completed');
    const returned = await completedReturn();

    const exchanged = await runCampaign({
      name: 'How is the new size?',
      segment: { kind: 'completed_exchange' },
      template: 'Hi {{name}}',
      subject: 'Your exchange',
    });
    expect(exchanged.segment.days).toBe(30);
    expect(await messageOf(exchanged.id, customerId)).toMatchObject({ status: 'sent' });
    expect(await messageOf(exchanged.id, returned.customerId)).toBeUndefined();
  });

  it('validates the body naming the field, is for marketing, and 404s an unknown campaign', async () => {
    const bad = await stack.call('POST', '/v1/campaigns', { name: 'x', segment: { kind: 'everyone' }, template: 'hi' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('segment.kind');
    const noTemplate = await stack.call('POST', '/v1/campaigns', {
      name: 'x',
      segment: { kind: 'credit_only', days: 0 },
    });
    expect(noTemplate.status).toBe(422);
    expect(noTemplate.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['segment.days', 'template']);
    const agent = await stack.call('POST', '/v1/api-keys', { name: 'Agent', role: 'customer_service' });
    expect(
      (
        await stack.call(
          'POST',
          '/v1/campaigns',
          { name: 'x', segment: { kind: 'credit_only' }, template: 'hi' },
          { key: agent.body.key },
        )
      ).status,
    ).toBe(403);
    expect((await stack.call('GET', '/v1/campaigns/CMP-unknown')).status).toBe(404);
  });
});
