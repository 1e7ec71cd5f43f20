/**
 * The role table (api/access.ts) against the API itself: every operation of /openapi.json × every
 * role, no key, a wrong key and a revoked key — allowed (any status but 401/403) exactly where the
 * table says. An operation missing from the table fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS, allows, openApiTemplate } from '../../api/access.js';
import { createApp } from '../../api/app.js';
import { ROLES, type Role } from '../../domain/roles.js';
import { ADMIN_KEY, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let app: ReturnType<typeof createApp>;
const keys = {} as Record<Role, string>;
let revokedKey = '';
const WRONG_KEY = 'rok_not-a-key-of-this-api-0123456789';

/** Routes served outside the document: the docs, the document itself, the dashboard script, the webhook catch-alls. */
const UNDOCUMENTED = new Set([
  'GET /openapi.json',
  'GET /docs',
  'GET /docs/init.js',
  'GET /docs/assets/{file}',
  'GET /dashboard/app.js',
  'GET /dashboard/case.js',
  'GET /dashboard/vendor/chart.js',
  'POST /v1/webhooks/carriers/{carrier}',
  'POST /v1/webhooks/payments/{provider}',
]);
const isWebhook = (op: string) => op.startsWith('POST /v1/webhooks/');
/** Public, but checked by a credential of their own (a webhook signature, a customer's portal token): may answer 401. */
const checksOwnCredential = (op: string) =>
  isWebhook(op) || (op.includes(' /v1/portal/') && op !== 'POST /v1/portal/sessions');

type Who = { name: string; key?: string; role?: Role };

async function call(method: string, path: string, key?: string): Promise<number> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  const body = ['POST', 'PUT', 'PATCH'].includes(method) ? '{}' : undefined;
  if (body) headers['content-type'] = 'application/json';
  const res = await app.request(path, { method, headers, body });
  await res.arrayBuffer();
  return res.status;
}

let operations: { method: string; template: string; key: string }[] = [];

beforeAll(async () => {
  stack = await startStack({ worker: false });
  // The stack's app with limits out of the way: this walk makes hundreds of refused requests.
  app = createApp({
    db: stack.db,
    temporal: stack.env.client,
    taskQueue: stack.taskQueue,
    adminApiKey: ADMIN_KEY,
    settleWaitMs: 100,
    limits: { perKeyPerMinute: 1e9, perIpPerMinute: 1e9, webhooksPerMinute: 1e9, failedAuthPerMinute: 1e9 },
    readiness: { database: () => stack.database.ping(), temporal: async () => {} },
  });
  for (const role of ROLES) {
    const res = await stack.call('POST', '/v1/api-keys', { name: `${role} (access test)`, role });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    keys[role] = res.body.key;
  }
  const revoked = await stack.call('POST', '/v1/api-keys', { name: 'revoked (access test)', role: 'manager' });
  revokedKey = revoked.body.key;
  expect((await stack.call('DELETE', `/v1/api-keys/${revoked.body.id}`)).status).toBe(204);

  const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
  operations = Object.entries(doc.paths).flatMap(([template, item]) =>
    Object.keys(item)
      .filter((m) => ['get', 'put', 'post', 'patch', 'delete'].includes(m))
      .map((m) => ({ method: m.toUpperCase(), template, key: `${m.toUpperCase()} ${template}` })),
  );
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

describe('the role table', () => {
  it('has an entry for every operation of /openapi.json and every route the app serves, and nothing else', () => {
    expect(operations.length).toBeGreaterThan(40);
    const documented = new Set(operations.map((o) => o.key));
    expect(operations.map((o) => o.key).filter((k) => !(k in ACCESS))).toEqual([]);
    const served = new Set(
      app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${openApiTemplate(r.path)}`),
    );
    expect([...served].filter((k) => !(k in ACCESS))).toEqual([]);
    expect(Object.keys(ACCESS).filter((k) => !documented.has(k) && !served.has(k))).toEqual([]);
    expect(Object.keys(ACCESS).filter((k) => !documented.has(k) && !UNDOCUMENTED.has(k))).toEqual([]);
  });

  it('a route the table does not know is refused, whoever asks', async () => {
    const { accessControl } = await import('../../api/auth.js');
    const { OpenAPIHono } = await import('@hono/zod-openapi');
    const { problem, ProblemError } = await import('../../api/problem.js');
    const access = accessControl(stack.db, ADMIN_KEY, { 'GET /v1/known': ['manager'] });
    const tiny = new OpenAPIHono();
    tiny.onError((err, c) => (err instanceof ProblemError ? problem(c, err.status, err.detail) : c.text('boom', 500)));
    tiny.use('*', access.gate);
    tiny.get('/new-page', (c) => c.text('hello'));
    tiny.use('/v1/*', access.authorize);
    tiny.get('/v1/known', (c) => c.text('known'));
    tiny.get('/v1/new', (c) => c.text('new'));
    const get = async (path: string, key?: string) =>
      (await tiny.request(path, { headers: key ? { authorization: `Bearer ${key}` } : {} })).status;
    expect(await get('/v1/known', keys.manager)).toBe(200);
    expect(await get('/v1/known', keys.warehouse)).toBe(403);
    expect(await get('/v1/known')).toBe(401);
    expect(await get('/v1/new', ADMIN_KEY)).toBe(403);
    expect(await get('/v1/new', keys.manager)).toBe(403);
    expect(await get('/new-page', ADMIN_KEY)).toBe(403);
    expect(await get('/new-page')).toBe(403);
  });

  it('every operation × every role, no key, a wrong key and a revoked key: allowed exactly per the table', async () => {
    const who: Who[] = [
      ...ROLES.map((role) => ({ name: role, key: keys[role], role })),
      { name: 'no key' },
      { name: 'wrong key', key: WRONG_KEY },
      { name: 'revoked key', key: revokedKey },
    ];
    const mismatches: string[] = [];
    for (const op of operations) {
      const access = ACCESS[op.key];
      expect(access, `${op.key} has no entry in api/access.ts`).toBeDefined();
      if (!access) continue;
      const path = op.template.replace(/\{[^}]+\}/g, 'access-test-1');
      const statuses = await Promise.all(who.map((w) => call(op.method, path, w.key)));
      statuses.forEach((status, i) => {
        const w = who[i]!;
        const denied = status === 401 || status === 403;
        if (access === 'public') {
          // The key plays no part: a webhook's signature or a portal token check may still answer 401.
          if (status !== statuses[0]) mismatches.push(`${op.key} as ${w.name}: ${status}, not ${statuses[0]} (public)`);
          if (denied && !checksOwnCredential(op.key)) mismatches.push(`${op.key} as ${w.name}: ${status} (public)`);
          return;
        }
        const expected = w.role === undefined ? 401 : allows(access, w.role) ? 'allowed' : 403;
        const got = denied ? status : 'allowed';
        if (got !== expected) mismatches.push(`${op.key} as ${w.name}: ${status}, expected ${expected}`);
      });
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('carries over the roles the routes had: finance reads money, warehouse inspects, marketing runs campaigns', () => {
    const may = (op: string, role: Role) => allows(ACCESS[op]!, role);
    expect(may('POST /v1/refunds/{id}/retry', 'finance')).toBe(true);
    expect(may('POST /v1/refunds/{id}/retry', 'customer_service')).toBe(false);
    expect(may('POST /v1/returns/{id}/inspection', 'warehouse')).toBe(true);
    // Managers record an inspection on the warehouse's behalf (the dashboard's case page).
    expect(may('POST /v1/returns/{id}/inspection', 'manager')).toBe(true);
    expect(may('POST /v1/returns/{id}/inspection', 'customer_service')).toBe(false);
    expect(may('POST /v1/campaigns', 'marketing')).toBe(true);
    expect(may('GET /v1/campaigns/{id}', 'manager')).toBe(true);
    expect(may('POST /v1/api-keys', 'manager')).toBe(false);
    expect(may('DELETE /v1/api-keys/{id}', 'admin')).toBe(true);
    expect(may('GET /v1/audit', 'finance')).toBe(false);
    expect(ACCESS['GET /v1/orders/{id}']).toBe('any role');
  });
});
