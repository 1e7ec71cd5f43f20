/** API keys, stored only as hashes (api/auth.ts). */
import { and, eq, isNull } from 'drizzle-orm';
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
