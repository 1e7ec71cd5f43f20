/**
 * shared/API.md "Limits (all routes)": 413 above 1 MiB (webhooks included), 429 with Retry-After
 * after 20 failed authentications a minute per IP, per-key and webhook rate limits, 405 with
 * Allow for an undeclared method, and an /openapi.json that declares those answers.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS } from '../../api/access.js';
import { createApp } from '../../api/app.js';
import type { LimitSettings } from '../../api/limits.js';
import { ADMIN_KEY, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack?.close();
});

/** An app of the test's own (its own counters) over the stack's database and Temporal. */
function appWith(limits: Partial<LimitSettings> = {}) {
  return createApp({
    db: stack.db,
    temporal: stack.env.client,
    taskQueue: stack.taskQueue,
    adminApiKey: ADMIN_KEY,
    carrierSecrets: { CARRIER_WEBHOOK_SECRET_GENERIC: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    paymentSecrets: { PAYMENT_WEBHOOK_SECRET_ADYEN: '00112233445566778899aabbccddeeff' },
    limits,
    readiness: { database: async () => {}, temporal: async () => {} },
  });
}

const auth = (key = ADMIN_KEY) => ({ authorization: `Bearer ${key}` });
const json = { 'content-type': 'application/json' };
/** One request through @hono/node-server on a real socket (methods fetch will not send, the peer address). */
async function overHttp(
  app: ReturnType<typeof appWith>,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A JSON body just above 1 MiB. */
const bigBody = () => JSON.stringify({ note: 'x'.repeat(1024 * 1024) });

describe('request body limit', () => {
  let app: ReturnType<typeof appWith>;
  beforeAll(() => {
    app = appWith();
  });

  it.each([
    ['/v1/orders', auth()],
    ['/v1/webhooks/carriers/generic', {}],
    ['/v1/webhooks/payments/stripe', {}],
  ])('POST %s with a body above 1 MiB → 413 problem+json', async (path, headers) => {
    const res = await app.request(path, { method: 'POST', headers: { ...json, ...headers }, body: bigBody() });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { status: number }).status).toBe(413);
  });

  it('a declared Content-Length above 1 MiB is refused before the body is read', async () => {
    const res = await app.request('/v1/webhooks/carriers/easypost', {
      method: 'POST',
      headers: { ...json, 'content-length': String(1024 * 1024 + 1) },
      body: '{}',
    });
    expect(res.status).toBe(413);
  });

  it('a body of exactly 1 MiB is let through (to validation)', async () => {
    const body = JSON.stringify({ note: 'x'.repeat(1024 * 1024 - 11) });
    expect(body.length).toBe(1024 * 1024);
    const res = await app.request('/v1/orders', { method: 'POST', headers: { ...json, ...auth() }, body });
    expect(res.status).toBe(422);
  });
});

describe('rate limits', () => {
  it('20 failed authentications a minute, then 429 with Retry-After (even for a good key)', async () => {
    const app = appWith();
    for (let i = 0; i < 20; i++) {
      const headers = i % 2 ? auth(`wrong-key-${i}`) : {};
      expect((await app.request('/v1/returns', { headers })).status).toBe(401);
    }
    const refused = await app.request('/v1/returns', { headers: auth('wrong-again') });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect((await app.request('/v1/returns', { headers: auth() })).status).toBe(429);
    // Routes without authentication are not affected.
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('successful authentications do not count as failures', async () => {
    const app = appWith({ failedAuthPerMinute: 2 });
    for (let i = 0; i < 5; i++) expect((await app.request('/v1/returns', { headers: auth() })).status).toBe(200);
    expect((await app.request('/v1/returns')).status).toBe(401);
    expect((await app.request('/v1/returns')).status).toBe(401);
    expect((await app.request('/v1/returns')).status).toBe(429);
  });

  it('X-Forwarded-For names the client only with trustProxy', async () => {
    const trusting = appWith({ failedAuthPerMinute: 1, trustProxy: true });
    const from = (ip: string) => ({ 'x-forwarded-for': `${ip}, 10.0.0.1` });
    expect((await trusting.request('/v1/returns', { headers: from('203.0.113.1') })).status).toBe(401);
    expect((await trusting.request('/v1/returns', { headers: from('203.0.113.1') })).status).toBe(429);
    expect((await trusting.request('/v1/returns', { headers: from('203.0.113.2') })).status).toBe(401);

    const plain = appWith({ failedAuthPerMinute: 1 });
    expect((await plain.request('/v1/returns', { headers: from('203.0.113.1') })).status).toBe(401);
    expect((await plain.request('/v1/returns', { headers: from('203.0.113.2') })).status).toBe(429);
  });

  it('per key: over RATE_LIMIT_PER_KEY_PER_MINUTE → 429 with Retry-After', async () => {
    const app = appWith({ perKeyPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await app.request('/v1/returns', { headers: auth() })).status).toBe(200);
    const refused = await app.request('/v1/returns', { headers: auth() });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('webhooks have their own limit, apart from the unauthenticated routes', async () => {
    const app = appWith({ webhooksPerMinute: 3, perIpPerMinute: 1 });
    const deliver = () => app.request('/v1/webhooks/carriers/generic', { method: 'POST', headers: json, body: '{}' });
    for (let i = 0; i < 3; i++) expect((await deliver()).status).toBe(401); // unsigned
    const refused = await deliver();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    // The other counters are untouched: one unauthenticated request, and keyed requests, still pass.
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/healthz')).status).toBe(429);
    expect((await app.request('/v1/returns', { headers: auth() })).status).toBe(200);
  });
});

describe('methods and paths', () => {
  let app: ReturnType<typeof appWith>;
  beforeAll(() => {
    app = appWith();
  });

  it('TRACE /v1/returns → 405 with Allow (over a real socket: fetch refuses TRACE)', async () => {
    const res = await overHttp(app, 'TRACE', '/v1/returns', auth());
    expect(res.status).toBe(405);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const allow = String(res.headers.allow).split(', ');
    expect(allow).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(allow).not.toContain('TRACE');
  });

  it('a path with a parameter: DELETE /v1/returns/{id} → 405 naming its methods', async () => {
    const res = await app.request('/v1/returns/RET-1', { method: 'DELETE', headers: auth() });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
  });

  it('a webhook path: GET → 405 Allow POST', async () => {
    const res = await app.request('/v1/webhooks/carriers/generic');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('an unknown path stays 404', async () => {
    expect((await app.request('/v1/no-such-thing', { headers: auth() })).status).toBe(404);
    expect((await overHttp(app, 'TRACE', '/no-such-thing')).status).toBe(404);
  });

  it('Adyen: a JSON body that is not an object → 401 (not a 500)', async () => {
    const res = await app.request('/v1/webhooks/payments/adyen', { method: 'POST', headers: json, body: 'null' });
    expect(res.status).toBe(401);
  });
});

describe('/openapi.json declares the standard answers', () => {
  it('every operation: 401/403 if secured, 429, and 413/422 if it has a body', async () => {
    const doc = (await (await appWith().request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown; responses: object }>>;
    };
    const missing: string[] = [];
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        operations++;
        const statuses = Object.keys(op.responses);
        // Public operations (api/access.ts) say so with `security: []`, unless they check a credential
        // of their own (the portal's session token), which they then declare.
        const isPublic = ACCESS[`${method.toUpperCase()} ${path}`] === 'public';
        const secured = path.startsWith('/v1/') && (!isPublic || (op.security?.length ?? 0) > 0);
        if (path.startsWith('/v1/') && !isPublic && !op.security?.length) missing.push(`${method} ${path}: security`);
        if (isPublic && !op.security) missing.push(`${method} ${path}: security [] (public)`);
        const want = ['429', ...(secured ? ['401', '403'] : []), ...(op.requestBody ? ['413', '422'] : [])];
        for (const s of want) if (!statuses.includes(s)) missing.push(`${method} ${path}: ${s}`);
      }
    }
    expect(operations).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });
});
