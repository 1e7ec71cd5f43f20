/** An exchange's replacements, priced from the product catalogue in the order's currency. */
import { inArray } from 'drizzle-orm';
import { products } from '../db/schema.js';
import type { PolicyViolation } from '../domain/policy.js';
import type { CaseTx } from './transaction.js';

export interface PricedReplacement {
  sku: string;
  quantity: number;
  unitPrice: number;
}

/** Each wanted product at its price; one unknown or priced in another currency is a violation. */
export async function pricedReplacements(
  tx: CaseTx,
  wanted: readonly { sku: string; quantity: number }[],
  currency: string,
): Promise<{ replacements: PricedReplacement[]; violations: PolicyViolation[] }> {
  const violations: PolicyViolation[] = [];
  const rows = await tx
    .select()
    .from(products)
    .where(inArray(products.sku, [...new Set(wanted.map((r) => r.sku))]));
  const replacements = wanted.flatMap((r, i) => {
    const p = rows.find((x) => x.sku === r.sku);
    if (!p) violations.push({ field: `replacements[${i}].sku`, detail: `no product ${r.sku}` });
    else if (p.currency !== currency)
      violations.push({
        field: `replacements[${i}].sku`,
        detail: `priced in ${p.currency}, the order in ${currency}`,
      });
    return p ? [{ sku: r.sku, quantity: r.quantity, unitPrice: p.price }] : [];
  });
  return { replacements, violations };
}
