/**
 * What the abuse signals (domain/abuse-signals.ts) are computed from, and the managers' flags on
 * customers (customer_flags: a blocklist entry stays until a manager clears it).
 */
import { randomBytes } from 'node:crypto';
import { and, asc, eq, gte, inArray, isNull, notInArray, sql, type SQL } from 'drizzle-orm';
import {
  abuseSignals,
  abuseWindowStart,
  approvalReasonFor,
  type AbuseSignals,
  type ReturnHistory,
} from '../domain/abuse-signals.js';
import type { ReturnMethod } from '../domain/case-status.js';
import type { Policy } from '../domain/policy.js';
import type { Db } from './client.js';
import { caseLines, customerFlags, orderLines, orders, returnCases, stockMovements } from './schema.js';

export type CustomerFlagRow = typeof customerFlags.$inferSelect;

const GOODS_BACK: ReturnMethod[] = ['return_to_stock', 'exchange'];

/** The customer's returns in the window: goods-back cases opened since, not cancelled or rejected. */
const returnsSince = (customerId: string, since: Date) =>
  and(
    eq(returnCases.customerId, customerId),
    inArray(returnCases.method, GOODS_BACK),
    notInArray(returnCases.status, ['cancelled', 'rejected']),
    gte(returnCases.createdAt, since),
  );

export async function returnHistoryOf(db: Db, customerId: string, now = new Date()): Promise<ReturnHistory> {
  const since = abuseWindowStart(now);
  const inspected = (condition: SQL) =>
    sql`exists (select 1 from ${caseLines} where ${caseLines.caseId} = ${returnCases.id} and ${condition})`;
  const shippedFirst = sql`exists (select 1 from ${stockMovements} where ${stockMovements.caseId} = ${returnCases.id} and ${stockMovements.location} = 'shipped')`;
  const expired = sql`${returnCases.status} = 'expired'`;
  const [counts, ordered, returned] = await Promise.all([
    db
      .select({
        returns: sql<string>`count(*)`,
        ended: sql<string>`count(*) filter (where ${expired} or ${inspected(sql`${caseLines.condition} is not null`)})`,
        damagedOrMissing: sql<string>`count(*) filter (where ${inspected(sql`${caseLines.condition} = 'damaged'`)} or (${expired} and ${shippedFirst}))`,
      })
      .from(returnCases)
      .where(returnsSince(customerId, since)),
    db
      .select({ currency: orders.currency, value: sql<string>`sum(${orderLines.quantity} * ${orderLines.unitPrice})` })
      .from(orderLines)
      .innerJoin(orders, eq(orders.id, orderLines.orderId))
      .where(and(eq(orders.customerId, customerId), gte(orders.placedAt, since)))
      .groupBy(orders.currency),
    db
      .select({ currency: orders.currency, value: sql<string>`sum(${caseLines.quantity} * ${orderLines.unitPrice})` })
      .from(caseLines)
      .innerJoin(returnCases, eq(returnCases.id, caseLines.caseId))
      .innerJoin(orderLines, and(eq(orderLines.orderId, caseLines.orderId), eq(orderLines.id, caseLines.orderLineId)))
      .innerJoin(orders, eq(orders.id, caseLines.orderId))
      .where(and(returnsSince(customerId, since), gte(orders.placedAt, since)))
      .groupBy(orders.currency),
  ]);
  // Counts and sums come back as text (bigint, numeric) from PostgreSQL.
  const back = new Map(returned.map((r) => [r.currency, Number(r.value)]));
  const c = counts[0];
  return {
    returns: Number(c?.returns ?? 0),
    values: ordered.map((o) => ({
      currency: o.currency,
      ordered: Number(o.value),
      returned: back.get(o.currency) ?? 0,
    })),
    ended: Number(c?.ended ?? 0),
    damagedOrMissing: Number(c?.damagedOrMissing ?? 0),
  };
}

export async function abuseSignalsOf(db: Db, customerId: string, policy: Policy): Promise<AbuseSignals> {
  return abuseSignals(await returnHistoryOf(db, customerId), policy);
}

/**
 * Why the customer's new goods-back case must wait for a manager (blocklist, serial returner by
 * `policy`), or null. Read when the case opens, before it is recorded: its own lines do not count.
 */
export async function approvalReasonOf(db: Db, customerId: string, policy: Policy): Promise<string | null> {
  const [flags, signals] = await Promise.all([activeFlagsOf(db, customerId), abuseSignalsOf(db, customerId, policy)]);
  return approvalReasonFor(flags, signals, policy);
}

/** Flags a manager has not cleared, oldest first. */
export function activeFlagsOf(db: Db, customerId: string): Promise<CustomerFlagRow[]> {
  return db
    .select()
    .from(customerFlags)
    .where(and(eq(customerFlags.customerId, customerId), isNull(customerFlags.clearedAt)))
    .orderBy(asc(customerFlags.createdAt), asc(customerFlags.id));
}

/** Every flag of the customer, cleared ones included, oldest first. */
export function flagsOf(db: Db, customerId: string): Promise<CustomerFlagRow[]> {
  return db
    .select()
    .from(customerFlags)
    .where(eq(customerFlags.customerId, customerId))
    .orderBy(asc(customerFlags.createdAt), asc(customerFlags.id));
}

export async function addFlag(
  db: Db,
  flag: { customerId: string; kind: CustomerFlagRow['kind']; reason: string; createdBy: string },
): Promise<CustomerFlagRow> {
  const [row] = await db
    .insert(customerFlags)
    .values({ id: `FLG-${randomBytes(8).toString('hex')}`, ...flag })
    .returning();
  return row!;
}

/**
 * Clears a flag of the customer (once: clearing it again keeps who cleared it first). Undefined
 * when the customer has no such flag.
 */
export async function clearFlag(
  db: Db,
  customerId: string,
  flagId: string,
  clearedBy: string,
): Promise<CustomerFlagRow | undefined> {
  const mine = and(eq(customerFlags.id, flagId), eq(customerFlags.customerId, customerId));
  const [cleared] = await db
    .update(customerFlags)
    .set({ clearedAt: new Date(), clearedBy })
    .where(and(mine, isNull(customerFlags.clearedAt)))
    .returning();
  if (cleared) return cleared;
  const [before] = await db.select().from(customerFlags).where(mine);
  return before;
}

export const flagView = (f: CustomerFlagRow) => ({
  id: f.id,
  kind: f.kind,
  reason: f.reason,
  createdBy: f.createdBy,
  createdAt: f.createdAt.toISOString(),
  clearedAt: f.clearedAt?.toISOString() ?? null,
  clearedBy: f.clearedBy,
});
