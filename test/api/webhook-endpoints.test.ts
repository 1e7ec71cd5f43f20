import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookDeliveries } from '../../db/schema.js';
import { WEBHOOK_MAX_ATTEMPTS } from '../../workflows/webhook-delivery.js';
import { inspectCase, returnRequest, scanParcel, startReturn, trackingNumberOf } from '../support/requests.js';
import { seedOrder, startStack, uid, waitForCase, type Stack } from '../support/stack.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  answered: number;
}

let stack: Stack;
let receiver: Server;
let base: string;
const received: Received[] = [];
/** webhook-ids that /flaky already failed once. */
const failedOnce = new Set<string>();

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      let status = 200;
      if (req.url === '/down') {
        status = 503;
      } else if (req.url === '/flaky' && !failedOnce.has(id)) {
        failedOnce.add(id);
        status = 500;
      }
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      received.push({ path: req.url ?? '', headers: req.headers, body, json, answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'try again');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  stack = await startStack();
});
afterAll(async () => {
  // With a shared PostgreSQL (DATABASE_URL) other test files' cases would keep calling these.
  if (stack) {
    for (const e of (await stack.call('GET', '/v1/webhook-endpoints')).body?.items ?? []) {
      if (!e.disabledAt && e.url.startsWith(base)) await stack.call('DELETE', `/v1/webhook-endpoints/${e.id}`);
    }
  }
  await stack?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

/** Standard Webhooks verification, written out here rather than borrowed from the code under test. */
function verify(secret: string, r: Received): boolean {
  const id = r.headers['webhook-id'];
  const timestamp = r.headers['webhook-timestamp'];
  const signature = r.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${r.body}`).digest();
  return signature.split(' ').some((s) => {
    const [version, sig] = s.split(',');
    const given = Buffer.from(sig ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

async function waitUntil<T>(what: string, get: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > until)
      throw new Error(
        `timed out waiting for ${what}; received: ${JSON.stringify(received.map((r) => [r.path, r.json?.type]))}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ofCase = (path: string, caseId: string) =>
  received.filter((r) => r.path === path && r.json?.data?.caseId === caseId);

describe('outbound webhooks', () => {
  it('delivers the subscribed events of a case once each, signed, retrying a failed delivery', async () => {
    const main = await stack.call('POST', '/v1/webhook-endpoints', {
      url: `${base}/ok`,
      events: ['return.created', 'return.received', 'credit_note.issued', 'return.completed'],
    });
    expect(main.status).toBe(201);
    expect(main.body).toMatchObject({
      id: expect.any(String),
      url: `${base}/ok`,
      events: ['return.created', 'return.received', 'credit_note.issued', 'return.completed'],
    });
    expect(main.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(main.body.secret.slice(6), 'base64')).toHaveLength(24);

    const flaky = await stack.call('POST', '/v1/webhook-endpoints', {
      url: `${base}/flaky`,
      events: ['return.received'],
    });
    expect(flaky.status).toBe(201);
    const none = await stack.call('POST', '/v1/webhook-endpoints', {
      url: `${base}/none`,
      events: ['shipment.created', 'charge.recorded'],
    });
    expect(none.status).toBe(201);
    const disabled = await stack.call('POST', '/v1/webhook-endpoints', { url: `${base}/disabled`, events: ['*'] });
    expect(disabled.status).toBe(201);
    expect((await stack.call('DELETE', `/v1/webhook-endpoints/${disabled.body.id}`)).status).toBe(204);
    expect((await stack.call('DELETE', '/v1/webhook-endpoints/we_nope')).status).toBe(404);

    const listed = await stack.call('GET', '/v1/webhook-endpoints');
    expect(listed.status).toBe(200);
    const byId = new Map(listed.body.items.map((e: any) => [e.id, e]));
    expect(byId.get(main.body.id)).toMatchObject({ url: `${base}/ok`, disabledAt: null });
    expect(byId.get(disabled.body.id)).toMatchObject({ disabledAt: expect.any(String) });
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');

    // A return to stock, all the way through.
    const { orderId } = await seedOrder(stack, { quantity: 1 });
    const c = await startReturn(stack, returnRequest({ orderId }));
    await scanParcel(stack, trackingNumberOf(c));
    await inspectCase(stack, c.id);
    const done = await waitForCase(stack, c.id, (v) => v.status === 'completed');

    const wanted = ['return.created', 'return.received', 'credit_note.issued', 'return.completed'];
    await waitUntil('the four events', () => wanted.every((t) => ofCase('/ok', c.id).some((r) => r.json.type === t)));
    await waitUntil('the retried delivery', () => ofCase('/flaky', c.id).some((r) => r.answered === 200));
    await new Promise((r) => setTimeout(r, 1500)); // room for any duplicate to show up

    const got = ofCase('/ok', c.id);
    expect(got.map((r) => r.json.type).sort()).toEqual([...wanted].sort());
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(4);
    for (const r of got) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['webhook-id']).toMatch(/^whd_/);
      expect(r.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
      expect(r.headers['webhook-signature']).toMatch(/^v1,/);
      expect(verify(main.body.secret, r)).toBe(true);
      expect(verify(flaky.body.secret, r)).toBe(false); // another endpoint's secret does not verify it
      expect(verify(main.body.secret, { ...r, body: r.body.replace(c.id, 'RC-forged') })).toBe(false);
      expect(r.json).toMatchObject({
        type: expect.any(String),
        timestamp: expect.any(String),
        data: { caseId: c.id, status: expect.any(String) },
      });
    }
    const byType = Object.fromEntries(got.map((r) => [r.json.type, r.json]));
    expect(byType['return.received'].data.status).toBe('received');
    expect(byType['return.completed'].data.status).toBe('completed');
    expect(byType['credit_note.issued'].data).toMatchObject({
      number: done.creditNotes[0]!.number,
      amount: done.creditNotes[0]!.amount,
    });

    // The flaky receiver answered 500 once, then got the same delivery (same id, same body) again.
    const retried = ofCase('/flaky', c.id);
    expect(retried.map((r) => r.answered)).toEqual([500, 200]);
    expect(retried[0]!.headers['webhook-id']).toBe(retried[1]!.headers['webhook-id']);
    expect(retried[1]!.body).toBe(retried[0]!.body);
    expect(retried.every((r) => verify(flaky.body.secret, r))).toBe(true);
    const [row] = await stack.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.id, String(retried[0]!.headers['webhook-id'])));
    expect(row).toMatchObject({
      endpointId: flaky.body.id,
      eventType: 'return.received',
      eventKey: `${c.id}:received`,
      status: 'delivered',
      attempts: 2,
    });
    expect(row!.deliveredAt).toBeInstanceOf(Date);

    const mainRows = await stack.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.endpointId, main.body.id));
    expect(mainRows.filter((r) => r.eventKey.startsWith(`${c.id}:`)).map((r) => [r.status, r.attempts])).toEqual(
      wanted.map(() => ['delivered', 1]),
    );

    // Nothing for an endpoint subscribed to nothing that happened, nor for a disabled one.
    // /none is subscribed to shipments and charges: this case has neither (other suites sharing the
    // database may ship replacements, and those rightly reach it). A disabled endpoint gets nothing at all.
    expect(ofCase('/none', c.id)).toEqual([]);
    expect(received.filter((r) => r.path === '/disabled')).toEqual([]);
    expect(
      await stack.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, none.body.id)),
    ).toEqual([]);
    expect(
      await stack.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, disabled.body.id)),
    ).toEqual([]);
  });

  it('validates the body, naming the field', async () => {
    for (const url of ['not a url', 'ftp://shop.example/hook', 'javascript:alert(1)']) {
      const res = await stack.call('POST', '/v1/webhook-endpoints', { url, events: ['return.created'] });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['url']);
    }
    const unknown = await stack.call('POST', '/v1/webhook-endpoints', {
      url: `${base}/never`,
      events: ['return.teleported'],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors.map((e: { field: string }) => e.field)).toEqual(['events[0]']);
    const empty = await stack.call('POST', '/v1/webhook-endpoints', { url: `${base}/never`, events: [] });
    expect(empty.status).toBe(422);
    expect(empty.body.errors.map((e: { field: string }) => e.field)).toEqual(['events']);
  });

  it('is for admins and managers only', async () => {
    const body = { url: `${base}/roles`, events: ['*'] }; // loopback only: a created endpoint receives real deliveries
    const manager = await stack.call('POST', '/v1/api-keys', { name: 'mgr', role: 'manager' });
    expect((await stack.call('POST', '/v1/webhook-endpoints', body, { key: manager.body.key })).status).toBe(201);
    const marketing = await stack.call('POST', '/v1/api-keys', { name: 'mkt', role: 'marketing' });
    expect((await stack.call('POST', '/v1/webhook-endpoints', body, { key: marketing.body.key })).status).toBe(403);
    expect((await stack.call('GET', '/v1/webhook-endpoints', undefined, { key: marketing.body.key })).status).toBe(403);
    expect((await stack.call('POST', '/v1/webhook-endpoints', body, { key: 'nope' })).status).toBe(401);
  });
});

describe('a delivery that never succeeds', () => {
  it('is attempted the maximum number of times, then marked failed', async () => {
    // Time skipping: the backoff (up to ten minutes between attempts) passes at once.
    const skipping = await startStack({ timeSkipping: true });
    try {
      // A rarely emitted type: on a shared database other suites' cases would be delivered here too.
      const ep = await skipping.call('POST', '/v1/webhook-endpoints', {
        url: `${base}/down`,
        events: ['return.expired'],
      });
      expect(ep.status).toBe(201);
      const deliveryId = uid('whd_test');
      await skipping.db.insert(webhookDeliveries).values({
        id: deliveryId,
        endpointId: ep.body.id,
        eventType: 'return.created',
        eventKey: 'RC-none:started',
        payload: { type: 'return.created', timestamp: new Date().toISOString(), data: { caseId: 'RC-none' } },
        status: 'pending',
      });
      const result = await skipping.env.client.workflow.execute('webhookDelivery', {
        workflowId: `WebhookDelivery:${deliveryId}`,
        taskQueue: skipping.taskQueue,
        args: [{ deliveryId }],
      });
      expect(result).toBe('failed');
      const [row] = await skipping.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
      expect(row).toMatchObject({
        status: 'failed',
        attempts: WEBHOOK_MAX_ATTEMPTS,
        lastError: 'HTTP 503',
        deliveredAt: null,
      });
      expect(received.filter((r) => r.path === '/down' && r.headers['webhook-id'] === deliveryId)).toHaveLength(
        WEBHOOK_MAX_ATTEMPTS,
      );
      expect((await skipping.call('DELETE', `/v1/webhook-endpoints/${ep.body.id}`)).status).toBe(204);
    } finally {
      await skipping.close();
    }
  });
});
