/** Loads what return analytics (domain/analytics.ts) needs for the cases opened in [start, end). */
import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { AnalyticsInput } from '../domain/analytics.js';
import type { Db } from './client.js';
import { caseLines, creditNotes, orderLines, orders, products, returnCases } from './schema.js';

export async function loadAnalyticsInput(db: Db, start: Date, end: Date): Promise<AnalyticsInput> {
  const [cases, sales] = await Promise.all([
    db
      .select()
      .from(returnCases)
      .where(and(gte(returnCases.createdAt, start), lt(returnCases.createdAt, end))),
    db
      .select({ sku: orderLines.sku, units: sql<string>`sum(${orderLines.quantity})` })
      .from(orderLines)
      .innerJoin(orders, eq(orders.id, orderLines.orderId))
      .where(and(gte(orders.placedAt, start), lt(orders.placedAt, end)))
      .groupBy(orderLines.sku),
  ]);
  const ids = cases.map((c) => c.id);
  const [lines, notes] = ids.length
    ? await Promise.all([
        db.select().from(caseLines).where(inArray(caseLines.caseId, ids)),
        db.select().from(creditNotes).where(inArray(creditNotes.caseId, ids)),
      ])
    : [[], []];
  const skus = [...new Set([...lines.map((l) => l.sku), ...sales.map((s) => s.sku)])];
  const known = skus.length
    ? await db
        .select({ sku: products.sku, category: products.category })
        .from(products)
        .where(inArray(products.sku, skus))
    : [];
  const byCase = <T extends { caseId: string }>(rows: T[]) => {
    const map = new Map<string, T[]>();
    for (const r of rows) map.set(r.caseId, [...(map.get(r.caseId) ?? []), r]);
    return map;
  };
  const linesOf = byCase(lines);
  const notesOf = byCase(notes);
  return {
    cases: cases.map((c) => ({
      id: c.id,
      method: c.method,
      channel: c.channel,
      status: c.status,
      createdAt: c.createdAt,
      closedAt: c.closedAt,
      lines: linesOf.get(c.id) ?? [],
      notes: (notesOf.get(c.id) ?? []).map((n) => ({
        amount: n.amount,
        currency: n.currency,
        lines: n.lines.map((l) => ({ orderLineId: l.orderLineId, amount: l.amount })),
      })),
    })),
    // Sums come back as text (bigint) from PostgreSQL.
    sold: new Map(sales.map((s) => [s.sku, Number(s.units)])),
    categories: new Map(known.map((p) => [p.sku, p.category])),
  };
}
