/** The audit log of state-changing requests (api/audit.ts writes it, GET /v1/audit reads it). */
import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client.js';
import { preparedFor } from './prepared.js';
import { auditLog } from './schema.js';

export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = typeof auditLog.$inferInsert;

/** Every state-changing request writes one: prepared once per handle (planned once per connection). */
const insertQuery = preparedFor((db: Db) => {
  const p = (name: string) => sql.placeholder(name);
  return db
    .insert(auditLog)
    .values({
      id: p('id'),
      at: sql`${p('at')}::timestamptz`,
      keyId: p('keyId'),
      keyName: p('keyName'),
      role: p('role'),
      method: p('method'),
      route: p('route'),
      resourceId: p('resourceId'),
      status: p('status'),
    })
    .prepare('insert_audit_entry');
});

export async function insertAuditEntry(db: Db, entry: NewAuditEntry): Promise<void> {
  await insertQuery(db).execute({
    id: entry.id,
    at: (entry.at ?? new Date()).toISOString(),
    keyId: entry.keyId ?? null,
    keyName: entry.keyName ?? null,
    role: entry.role ?? null,
    method: entry.method,
    route: entry.route,
    resourceId: entry.resourceId ?? null,
    status: entry.status,
  });
}

/** Newest first; `after` is the last entry of the previous page. */
export async function listAuditEntries(
  db: Db,
  q: { from?: Date; to?: Date; keyId?: string; limit: number; after?: { at: Date; id: string } },
): Promise<{ items: AuditEntry[]; last?: AuditEntry }> {
  const where: SQL[] = [];
  if (q.from) where.push(gte(auditLog.at, q.from));
  if (q.to) where.push(lt(auditLog.at, q.to));
  if (q.keyId) where.push(eq(auditLog.keyId, q.keyId));
  if (q.after) {
    where.push(or(lt(auditLog.at, q.after.at), and(eq(auditLog.at, q.after.at), lt(auditLog.id, q.after.id)))!);
  }
  const rows = await db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(q.limit + 1);
  const items = rows.slice(0, q.limit);
  return { items, last: rows.length > q.limit ? items[items.length - 1] : undefined };
}
