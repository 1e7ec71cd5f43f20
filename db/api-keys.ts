/** API keys, stored only as hashes (api/auth.ts). */
import { and, asc, eq, isNull, lt, or } from 'drizzle-orm';
import type { Role } from '../domain/roles.js';
import type { Db } from './client.js';
import { apiKeys } from './schema.js';

export async function insertApiKey(
  db: Db,
  key: { id: string; name: string; role: Role; keyHash: string },
): Promise<void> {
  await db.insert(apiKeys).values(key);
}

/** The key with this hash, unless it was revoked. */
export async function activeApiKey(db: Db, keyHash: string) {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)));
  return row;
}

/** Every key, oldest first, without its hash. */
export function listApiKeys(db: Db) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      role: apiKeys.role,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
}

/** Revokes the key (once: a second revocation keeps the first time); false when there is no such key. */
export async function revokeApiKey(db: Db, id: string, at = new Date()): Promise<boolean> {
  const [row] = await db.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, id));
  if (!row) return false;
  if (!row.revokedAt) await db.update(apiKeys).set({ revokedAt: at }).where(eq(apiKeys.id, id));
  return true;
}

/** Records a use of the key unless one was recorded less than `everyMs` ago (keeps writes to one a minute). */
export async function touchApiKey(db: Db, id: string, now = new Date(), everyMs = 60_000): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiKeys.id, id),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - everyMs))),
      ),
    );
}
