import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { policies } from '../db/schema.js';
import { DEFAULT_POLICY, type Policy } from '../domain/policy.js';

/** The policy of a market: its own, else `default`'s, else the built-in defaults. */
export async function policyFor(db: Db, market: string): Promise<Policy> {
  for (const m of market === 'default' ? ['default'] : [market, 'default']) {
    const [row] = await db.select().from(policies).where(eq(policies.market, m));
    if (row) return { ...(row.body as Policy), market: m };
  }
  return DEFAULT_POLICY;
}
