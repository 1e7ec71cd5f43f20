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
      flagged: c.approvalReason !== null,
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

export interface DailyCount {
  /** UTC day, YYYY-MM-DD. */
  date: string;
  opened: number;
  closed: number;
}

/** Cases opened and closed (any final status) per UTC day of [start, end), zeros included; optionally one market's. */
export async function dailyOpenedClosed(
  db: Db,
  start: Date,
  end: Date,
  opts: { market?: string } = {},
): Promise<DailyCount[]> {
  const inMarket = opts.market ? sql`${returnCases.policy} ->> 'market' = ${opts.market}` : sql`true`;
  const perDay = (column: typeof returnCases.createdAt | typeof returnCases.closedAt) =>
    db
      .select({
        day: sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD')`,
        n: sql<string>`count(*)`,
      })
      .from(returnCases)
      .where(and(gte(column, start), lt(column, end), inMarket))
      .groupBy(sql`1`);
  const [opened, closed] = await Promise.all([perDay(returnCases.createdAt), perDay(returnCases.closedAt)]);
  const openedOn = new Map(opened.map((r) => [r.day, Number(r.n)]));
  const closedOn = new Map(closed.map((r) => [r.day, Number(r.n)]));
  const days: DailyCount[] = [];
  const first = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  for (let t = first; t < end.getTime(); t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    days.push({ date, opened: openedOn.get(date) ?? 0, closed: closedOn.get(date) ?? 0 });
  }
  return days;
}
