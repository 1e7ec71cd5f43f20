/** Reads what a case's content declaration needs and assembles it (domain/customs.ts). */
import { and, eq, inArray } from 'drizzle-orm';
import { buildCustomsDeclaration, type CustomsDeclaration } from '../domain/customs.js';
import type { CaseView } from './case-view.js';
import type { Db } from './client.js';
import { customers, orderLines, orders, products } from './schema.js';

/**
 * The declaration of a case whose order has an export reference, valued in the order's currency,
 * from the customer's country to `toCountry` (the warehouse's); null when the order has none.
 */
export async function loadCustomsDeclaration(
  db: Db,
  view: Pick<CaseView, 'id' | 'orderId' | 'customerId'> & {
    lines: readonly { orderLineId: string; sku: string; quantity: number }[];
  },
  toCountry: string,
): Promise<CustomsDeclaration | null> {
  const [order] = await db.select().from(orders).where(eq(orders.id, view.orderId));
  // The contract (API.md): a declaration exactly when the order was exported, i.e. has a reference.
  if (!order?.exportReference) return null;
  const [customer] = await db.select().from(customers).where(eq(customers.id, view.customerId));
  const lineIds = [...new Set(view.lines.map((l) => l.orderLineId))];
  const skus = [...new Set(view.lines.map((l) => l.sku))];
  const [paid, known] = await Promise.all([
    lineIds.length
      ? db
          .select()
          .from(orderLines)
          .where(and(eq(orderLines.orderId, order.id), inArray(orderLines.id, lineIds)))
      : Promise.resolve([]),
    skus.length ? db.select().from(products).where(inArray(products.sku, skus)) : Promise.resolve([]),
  ]);
  return buildCustomsDeclaration({
    caseId: view.id,
    orderId: order.id,
    exportReference: order.exportReference,
    currency: order.currency,
    fromCountry: customer?.country ?? '',
    toCountry,
    caseLines: view.lines,
    orderLines: paid,
    products: known,
  });
}
