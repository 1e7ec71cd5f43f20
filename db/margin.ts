/** The gross-margin effect of an order's cases: money credited and charged, goods moved, in minor units. */
import { eq, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { charges, creditNotes, returnCases, stockMovements } from './schema.js';

export interface OrderMargin {
  currency: string;
  /** Sum of the order's credit notes. */
  credited: number;
  /** Sum of the order's charges. */
  charged: number;
  /** Value of returned goods put back into sellable stock. */
  restockedValue: number;
  /** Value of returned goods sent to refurbishment. */
  refurbishValue: number;
  /** Value of returned goods written off. */
  scrappedValue: number;
  /** Value of replacements shipped out. */
  replacementsShippedValue: number;
  /** charged − credited. */
  net: number;
}

export async function orderMargin(db: Db, orderId: string, currency: string): Promise<OrderMargin> {
  const [[credited], [charged], moved] = await Promise.all([
    db
      .select({ total: sql<string>`coalesce(sum(${creditNotes.amount}), 0)` })
      .from(creditNotes)
      .where(eq(creditNotes.orderId, orderId)),
    db
      .select({ total: sql<string>`coalesce(sum(${charges.amount}), 0)` })
      .from(charges)
      .where(eq(charges.orderId, orderId)),
    db
      .select({ location: stockMovements.location, total: sql<string>`coalesce(sum(${stockMovements.value}), 0)` })
      .from(stockMovements)
      .innerJoin(returnCases, eq(returnCases.id, stockMovements.caseId))
      .where(eq(returnCases.orderId, orderId))
      .groupBy(stockMovements.location),
  ]);
  const byLocation = new Map(moved.map((m) => [m.location, Number(m.total)]));
  const creditedTotal = Number(credited?.total ?? 0);
  const chargedTotal = Number(charged?.total ?? 0);
  return {
    currency,
    credited: creditedTotal,
    charged: chargedTotal,
    restockedValue: byLocation.get('sellable') ?? 0,
    refurbishValue: byLocation.get('refurbish') ?? 0,
    scrappedValue: byLocation.get('scrap') ?? 0,
    replacementsShippedValue: byLocation.get('shipped') ?? 0,
    net: chargedTotal - creditedTotal,
  };
}
