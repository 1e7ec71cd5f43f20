/** Return policies per market. */
import { eq } from 'drizzle-orm';
import { DEFAULT_POLICY, type Policy } from '../domain/policy.js';
import type { Db } from './client.js';
import { policies } from './schema.js';

/** The policy of a market: its own, else `default`'s, else the built-in defaults. */
export async function policyFor(db: Db, market: string): Promise<Policy> {
  for (const m of market === 'default' ? ['default'] : [market, 'default']) {
    const [row] = await db.select().from(policies).where(eq(policies.market, m));
    if (row) return { ...row.body, market: m };
  }
  return DEFAULT_POLICY;
}

export async function savePolicy(db: Db, market: string, body: Policy): Promise<void> {
  await db
    .insert(policies)
    .values({ market, body })
    .onConflictDoUpdate({ target: policies.market, set: { body, updatedAt: new Date() } });
}
