/** The token's order as the customer sees it: per line what can still be returned or why not; reasons, refund terms. */
import { createRoute, z } from '@hono/zod-openapi';
import { asc, eq } from 'drizzle-orm';
import { claimedQuantities } from '../../../db/claims.js';
import { returnCases } from '../../../db/schema.js';
import { CASE_STATUSES } from '../../../domain/case-status.js';
import { FEE_FREE_REASONS, refundTerms, returnReasonsOf, type CustomerLanguage } from '../../../domain/policy.js';
import { exchangeOptionsFor, NOT_RETURNABLE_REASONS, orderReturnability } from '../../../domain/returnability.js';
import { customerLanguage, supportedLanguage } from '../../portal-session.js';
import { newRouter } from '../../router.js';
import { jsonResponse, MinorUnits, problemResponse } from '../../schemas.js';
import { PostalAddressSchema } from '../orders.js';
import { Language, PortalLine, portalToken, tags, unauthorized, type Portal } from './shared.js';

const ExchangeOption = z.object({
  sku: z.string(),
  name: z.string(),
  price: MinorUnits,
  currency: z.string(),
  inStock: z.boolean(),
});
const PortalOrder = z
  .object({
    orderId: z.string(),
    placedAt: z.string(),
    deliveredAt: z.string().nullable(),
    currency: z.string(),
    locale: Language,
    customer: z.object({ name: z.string(), email: z.string(), address: PostalAddressSchema.nullable() }),
    returnWindowEndsAt: z.string(),
    lines: z.array(
      PortalLine.extend({
        unitPrice: MinorUnits,
        returnedQuantity: z.number().int(),
        returnableQuantity: z.number().int(),
        notReturnableReason: z.enum(NOT_RETURNABLE_REASONS).nullable(),
        exchangeOptions: z
          .array(ExchangeOption)
          .openapi({ description: 'the other variants of the same product (products.variantOf), in stock or not' }),
      }),
    ),
    reasons: z.array(z.object({ code: z.string(), label: z.string() })),
    refundOptions: z.object({
      storeCreditBonusPercent: z.number(),
      returnShippingFee: MinorUnits,
      currency: z.string(),
      feeFreeReasons: z.array(z.string()),
    }),
    cases: z.array(z.object({ id: z.string(), status: z.enum(CASE_STATUSES), createdAt: z.string() })),
  })
  .openapi('PortalOrder');

const LocaleQuery = z.object({
  locale: z
    .string()
    .max(35)
    .optional()
    .openapi({ description: "the reasons' language (nb, sv, da, fi, en); default the customer's" }),
});
const orderRoute = createRoute({
  method: 'get',
  path: '/v1/portal/order',
  tags,
  summary: "The token's order: per line what can still be returned, and why not",
  security: portalToken,
  request: { query: LocaleQuery },
  responses: { 200: jsonResponse(PortalOrder, 'the order'), 401: unauthorized, 404: problemResponse('no such order') },
});

export function orderRoutes({ db, tokenOrder, orderContext, catalogueOf }: Portal) {
  return newRouter().openapi(orderRoute, async (c) => {
    const orderId = tokenOrder(c);
    const { order, customer, policy, lines } = await orderContext(orderId);
    const [claimed, catalogue, cases] = await Promise.all([
      claimedQuantities(db, orderId),
      catalogueOf(lines.map((l) => l.sku)),
      db
        .select({ id: returnCases.id, status: returnCases.status, createdAt: returnCases.createdAt })
        .from(returnCases)
        .where(eq(returnCases.orderId, orderId))
        .orderBy(asc(returnCases.createdAt), asc(returnCases.id)),
    ]);
    const { windowEndsAt, lines: returnable } = orderReturnability({
      order: { placedAt: order.placedAt.toISOString(), deliveredAt: order.deliveredAt?.toISOString(), lines },
      products: catalogue,
      claimed,
      policy,
      now: new Date(),
    });
    const own = customerLanguage(customer?.locale);
    const lang: CustomerLanguage = supportedLanguage(c.req.valid('query').locale) ?? own;
    const terms = refundTerms(policy);
    return c.json(
      {
        orderId: order.id,
        placedAt: order.placedAt.toISOString(),
        deliveredAt: order.deliveredAt?.toISOString() ?? null,
        currency: order.currency,
        locale: own,
        customer: {
          name: customer?.name ?? '',
          email: customer?.email ?? '',
          address: customer?.address ?? null,
        },
        returnWindowEndsAt: windowEndsAt.toISOString(),
        lines: lines.map((l, i) => ({
          orderLineId: l.id,
          sku: l.sku,
          name: l.name,
          quantity: l.quantity,
          unitPrice: l.unitPrice,
          returnedQuantity: returnable[i]!.returnedQuantity,
          returnableQuantity: returnable[i]!.returnableQuantity,
          notReturnableReason: returnable[i]!.notReturnableReason,
          exchangeOptions: exchangeOptionsFor(l.sku, catalogue).map((p) => ({
            sku: p.sku,
            name: p.name,
            price: p.price,
            currency: p.currency,
            inStock: p.stock > 0,
          })),
        })),
        reasons: returnReasonsOf(policy).map((r) => ({ code: r.code, label: r.labels[lang] })),
        refundOptions: {
          storeCreditBonusPercent: terms.storeCreditBonusPercent,
          returnShippingFee: terms.returnShippingFee,
          currency: order.currency,
          feeFreeReasons: [...FEE_FREE_REASONS],
        },
        cases: cases.map((k) => ({ id: k.id, status: k.status, createdAt: k.createdAt.toISOString() })),
      },
      200,
    );
  });
}
