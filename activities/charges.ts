/** Charges to the customer (price differences, unreturned replacements); one per case and purpose. */
import { and, eq } from 'drizzle-orm';
import { charges, returnCases } from '../db/schema.js';
import type { ActivityDeps } from './deps.js';

export function chargeActivities({ db, afterEffect }: ActivityDeps) {
  return {
    async recordCharge(input: { caseId: string; purpose: string; amount: number; currency: string; reason: string }): Promise<{ amount: number; currency: string }> {
      const [c] = await db.select().from(returnCases).where(eq(returnCases.id, input.caseId));
      if (!c) throw new Error(`case ${input.caseId} not found`);
      await db
        .insert(charges)
        .values({ ...input, orderId: c.orderId, customerId: c.customerId })
        .onConflictDoNothing();
      await afterEffect?.('recordCharge', input.caseId);
      const [row] = await db.select().from(charges).where(and(eq(charges.caseId, input.caseId), eq(charges.purpose, input.purpose)));
      return { amount: row!.amount, currency: row!.currency };
    },
  };
}
