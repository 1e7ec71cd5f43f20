/**
 * API keys (list without hashes, revocation effective at once, last use recorded at most once a
 * minute) and the audit log of state-changing requests (GET /v1/audit, admin only).
 */
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../api/audit.js';
import type { Db } from '../../db/client.js';
import { apiKeys } from '../../db/schema.js';
import { ADMIN_KEY, startStack, uid, type Stack } from '../support/stack.js';

let stack: Stack;
const product = {
  name: 'Audit sweater',
  category: 'apparel',
  price: 1000,
  currency: 'NOK',
  stock: 1,
  returnable: true,
};

async function newKey(role: string) {
  const res = await stack.call('POST', '/v1/api-keys', { name: uid(`${role} audit`), role });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string; role: string; key: string };
}

/** Polls GET /v1/audit (written after the response) until `done` holds. */
async function auditUntil(query: string, done: (items: any[]) => boolean) {
  const until = Date.now() + 10_000;
  for (;;) {
    const res = await stack.call('GET', `/v1/audit?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (done(res.body.items)) return res.body.items as any[];
    if (Date.now() > until) throw new Error(`audit log: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  stack = await startStack({ worker: false });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

describe('API keys', () => {
  it('are listed without keys or hashes; revoked keys are refused at once; DELETE of an unknown key is 404', async () => {
    const k = await newKey('warehouse');
    expect((await stack.call('GET', '/v1/reports/in-transit', undefined, { key: k.key })).status).toBe(200);
    const list = await stack.call('GET', '/v1/api-keys');
    expect(list.status).toBe(200);
    const mine = list.body.items.find((i: any) => i.id === k.id);
    expect(mine).toMatchObject({ id: k.id, name: k.name, role: 'warehouse', revokedAt: null });
    expect(Object.keys(mine).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'role']);
    expect(JSON.stringify(list.body)).not.toContain(k.key);

    expect((await stack.call('DELETE', `/v1/api-keys/${k.id}`, undefined, { key: k.key })).status).toBe(403);
    expect((await stack.call('DELETE', `/v1/api-keys/${k.id}`)).status).toBe(204);
    const refused = await stack.call('GET', '/v1/reports/in-transit', undefined, { key: k.key });
    expect(refused.status).toBe(401);
    expect((await stack.call('DELETE', `/v1/api-keys/${k.id}`)).status).toBe(204); // still revoked
    expect((await stack.call('DELETE', '/v1/api-keys/no-such-key')).status).toBe(404);
    const after = await stack.call('GET', '/v1/api-keys');
    expect(after.body.items.find((i: any) => i.id === k.id).revokedAt).toEqual(expect.any(String));
    expect((await stack.call('GET', '/v1/api-keys', undefined, { key: (await newKey('manager')).key })).status).toBe(
      403,
    );
  });

  it('record their last use, written at most once a minute', async () => {
    const k = await newKey('manager');
    const lastUsed = async () => (await stack.db.select().from(apiKeys).where(eq(apiKeys.id, k.id)))[0]!.lastUsedAt;
    expect(await lastUsed()).toBeNull();
    await stack.call('GET', '/v1/webhook-endpoints', undefined, { key: k.key });
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await stack.call('GET', '/v1/webhook-endpoints', undefined, { key: k.key });
    expect((await lastUsed())!.getTime()).toBe(first!.getTime());
    // A minute later it is written again.
    const aMinuteAgo = new Date(Date.now() - 61_000);
    await stack.db.update(apiKeys).set({ lastUsedAt: aMinuteAgo }).where(eq(apiKeys.id, k.id));
    await stack.call('GET', '/v1/webhook-endpoints', undefined, { key: k.key });
    expect((await lastUsed())!.getTime()).toBeGreaterThan(aMinuteAgo.getTime() + 30_000);
    const listed = (await stack.call('GET', '/v1/api-keys')).body.items.find((i: any) => i.id === k.id);
    expect(listed.lastUsedAt).toEqual(expect.any(String));
  });
});

describe('the audit log', () => {
  it('records who did what, when and the answer, for every state-changing request and no read', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const manager = await newKey('manager');
    const warehouse = await newKey('warehouse');
    const sku = uid('AUDIT');
    expect((await stack.call('PUT', `/v1/products/${sku}`, product, { key: manager.key })).status).toBe(200);
    expect((await stack.call('GET', `/v1/products/${sku}`, undefined, { key: manager.key })).status).toBe(200);
    expect((await stack.call('PUT', `/v1/products/${sku}`, product, { key: warehouse.key })).status).toBe(403);
    expect((await stack.call('PUT', `/v1/products/${sku}`, {}, { key: manager.key })).status).toBe(422);
    expect((await stack.call('PUT', `/v1/products/${sku}`, product, { key: 'rok_wrong' })).status).toBe(401);

    const byManager = await auditUntil(`keyId=${manager.id}`, (items) => items.length >= 2);
    expect(byManager).toHaveLength(2); // the GET is not recorded
    expect(byManager.map((e) => e.status)).toEqual([422, 200]); // newest first
    expect(byManager[1]).toMatchObject({
      keyId: manager.id,
      keyName: manager.name,
      role: 'manager',
      method: 'PUT',
      route: '/v1/products/{sku}',
      resourceId: sku,
      status: 200,
    });
    expect(new Date(byManager[1].at).getTime()).toBeGreaterThanOrEqual(new Date(from).getTime());
    const byWarehouse = await auditUntil(`keyId=${warehouse.id}`, (items) => items.length >= 1);
    expect(byWarehouse).toEqual([expect.objectContaining({ role: 'warehouse', status: 403, resourceId: sku })]);
    const all = await auditUntil(`from=${encodeURIComponent(from)}&limit=500`, (items) =>
      items.some((e) => e.status === 401 && e.resourceId === sku),
    );
    expect(all.find((e) => e.status === 401 && e.resourceId === sku)).toMatchObject({
      keyId: null,
      keyName: null,
      role: null,
      method: 'PUT',
      route: '/v1/products/{sku}',
    });
    // The key creations themselves, by the bootstrap admin key.
    expect(all.find((e) => e.route === '/v1/api-keys' && e.status === 201)).toMatchObject({
      keyId: 'bootstrap-admin',
      role: 'admin',
      method: 'POST',
    });
  });

  it('pages newest first with a cursor, filters by period and key, and is for admins only', async () => {
    const k = await newKey('manager');
    const skus = [uid('PAGE'), uid('PAGE'), uid('PAGE')];
    for (const sku of skus) await stack.call('PUT', `/v1/products/${sku}`, product, { key: k.key });
    await auditUntil(`keyId=${k.id}`, (items) => items.length === 3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `keyId=${k.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await stack.call('GET', `/v1/audit?${q}`);
      expect(page.body.items).toHaveLength(1);
      seen.push(page.body.items[0].resourceId);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...skus].reverse());
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await stack.call('GET', `/v1/audit?keyId=${k.id}&from=${future}`)).body.items).toEqual([]);
    expect((await stack.call('GET', `/v1/audit?keyId=${k.id}&to=${future}`)).body.items).toHaveLength(3);
    expect((await stack.call('GET', '/v1/audit?cursor=nonsense')).status).toBe(400);
    expect((await stack.call('GET', '/v1/audit?limit=0')).status).toBe(400);
    expect((await stack.call('GET', '/v1/audit', undefined, { key: k.key })).status).toBe(403);
    expect((await stack.call('GET', '/v1/audit', undefined, { key: ADMIN_KEY })).status).toBe(200);
  });

  it('a failed audit write never fails the request', async () => {
    const broken = {
      insert: () => {
        throw new Error('database down');
      },
    } as unknown as Db;
    const app = new Hono();
    app.use('*', auditTrail(broken));
    app.post('/v1/things/:id', (c) => c.json({ ok: true }, 201));
    const res = await app.request('/v1/things/t1', { method: 'POST' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true });
  });
});
