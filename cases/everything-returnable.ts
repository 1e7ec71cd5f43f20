/** A line choice made under the order's row locks: everything that can still come back. */
import { isReturnableProduct } from '../domain/policy.js';
import type { LineContext, RequestedCaseLine } from './case-request.js';

/** Everything of the order that can still come back: bought minus claimed, returnable products only. */
export function everythingReturnable(reason: string) {
  return ({ orderLines: lines, claimed, products: byS, policy }: LineContext): RequestedCaseLine[] =>
    lines.flatMap((l) => {
      if (!isReturnableProduct(byS.get(l.sku), policy)) return [];
      const left = l.quantity - (claimed.get(l.id) ?? 0);
      return left > 0 ? [{ orderLineId: l.id, quantity: left, reason }] : [];
    });
}
