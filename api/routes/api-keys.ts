import { createRoute, z } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { insertApiKey, listApiKeys, revokeApiKey } from '../../db/api-keys.js';
import { hashKey, newApiKey, ROLES } from '../auth.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { jsonBody, jsonResponse, problemResponse } from '../schemas.js';

const CreateKey = z.object({ name: z.string().min(1).max(200), role: z.enum(ROLES) }).openapi('CreateApiKey');
const CreatedKey = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    key: z.string().openapi({ description: 'shown once; stored only as a hash' }),
  })
  .openapi('ApiKey');
const KeyView = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().openapi({ description: 'recorded at most once a minute' }),
  })
  .openapi('ApiKeyView');
const KeyParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const create = createRoute({
  method: 'post',
  path: '/v1/api-keys',
  tags: ['API keys'],
  summary: 'Create an API key for a role (admin)',
  security: bearer,
  request: { body: jsonBody(CreateKey) },
  responses: {
    201: jsonResponse(CreatedKey, 'created; the key is shown only here'),
    401: problemResponse('no valid key'),
    403: problemResponse('not an admin'),
    422: problemResponse('invalid body'),
  },
});
const list = createRoute({
  method: 'get',
  path: '/v1/api-keys',
  tags: ['API keys'],
  summary: 'Every API key, revoked ones included, without the keys or their hashes (admin)',
  security: bearer,
  responses: {
    200: jsonResponse(z.object({ items: z.array(KeyView) }).openapi('ApiKeyList'), 'the keys, oldest first'),
    401: problemResponse('no valid key'),
    403: problemResponse('not an admin'),
  },
});
const revoke = createRoute({
  method: 'delete',
  path: '/v1/api-keys/{id}',
  tags: ['API keys'],
  summary: 'Revoke an API key: it is refused (401) from the next request on (admin)',
  security: bearer,
  request: { params: KeyParam },
  responses: {
    204: { description: 'revoked (again: still revoked, at the first time)' },
    401: problemResponse('no valid key'),
    403: problemResponse('not an admin'),
    404: problemResponse('no such key'),
  },
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function apiKeyRoutes({ db }: ApiDeps) {
  return newRouter()
    .openapi(create, async (c) => {
      const { name, role } = c.req.valid('json');
      const key = newApiKey();
      const id = randomUUID();
      await insertApiKey(db, { id, name, role, keyHash: hashKey(key) });
      return c.json({ id, name, role, key }, 201);
    })
    .openapi(list, async (c) => {
      const rows = await listApiKeys(db);
      const items = rows.map((r) => ({
        ...r,
        createdAt: r.createdAt.toISOString(),
        revokedAt: iso(r.revokedAt),
        lastUsedAt: iso(r.lastUsedAt),
      }));
      return c.json({ items }, 200);
    })
    .openapi(revoke, async (c) => {
      const { id } = c.req.valid('param');
      if (!(await revokeApiKey(db, id))) throw new ProblemError(404, `no API key ${id}`);
      return c.body(null, 204);
    });
}
