/** How much of each order line's goods open or completed cases already claim (credit-only cases move no goods). */
import { and, eq, ne, notInArray, sql } from 'drizzle-orm';
import { RELEASING_STATUSES } from '../domain/case-status.js';
import type { Db } from './client.js';
import { caseLines, creditNotes, returnCases } from './schema.js';

export async function claimedQuantities(db: Db, orderId: string): Promise<Map<string, number>> {
  const rows = await db
    .select({ orderLineId: caseLines.orderLineId, quantity: sql<string>`sum(${caseLines.quantity})` })
    .from(caseLines)
    .innerJoin(returnCases, eq(returnCases.id, caseLines.caseId))
    .where(
      and(
        eq(caseLines.orderId, orderId),
        notInArray(returnCases.status, [...RELEASING_STATUSES]),
        ne(returnCases.method, 'credit_only'),
      ),
    )
    .groupBy(caseLines.orderLineId);
  return new Map(rows.map((r) => [r.orderLineId, Number(r.quantity)]));
}

/** How much has been credited per order line so far, over every credit note of the order. */
export async function creditedAmounts(db: Db, orderId: string): Promise<Map<string, number>> {
  const notes = await db.select({ lines: creditNotes.lines }).from(creditNotes).where(eq(creditNotes.orderId, orderId));
  const credited = new Map<string, number>();
  for (const n of notes)
    for (const l of n.lines) credited.set(l.orderLineId, (credited.get(l.orderLineId) ?? 0) + l.amount);
  return credited;
}
