import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostResolver } from '../../activities/webhook-targets.js';
import { webhookActivities } from '../../activities/webhooks.js';
import { createApp } from '../../api/app.js';
import { insertWebhookEndpoint } from '../../db/webhook-endpoints.js';
import { webhookDeliveries } from '../../db/schema.js';
import { WEBHOOK_MAX_ATTEMPTS } from '../../workflows/webhook-delivery.js';
import { inspectCase, returnRequest, scanParcel, startReturn, trackingNumberOf } from '../support/requests.js';
import { ADMIN_KEY, seedOrder, startStack, uid, waitForCase, type Stack } from '../support/stack.js';

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
/** Bytes /huge handed to its connection before the client hung up, by webhook-id. */
const hugeWritten = new Map<string, number>();
const HUGE_BYTES = 256 * 1024 * 1024;

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
      if (req.url === '/redirect') status = 302;
      received.push({ path: req.url ?? '', headers: req.headers, body, json, answered: status });
      if (req.url === '/redirect') return res.writeHead(302, { location: `${base}/redirect-target` }).end();
      if (req.url === '/slow') return; // never answers: the client gives up
      if (req.url === '/huge') {
        // 200 at once, then a body far beyond anything worth reading, as fast as the client takes it.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(1024 * 1024, 120);
        let written = 0;
        res.on('close', () => hugeWritten.set(id, written));
        const pump = () => {
          while (written < HUGE_BYTES && !res.destroyed) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
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
  receiver?.closeAllConnections();
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

/** Resolves only the names it was given (tests have no DNS of their own). */
const resolverOf =
  (table: Record<string, string[]>): HostResolver =>
  async (host) => {
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('webhook targets', () => {
  /** The API as configured in production: private targets not allowed. */
  let strict: ReturnType<typeof createApp>;
  const publicDns = resolverOf({
    'hooks.shop.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'sneaky.shop.example': ['127.0.0.1'],
    'split.shop.example': ['93.184.216.34', '10.1.2.3'],
  });
  beforeAll(() => {
    strict = createApp({
      db: stack.db,
      temporal: stack.env.client,
      taskQueue: stack.taskQueue,
      adminApiKey: ADMIN_KEY,
      allowPrivateWebhookTargets: false,
      resolveWebhookHost: publicDns,
      readiness: { database: async () => undefined, temporal: async () => undefined },
    });
  });
  const create = async (url: string) => {
    const res = await strict.request('/v1/webhook-endpoints', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url, events: ['return.expired'] }),
    });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any };
  };
  const deliveryTo = async (url: string) => {
    const endpointId = uid('we_test');
    // Subscribed to nothing: only the deliveries inserted here go to it.
    await insertWebhookEndpoint(stack.db, { id: endpointId, url, events: [], secret: 'whsec_c2VjcmV0' });
    return pendingDelivery(endpointId);
  };
  const pendingDelivery = async (endpointId: string) => {
    const deliveryId = uid('whd_test');
    await stack.db.insert(webhookDeliveries).values({
      id: deliveryId,
      endpointId,
      eventType: 'return.expired',
      eventKey: `RC-none:${deliveryId}`,
      payload: { type: 'return.expired', timestamp: new Date().toISOString(), data: { caseId: 'RC-none' } },
      status: 'pending',
    });
    return deliveryId;
  };
  const rowOf = async (deliveryId: string) =>
    (await stack.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId)))[0]!;
  const calledWith = (deliveryId: string) => received.filter((r) => r.headers['webhook-id'] === deliveryId);

  it('refuses loopback, link-local, private and internal hosts, naming url', async () => {
    for (const url of [
      'http://127.0.0.1/x',
      'http://169.254.169.254/latest',
      'http://10.0.0.1',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://localhost:8080',
      'https://metadata.google.internal/computeMetadata/v1/',
      'http://printer.local/',
      'http://webhooks/',
      'http://sneaky.shop.example/hook', // resolves to 127.0.0.1
      'http://split.shop.example/hook', // one of its addresses is private
      'http://unknown.shop.example/hook', // does not resolve: cannot be shown to be public
    ]) {
      const res = await create(url);
      expect(res.status, url).toBe(422);
      expect(res.type).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['url']);
    }
    const meta = await create('http://169.254.169.254/latest');
    expect(meta.body.errors[0].detail).toBe('the host is a link-local address');
    const sneaky = await create('http://sneaky.shop.example/hook');
    expect(sneaky.body.errors[0].detail).toBe('the host sneaky.shop.example resolves to 127.0.0.1, a loopback address');
  });

  it('accepts a public host, and private ones when the operator allows them', async () => {
    const ok = await create('https://hooks.shop.example/returns');
    expect(ok.status).toBe(201);
    expect((await stack.call('DELETE', `/v1/webhook-endpoints/${ok.body.id}`)).status).toBe(204);
    // The test stack's API is configured with private targets allowed.
    const port = new URL(base).port;
    for (const url of [`http://localhost:${port}/allowed`, `${base}/allowed`]) {
      const allowed = await stack.call('POST', '/v1/webhook-endpoints', { url, events: ['return.expired'] });
      expect(allowed.status, url).toBe(201);
      expect((await stack.call('DELETE', `/v1/webhook-endpoints/${allowed.body.id}`)).status).toBe(204);
    }
  });

  it('refuses at delivery a host that was public at creation and resolves private now, sending nothing', async () => {
    const port = new URL(base).port;
    // Public when created (the API's resolver)…
    const ep = await create(`http://hooks.shop.example:${port}/rebound`);
    expect(ep.status).toBe(201);
    try {
      const deliveryId = await pendingDelivery(ep.body.id);
      // …rebound to the loopback receiver by delivery time: were it not checked, the request would arrive.
      let lookups = 0;
      const rebound: HostResolver = async () => {
        lookups++;
        return [{ address: '127.0.0.1', family: 4 }];
      };
      const deliver = webhookActivities({ db: stack.db, allowPrivateWebhookTargets: false }, { resolve: rebound });
      await expect(deliver.deliverWebhook({ deliveryId })).rejects.toThrow(
        /hooks\.shop\.example resolves to 127\.0\.0\.1, a loopback address/,
      );
      expect(lookups).toBe(1); // one resolution, checked and (had it passed) connected to
      expect(calledWith(deliveryId)).toEqual([]);
      expect(received.some((r) => r.path === '/rebound')).toBe(false);
      expect(await rowOf(deliveryId)).toMatchObject({ status: 'pending', attempts: 1, deliveredAt: null });
      expect((await rowOf(deliveryId)).lastError).toMatch(/^RefusedTargetError: /);
    } finally {
      await stack.call('DELETE', `/v1/webhook-endpoints/${ep.body.id}`);
    }

    // An endpoint created while private targets were allowed is refused once they are not.
    const literal = await deliveryTo(`${base}/literal`);
    const deliver = webhookActivities({ db: stack.db, allowPrivateWebhookTargets: false });
    await expect(deliver.deliverWebhook({ deliveryId: literal })).rejects.toThrow(/loopback address/);
    expect(calledWith(literal)).toEqual([]);
  });

  it('follows no redirect: a 3xx is a failed delivery and its target is never called', async () => {
    const deliveryId = await deliveryTo(`${base}/redirect`);
    const deliver = webhookActivities({ db: stack.db, allowPrivateWebhookTargets: true });
    await expect(deliver.deliverWebhook({ deliveryId })).rejects.toThrow(/HTTP 302/);
    expect(calledWith(deliveryId).map((r) => r.path)).toEqual(['/redirect']);
    expect(received.some((r) => r.path === '/redirect-target')).toBe(false);
    expect(await rowOf(deliveryId)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 302 (redirects are not followed)',
    });
  });

  it('cuts a huge answer off and gives up on a slow one', async () => {
    const deliver = webhookActivities(
      { db: stack.db, allowPrivateWebhookTargets: true },
      { timeoutMs: 1000, maxResponseBytes: 64 * 1024 },
    );
    const huge = await deliveryTo(`${base}/huge`);
    const started = Date.now();
    expect(await deliver.deliverWebhook({ deliveryId: huge })).toBe('delivered'); // the status decides
    expect(Date.now() - started).toBeLessThan(1000);
    await waitUntil('the huge answer to be cut off', () => hugeWritten.has(huge));
    expect(hugeWritten.get(huge)).toBeLessThan(HUGE_BYTES / 4);

    const slow = await deliveryTo(`${base}/slow`);
    const t0 = Date.now();
    await expect(deliver.deliverWebhook({ deliveryId: slow })).rejects.toThrow(/no answer within 1000 ms/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(calledWith(slow)).toHaveLength(1);
    expect(await rowOf(slow)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'TimeoutError: no answer within 1000 ms',
    });
  });
});
