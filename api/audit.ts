/**
 * The audit log: every state-changing request (POST, PUT, PATCH, DELETE) — who (key id, name,
 * role), what (method, route pattern, the resource's path parameter), when and the answer's status
 * — written after the response, never failing it. Requests refused by a rate limit (429) are not
 * recorded, so a flood cannot turn into database writes.
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { insertAuditEntry, type NewAuditEntry } from '../db/audit.js';
import { operationOf } from './access.js';
import type { AuthEnv, Principal } from './auth.js';

export const AUDITED_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function auditTrail(db: Db, logger?: Logger): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (!AUDITED_METHODS.has(c.req.method)) return next();
    const at = new Date();
    try {
      await next();
    } finally {
      const status = c.res.status;
      if (status !== 429) {
        const op = operationOf(c);
        const principal = c.get('principal') as Principal | undefined;
        const params = Object.values(op?.params ?? {});
        const entry: NewAuditEntry = {
          id: randomUUID(),
          at,
          keyId: principal?.keyId ?? null,
          keyName: principal?.name ?? null,
          role: principal?.role ?? null,
          method: c.req.method,
          route: op?.template ?? c.req.path,
          resourceId: params.length ? params[params.length - 1]! : null,
          status,
        };
        logger?.info({ audit: { ...entry, at: at.toISOString() } }, 'state-changing request');
        // After the response: the write is not awaited, and its failure is only logged.
        insertAuditEntry(db, entry).catch((err: unknown) =>
          logger?.error({ err, auditId: entry.id }, 'audit log write failed'),
        );
      }
    }
  };
}
