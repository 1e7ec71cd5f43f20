/**
 * Follow-up campaigns through the API and a real campaign workflow. The database is shared with
 * other test files, so checks look at this file's own customers; counts are checked for consistency.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailSender, type OutgoingMail } from '../../activities/mail-transport.js';
import { unsubscribeUrl } from '../../links/customer-links.js';
import { campaignMessages, customers } from '../../db/schema.js';
import { inspectCase, returnRequest, scanParcel, startReturn, trackingNumberOf } from '../support/requests.js';
import { seedOrder, startStack, TEST_LINK_SECRET, uid, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
/** Every campaign e-mail the worker sent (also written to stack.mailDir as .eml). */
const sent: OutgoingMail[] = [];
beforeAll(async () => {
  stack = await startStack({ worker: false });
  const files = createMailSender({ mailDir: stack.mailDir });
  await stack.startWorker({
    mail: {
      async send(mail) {
        if (mail.messageId.startsWith('<campaign.')) sent.push(mail);
        await files.send(mail);
      },
    },
  });
});
afterAll(async () => {
  await stack?.close();
});

/** Marketing e-mail needs consent (set here in SQL; the shop sends it with the order). */
async function consent(customerId: string) {
  await stack.db
    .update(customers)
    .set({ marketingConsent: true, marketingConsentAt: new Date() })
    .where(eq(customers.id, customerId));
}

async function completedReturn({ consenting = true } = {}) {
  const { orderId, customerId, sku } = await seedOrder(stack, { quantity: 1 });
  if (consenting) await consent(customerId);
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
    const silent = await completedReturn({ consenting: false });
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
    expect(await messageOf(first.id, silent.customerId)).toBeUndefined(); // never consented
    expect(sent.filter((m) => m.to.startsWith(silent.customerId))).toEqual([]);
    const mails = readdirSync(stack.mailDir).filter((f) => f.startsWith(`campaign.${first.id}.${returned.customerId}`));
    expect(mails).toHaveLength(1);
    const eml = readFileSync(join(stack.mailDir, mails[0]!), 'utf8');
    expect(eml).toContain('Subject: We miss you');
    expect(eml).toContain('Hello Kari Nordmann, 10 % off your next order.');

    // RFC 8058: the link in the headers, one-click by POST, and the same link in the body.
    const parsed = await simpleParser(eml);
    const header = (name: string) => parsed.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n[ \t]+/g, ' ');
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const link = /<(http:\/\/returns\.test\/v1\/unsubscribe\?token=[^>\s]+)>/.exec(
      header('list-unsubscribe') ?? '',
    )?.[1];
    expect(link, header('list-unsubscribe')).toBeDefined();
    expect(parsed.text).toContain(link);
    expect(parsed.html).toContain(link!.replace(/&/g, '&amp;'));
    expect(parsed.text).toContain('melde deg av'); // the footer in the customer's language (nb-NO)
    const path = link!.replace('http://returns.test', '');
    const oneClick = await stack.app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200); // no API key
    const [after] = await stack.db.select().from(customers).where(eq(customers.id, returned.customerId));
    expect(after?.marketingConsent).toBe(false);
    const page = await stack.app.request(path);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('Du er meldt av');
    const forged = await stack.app.request(`/v1/unsubscribe?token=${path.split('token=')[1]!.slice(0, -2)}xx`);
    expect(forged.status).toBe(404);
    expect(await forged.text()).toContain('not valid');
    expect((await stack.app.request('/v1/unsubscribe', { method: 'POST' })).status).toBe(404);
    expect((await stack.app.request(unsubscribeUrl('', TEST_LINK_SECRET, uid('CUS')))).status).toBe(404);
    await consent(returned.customerId);

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
    await consent(customerId);
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

/**
 * `count` consenting customers `<prefix>-001…` in bulk SQL, each with a return_to_stock case
 * completed an hour ago and no order since (the `returned_without_repurchase` segment).
 */
async function seedSegment(prefix: string, count: number, from = 1) {
  const id = sql`${prefix} || '-' || lpad(n::text, 3, '0')`;
  const range = sql`generate_series(${from}::int, ${from + count - 1}::int) n`;
  await stack.db.execute(sql`
    insert into customers (id, email, name, locale, country, marketing_consent, marketing_consent_at)
    select ${id}, ${id} || '@example.test', 'Customer ' || n, 'sv-SE', 'SE', true, now() from ${range}`);
  await stack.db.execute(sql`
    insert into orders (id, customer_id, currency, placed_at, body_hash, body)
    select ${id} || '-O', ${id}, 'SEK', now() - interval '9 days', 'seeded', '{}'::jsonb from ${range}`);
  await stack.db.execute(sql`
    insert into return_cases (id, order_id, customer_id, method, channel, status, currency, policy, created_at, closed_at)
    select ${id} || '-R', ${id} || '-O', ${id}, 'return_to_stock', 'portal', 'completed', 'SEK', '{}'::jsonb,
      now() - interval '5 days', now() - interval '1 hour'
    from ${range}`);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(from + i).padStart(3, '0')}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sentTo = (ids: string[]) => sent.filter((m) => ids.some((id) => m.to === `${id}@example.test`));

async function waitForCampaign(id: string, done: (v: any) => boolean, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const got = await stack.call('GET', `/v1/campaigns/${id}`);
    if (done(got.body)) return got.body;
    if (Date.now() > until) throw new Error(`campaign ${id}: ${JSON.stringify(got.body)}`);
    await sleep(100);
  }
}

describe('campaign control', () => {
  it('pauses (nothing sent), skips who unsubscribed meanwhile, resumes and finishes; list and progress', async () => {
    const ids = await seedSegment(uid('PAUSE'), 30);
    const marketing = await stack.call('POST', '/v1/api-keys', { name: 'Marketing', role: 'marketing' });
    const key = marketing.body.key as string;
    const res = await stack.call(
      'POST',
      '/v1/campaigns',
      {
        name: 'Paced',
        segment: { kind: 'returned_without_repurchase', days: 1 },
        template: 'Hej {{name}}',
        ratePerMinute: 300,
      },
      { key },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const id = res.body.id as string;

    // 300 a minute: about 5 a second. Pause after the first batch.
    for (let i = 0; sentTo(ids).length < 5; i++) {
      if (i > 200) throw new Error('nothing sent');
      await sleep(50);
    }
    const paused = await stack.call('POST', `/v1/campaigns/${id}/pause`, undefined, { key });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    await sleep(500); // a batch already under way may finish
    const atPause = sentTo(ids).length;
    expect(atPause).toBeLessThan(30);

    // Unsubscribed through the link while paused: no API key.
    const [{ customerId: leaver } = { customerId: '' }] = await stack.db
      .select({ customerId: campaignMessages.customerId })
      .from(campaignMessages)
      .where(and(eq(campaignMessages.campaignId, id), eq(campaignMessages.status, 'pending')))
      .limit(1);
    expect(ids).toContain(leaver);
    const page = await stack.app.request(unsubscribeUrl('', TEST_LINK_SECRET, leaver));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Du är avregistrerad');

    await sleep(1500);
    expect(sentTo(ids).length).toBe(atPause);
    const view = await stack.call('GET', `/v1/campaigns/${id}`, undefined, { key });
    expect(view.body).toMatchObject({ status: 'paused', ratePerMinute: 300 });
    expect(view.body.pending).toBeGreaterThan(0);
    expect(view.body.progress).toBeGreaterThan(0);
    expect(view.body.progress).toBeLessThan(1);
    const listed = await stack.call('GET', '/v1/campaigns', undefined, { key });
    expect(listed.status).toBe(200);
    expect(listed.body.items.find((c: { id: string }) => c.id === id)).toMatchObject({ status: 'paused' });
    expect((await stack.call('POST', `/v1/campaigns/${id}/pause`, undefined, { key })).status).toBe(409);

    expect((await stack.call('POST', `/v1/campaigns/${id}/resume`, undefined, { key })).body.status).toBe('running');
    const done = await waitForCampaign(id, (v) => v.status === 'completed');
    expect(done).toMatchObject({ pending: 0, progress: 1 });
    expect(await messageOf(id, leaver)).toMatchObject({ status: 'skipped', detail: 'unsubscribed' });
    const mails = sentTo(ids).map((m) => m.to);
    expect(mails).toHaveLength(29);
    expect(new Set(mails).size).toBe(29);
    expect(mails).not.toContain(`${leaver}@example.test`);
    // Over: nothing to control any more.
    for (const action of ['pause', 'resume', 'cancel']) {
      expect((await stack.call('POST', `/v1/campaigns/${id}/${action}`, undefined, { key })).status).toBe(409);
    }
    const agent = await stack.call('POST', '/v1/api-keys', { name: 'Agent', role: 'customer_service' });
    expect((await stack.call('POST', `/v1/campaigns/${id}/pause`, undefined, { key: agent.body.key })).status).toBe(
      403,
    );
    expect((await stack.call('POST', '/v1/campaigns/CMP-unknown/cancel')).status).toBe(404);
  });

  it('re-runs on a schedule for new members only, and a cancel stops it and its schedule', async () => {
    const prefix = uid('SCHED');
    const first = await seedSegment(prefix, 3);
    const res = await stack.call('POST', '/v1/campaigns', {
      name: 'Weekly',
      segment: { kind: 'returned_without_repurchase', days: 1 },
      template: 'Hej {{name}}',
      schedule: 'PT1S',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const id = res.body.id as string;
    const schedule = stack.env.client.schedule.getHandle(`campaign-${id}`);
    expect((await schedule.describe()).spec.intervals?.[0]?.every).toBe(1000);

    for (let i = 0; sentTo(first).length < 3; i++) {
      if (i > 200) throw new Error('first run sent nothing');
      await sleep(50);
    }
    const joined = await seedSegment(prefix, 2, 4);
    for (let i = 0; sentTo(joined).length < 2; i++) {
      if (i > 300) throw new Error('the scheduled re-run did not reach the new members');
      await sleep(50);
    }
    await sleep(2500); // more re-runs: nobody gets it twice
    const mails = sentTo([...first, ...joined]).map((m) => m.to);
    expect(mails).toHaveLength(5);
    expect(new Set(mails).size).toBe(5);

    const cancelled = await stack.call('POST', `/v1/campaigns/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', schedule: 'PT1S' });
    await expect(schedule.describe()).rejects.toThrow();
    const late = await seedSegment(prefix, 1, 6);
    await sleep(2000);
    expect(sentTo(late)).toEqual([]);
    expect((await stack.call('GET', `/v1/campaigns/${id}`)).body.status).toBe('cancelled');
  });

  it('validates schedule and rate', async () => {
    const bad = await stack.call('POST', '/v1/campaigns', {
      name: 'x',
      segment: { kind: 'credit_only' },
      template: 'hi',
      schedule: 'every day',
      ratePerMinute: 0,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['ratePerMinute', 'schedule']);
  });
});
