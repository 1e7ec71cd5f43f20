import { createRoute, z } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { insertApiKey } from '../../db/api-keys.js';
import { hashKey, newApiKey, requireRole, ROLES } from '../auth.js';
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

const create = createRoute({
  method: 'post',
  path: '/v1/api-keys',
  tags: ['API keys'],
  summary: 'Create an API key for a role (admin)',
  security: bearer,
  middleware: [requireRole()] as const,
  request: { body: jsonBody(CreateKey) },
  responses: {
    201: jsonResponse(CreatedKey, 'created; the key is shown only here'),
    401: problemResponse('no valid key'),
    403: problemResponse('not an admin'),
    422: problemResponse('invalid body'),
  },
});

export function apiKeyRoutes({ db }: ApiDeps) {
  return newRouter().openapi(create, async (c) => {
    const { name, role } = c.req.valid('json');
    const key = newApiKey();
    const id = randomUUID();
    await insertApiKey(db, { id, name, role, keyHash: hashKey(key) });
    return c.json({ id, name, role, key }, 201);
  });
}
