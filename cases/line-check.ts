/**
 * The requested lines under the order's row locks: what other cases already claim, the products,
 * the lines chosen (when the request lets them be chosen now) and the policy check.
 */
import { eq, inArray } from 'drizzle-orm';
import { claimedQuantities } from '../db/claims.js';
import { orderLines, type orders, products } from '../db/schema.js';
import { checkReturnRequest, type Policy, type PolicyViolation } from '../domain/policy.js';
import type { OpenCaseInput, OrderLineRow, RequestedCaseLine } from './case-request.js';
import { GOODS_COME_BACK } from './method-rules.js';
import type { CaseTx } from './transaction.js';

export type OrderRow = typeof orders.$inferSelect;

/** A requested line with what was paid for it. */
export interface PaidLine {
  orderLineId: string;
  sku: string;
  quantity: number;
  unitPrice: number;
  vatRate: OrderLineRow['vatRate'];
}

export interface CheckedLines {
  requested: RequestedCaseLine[];
  /** The order's lines by id. */
  byId: ReadonlyMap<string, OrderLineRow>;
  paidLines: PaidLine[];
  /** Empty when the lines may be returned. */
  violations: PolicyViolation[];
}

export async function checkRequestedLines(
  tx: CaseTx,
  order: OrderRow,
  body: OpenCaseInput,
  policy: Policy,
): Promise<CheckedLines> {
  // Lock the order's lines so concurrent requests cannot both claim the last unit.
  const lines = await tx.select().from(orderLines).where(eq(orderLines.orderId, order.id)).for('update');
  const claimed = await claimedQuantities(tx as never, order.id);
  const skus = [...new Set(lines.map((l) => l.sku))];
  const productRows = skus.length ? await tx.select().from(products).where(inArray(products.sku, skus)) : [];
  const productMap = new Map(productRows.map((p) => [p.sku, p]));
  const requested =
    typeof body.lines === 'function'
      ? body.lines({ orderLines: lines, claimed, products: productMap, policy })
      : body.lines;
  const violations = checkReturnRequest({
    order: { placedAt: order.placedAt.toISOString(), deliveredAt: order.deliveredAt?.toISOString(), lines },
    products: productMap,
    // Credit only moves money, not goods: it is limited by what is left to credit (credit-only.ts).
    claimed: body.method === 'credit_only' ? new Map() : claimed,
    lines: requested,
    policy,
    now: new Date(),
    requiresGoods: GOODS_COME_BACK.has(body.method),
  });
  if (requested.length === 0)
    violations.push({ field: 'lines', detail: `nothing is left to return on order ${order.id}` });
  const byId = new Map(lines.map((l) => [l.id, l]));
  const paidLines = requested.flatMap((l) => {
    const ol = byId.get(l.orderLineId);
    return ol
      ? [
          {
            orderLineId: l.orderLineId,
            sku: ol.sku,
            quantity: l.quantity,
            unitPrice: ol.unitPrice,
            vatRate: ol.vatRate,
          },
        ]
      : [];
  });
  return { requested, byId, paidLines, violations };
}
