/**
 * Replacement shipments: stock is reserved and the shipment written in one transaction under a
 * row lock on the products, so two cases cannot ship the last unit twice; a retry finds the rows.
 */
import { randomInt } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import { products, shipments, stockMovements } from '../db/schema.js';
import type { ActivityDeps } from './deps.js';

export interface ShipmentRequest {
  caseId: string;
  currency: string;
  replacements: { sku: string; quantity: number; unitPrice: number }[];
}

export type ShipmentResult =
  | { status: 'shipped'; shipments: { id: string; sku: string; quantity: number; trackingNumber: string }[] }
  | { status: 'out_of_stock'; skus: string[] };

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

export function shipmentActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    async shipReplacements(req: ShipmentRequest): Promise<ShipmentResult> {
      return db.transaction(async (tx): Promise<ShipmentResult> => {
        const existing = await tx.select().from(shipments).where(eq(shipments.caseId, req.caseId));
        if (existing.length > 0)
          return {
            status: 'shipped',
            shipments: existing.map(({ id, sku, quantity, trackingNumber }) => ({ id, sku, quantity, trackingNumber })),
          };
        const skus = req.replacements.map((r) => r.sku);
        const rows = await tx
          .select()
          .from(products)
          .where(inArray(products.sku, skus))
          .orderBy(products.sku)
          .for('update');
        const stock = new Map(rows.map((p) => [p.sku, p.stock]));
        const short = req.replacements.filter((r) => (stock.get(r.sku) ?? 0) < r.quantity).map((r) => r.sku);
        if (short.length) return { status: 'out_of_stock', skus: short };
        const shipped = [];
        for (const r of req.replacements) {
          const shipment = {
            id: `SHP-${digits(10)}`,
            sku: r.sku,
            quantity: r.quantity,
            trackingNumber: `LS${digits(12)}`,
          };
          await tx.insert(shipments).values({
            ...shipment,
            caseId: req.caseId,
            unitPrice: r.unitPrice,
            currency: req.currency,
            status: 'shipped',
          });
          await tx
            .update(products)
            .set({ stock: sql`${products.stock} - ${r.quantity}`, updatedAt: new Date() })
            .where(eq(products.sku, r.sku));
          await tx.insert(stockMovements).values({
            caseId: req.caseId,
            orderLineId: `replacement:${r.sku}`,
            sku: r.sku,
            quantity: -r.quantity,
            location: 'shipped',
            value: r.unitPrice * r.quantity,
            currency: req.currency,
          });
          shipped.push(shipment);
        }
        return { status: 'shipped', shipments: shipped };
      });
    },
  };
}
