/**
 * What a customer can still return, line by line, and why not where not: the same rules as
 * checkReturnRequest (domain/policy.ts: window, returnable products, claimed quantities), told per
 * line instead of as violations. And the exchange rule of the portal: a replacement is another
 * variant of the returned product's family, in stock. Pure: the portal API reads the data.
 */
import {
  isReturnableProduct,
  returnWindowEndsAt,
  type OrderForPolicy,
  type Policy,
  type PolicyViolation,
  type ProductForPolicy,
} from './policy.js';

export const NOT_RETURNABLE_REASONS = ['window_passed', 'not_returnable', 'already_returned'] as const;
export type NotReturnableReason = (typeof NOT_RETURNABLE_REASONS)[number];

export interface LineReturnability {
  orderLineId: string;
  /** Claimed by cases that are not cancelled, expired or rejected (credit-only cases move no goods). */
  returnedQuantity: number;
  returnableQuantity: number;
  /** Why nothing can be returned; null while some can. */
  notReturnableReason: NotReturnableReason | null;
}

export function orderReturnability(args: {
  order: OrderForPolicy;
  products: ReadonlyMap<string, ProductForPolicy>;
  claimed: ReadonlyMap<string, number>;
  policy: Policy;
  now: Date;
}): { windowEndsAt: Date; lines: LineReturnability[] } {
  const { order, products, claimed, policy, now } = args;
  const windowEndsAt = returnWindowEndsAt(order, policy);
  const windowPassed = now.getTime() > windowEndsAt.getTime();
  const lines = order.lines.map((l): LineReturnability => {
    const returnedQuantity = Math.min(l.quantity, claimed.get(l.id) ?? 0);
    const left = l.quantity - returnedQuantity;
    // The first rule that stops the line, in the order checkReturnRequest applies them.
    const notReturnableReason: NotReturnableReason | null = windowPassed
      ? 'window_passed'
      : !isReturnableProduct(products.get(l.sku), policy)
        ? 'not_returnable'
        : left <= 0
          ? 'already_returned'
          : null;
    return {
      orderLineId: l.id,
      returnedQuantity,
      returnableQuantity: notReturnableReason ? 0 : left,
      notReturnableReason,
    };
  });
  return { windowEndsAt, lines };
}

/** A catalogue product as far as exchanges care. */
export interface VariantProduct {
  sku: string;
  name: string;
  price: number;
  currency: string;
  stock: number;
  /** The base product's SKU; null for a base product (or one without variants). */
  variantOf: string | null;
}

/** The family a product belongs to: its base product's SKU (a base product is its own). */
export const familyOf = (p: Pick<VariantProduct, 'sku' | 'variantOf'>): string => p.variantOf ?? p.sku;

/** The other variants of `sku`'s family (the base product included), in stock or not, by SKU. */
export function exchangeOptionsFor(sku: string, catalogue: ReadonlyMap<string, VariantProduct>): VariantProduct[] {
  const own = catalogue.get(sku);
  if (!own) return [];
  const family = familyOf(own);
  return [...catalogue.values()]
    .filter((p) => p.sku !== sku && familyOf(p) === family)
    .sort((a, b) => a.sku.localeCompare(b.sku));
}

/**
 * A portal exchange: every replacement is a variant of the family of one of the returned products,
 * and in stock for the quantity asked (all requests for the same SKU together).
 */
export function exchangeViolations(args: {
  returnedSkus: readonly string[];
  replacements: readonly { sku: string; quantity: number }[];
  catalogue: ReadonlyMap<string, VariantProduct>;
}): PolicyViolation[] {
  const { catalogue } = args;
  const families = new Set(args.returnedSkus.flatMap((s) => (catalogue.has(s) ? [familyOf(catalogue.get(s)!)] : [])));
  const asked = new Map<string, number>();
  for (const r of args.replacements) asked.set(r.sku, (asked.get(r.sku) ?? 0) + r.quantity);
  const violations: PolicyViolation[] = [];
  args.replacements.forEach((r, i) => {
    const field = `replacements[${i}].sku`;
    const p = catalogue.get(r.sku);
    if (!p) violations.push({ field, detail: `no product ${r.sku}` });
    else if (!families.has(familyOf(p)))
      violations.push({ field, detail: `${r.sku} is not a variant of a returned product` });
    else if (p.stock < asked.get(r.sku)!)
      violations.push({ field, detail: `${r.sku} is out of stock (${p.stock} left)` });
  });
  return violations;
}
