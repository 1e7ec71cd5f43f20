/** Stock movements for inspected goods; sellable ones raise the product's stock in the same transaction. */
import { eq, sql } from 'drizzle-orm';
import type { StockLocation } from '../domain/stock.js';
import { products, stockMovements } from '../db/schema.js';
import type { ActivityDeps } from './deps.js';

export interface MoveStockInput {
  caseId: string;
  currency: string;
  movements: { orderLineId: string; sku: string; quantity: number; location: StockLocation; value: number }[];
}

export function stockActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    async moveStock(input: MoveStockInput): Promise<void> {
      await db.transaction(async (tx) => {
        for (const m of input.movements) {
          const inserted = await tx
            .insert(stockMovements)
            .values({ caseId: input.caseId, currency: input.currency, ...m })
            .onConflictDoNothing()
            .returning({ id: stockMovements.id });
          if (inserted.length > 0 && m.location === 'sellable') {
            await tx
              .update(products)
              .set({ stock: sql`${products.stock} + ${m.quantity}`, updatedAt: new Date() })
              .where(eq(products.sku, m.sku));
          }
        }
      });
    },
  };
}
