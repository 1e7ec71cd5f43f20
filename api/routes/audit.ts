import { createRoute, z } from '@hono/zod-openapi';
import { listAuditEntries } from '../../db/audit.js';
import { ROLES } from '../../domain/roles.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { jsonResponse, problemResponse, Timestamp } from '../schemas.js';

const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string().openapi({ description: 'when the request arrived (ISO 8601)' }),
    keyId: z.string().nullable().openapi({ description: 'the API key (`bootstrap-admin`); null without a valid key' }),
    keyName: z.string().nullable(),
    role: z.enum(ROLES).nullable(),
    method: z.string(),
    route: z.string().openapi({ description: 'the route pattern, as in this document', example: '/v1/returns/{id}' }),
    resourceId: z.string().nullable().openapi({ description: "the route's last path parameter" }),
    status: z.number().int().openapi({ description: 'the status answered' }),
  })
  .openapi('AuditEntry');
const AuditPage = z
  .object({ items: z.array(AuditEntrySchema), nextCursor: z.string().nullable() })
  .openapi('AuditPage');
const AuditQuery = z.object({
  from: Timestamp.optional().openapi({ description: 'entries at or after' }),
  to: Timestamp.optional().openapi({ description: 'entries before' }),
  keyId: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().optional(),
});

const list = createRoute({
  method: 'get',
  path: '/v1/audit',
  tags: ['API keys'],
  summary: 'The audit log of state-changing requests, newest first (admin)',
  security: bearer,
  request: { query: AuditQuery },
  responses: { 200: jsonResponse(AuditPage, 'a page'), 400: problemResponse('invalid query') },
});

export function auditRoutes({ db }: ApiDeps) {
  return newRouter().openapi(list, async (c) => {
    const q = c.req.valid('query');
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const page = await listAuditEntries(db, {
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      keyId: q.keyId,
      limit: q.limit,
      after: after ? { at: after.createdAt, id: after.id } : undefined,
    });
    return c.json(
      {
        items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })),
        nextCursor: page.last ? encodeCursor({ createdAt: page.last.at, id: page.last.id }) : null,
      },
      200,
    );
  });
}
