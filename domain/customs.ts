/**
 * The content declaration of a return that crosses a customs border (the order carries an export
 * reference): one item per returned case line, valued at the price paid. Pure: the API's
 * `GET /v1/returns/:id/customs` and page 2 of the return label both build it here, so they agree.
 */
import { sum } from './money.js';

export interface CustomsItem {
  orderLineId: string;
  sku: string;
  /** The order line's name, as the customer bought it. */
  description: string;
  quantity: number;
  /** The unit price paid, in minor units. */
  unitValue: number;
  /** unitValue × quantity, in minor units. */
  customsValue: number;
  /** The product's HS tariff code, when it has one. */
  hsCode: string | null;
  /** The product's ISO 3166-1 alpha-2 country of origin, when known. */
  originCountry: string | null;
}

export interface CustomsDeclaration {
  caseId: string;
  orderId: string;
  exportReference: string;
  direction: 'return';
  from: { country: string };
  to: { country: string };
  currency: string;
  items: CustomsItem[];
  /** The sum of the items' customs values, in minor units. */
  totalValue: number;
}

export interface CustomsInput {
  caseId: string;
  orderId: string;
  exportReference: string;
  currency: string;
  /** The customer's country: where the parcel leaves from. */
  fromCountry: string;
  /** The warehouse's country: where the parcel goes. */
  toCountry: string;
  /** What the case returns. */
  caseLines: readonly { orderLineId: string; sku: string; quantity: number }[];
  /** The order's lines as paid (at least those the case returns). */
  orderLines: readonly { id: string; name: string; unitPrice: number }[];
  /** Products by SKU (at least those the case returns); a missing product has no customs data. */
  products: readonly { sku: string; hsCode: string | null; originCountry: string | null }[];
}

/** Items in the case's line order; throws when a case line names an order line that is not given. */
export function buildCustomsDeclaration(input: CustomsInput): CustomsDeclaration {
  const paid = new Map(input.orderLines.map((l) => [l.id, l]));
  const bySku = new Map(input.products.map((p) => [p.sku, p]));
  const items = input.caseLines.map((l): CustomsItem => {
    const line = paid.get(l.orderLineId);
    if (!line) throw new Error(`case ${input.caseId}: order line ${l.orderLineId} not found on order ${input.orderId}`);
    const product = bySku.get(l.sku);
    return {
      orderLineId: l.orderLineId,
      sku: l.sku,
      description: line.name,
      quantity: l.quantity,
      unitValue: line.unitPrice,
      customsValue: line.unitPrice * l.quantity,
      hsCode: product?.hsCode ?? null,
      originCountry: product?.originCountry ?? null,
    };
  });
  return {
    caseId: input.caseId,
    orderId: input.orderId,
    exportReference: input.exportReference,
    direction: 'return',
    from: { country: input.fromCountry },
    to: { country: input.toCountry },
    currency: input.currency,
    items,
    totalValue: sum(items.map((i) => i.customsValue)),
  };
}
