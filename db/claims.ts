/** How much of each order line open or completed cases already claim. */
import { and, eq, notInArray, sql } from 'drizzle-orm';
import { RELEASING_STATUSES } from '../domain/case-status.js';
import type { Db } from './client.js';
import { caseLines, returnCases } from './schema.js';

export async function claimedQuantities(db: Db, orderId: string): Promise<Map<string, number>> {
  const rows = await db
    .select({ orderLineId: caseLines.orderLineId, quantity: sql<string>`sum(${caseLines.quantity})` })
    .from(caseLines)
    .innerJoin(returnCases, eq(returnCases.id, caseLines.caseId))
    .where(and(eq(caseLines.orderId, orderId), notInArray(returnCases.status, [...RELEASING_STATUSES])))
    .groupBy(caseLines.orderLineId);
  return new Map(rows.map((r) => [r.orderLineId, Number(r.quantity)]));
}
