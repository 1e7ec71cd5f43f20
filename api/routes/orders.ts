import { createRoute, z } from '@hono/zod-openapi';
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { stringify } from 'safe-stable-stringify';
import { claimedQuantities } from '../../db/claims.js';
import { orderMargin } from '../../db/margin.js';
import { customers, orderLines, orders } from '../../db/schema.js';
import { requireRole } from '../auth.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { Currency, Id, jsonBody, jsonResponse, MinorUnits, problemResponse, Timestamp } from '../schemas.js';

const OrderBody = z
  .object({
    id: Id,
    customer: z.object({
      id: Id,
      email: z.email(),
      name: z.string().min(1).max(300),
      locale: z.string().min(2).max(35).openapi({ example: 'nb-NO' }),
      country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code such as NO'),
    }),
    currency: Currency,
    placedAt: Timestamp,
    deliveredAt: Timestamp.nullable().optional(),
    exportReference: z.string().min(1).max(200).nullable().optional(),
    lines: z
      .array(
        z.object({
          id: Id,
          sku: z.string().min(1).max(200),
          name: z.string().min(1).max(500),
          quantity: z.number().int().positive().max(2_147_483_647, 'at most 2147483647'), // an int4 column
          unitPrice: MinorUnits.nonnegative().openapi({ description: 'paid per unit, minor units incl. VAT' }),
          vatRate: z
            .number()
            .min(0)
            .max(100)
            // Money maths takes percents in basis points, and the column keeps two decimals.
            .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-9, 'at most two decimals')
            .openapi({ description: 'percent, at most two decimals', example: 25 }),
        }),
      )
      .min(1)
      .refine((lines) => new Set(lines.map((l) => l.id)).size === lines.length, 'line ids must be unique'),
  })
  .openapi('OrderInput');

const OrderView = OrderBody.extend({
  lines: z.array(
    OrderBody.shape.lines.element.extend({
      returnedQuantity: z.number().int().openapi({ description: 'claimed by cases that are not cancelled, expired or rejected' }),
    }),
  ),
  margin: z
    .object({
      currency: z.string(),
      credited: MinorUnits.openapi({ description: "sum of the order's credit notes" }),
      charged: MinorUnits.openapi({ description: "sum of the order's charges" }),
      restockedValue: MinorUnits.openapi({ description: 'value of returned goods put back into sellable stock' }),
      refurbishValue: MinorUnits.openapi({ description: 'value of returned goods sent to refurbishment' }),
      scrappedValue: MinorUnits.openapi({ description: 'value of returned goods written off' }),
      replacementsShippedValue: MinorUnits.openapi({ description: 'value of replacements shipped' }),
      net: MinorUnits.openapi({ description: 'charged − credited' }),
    })
    .openapi({ description: "the gross-margin effect of the order's cases, minor units in the order's currency" }),
}).openapi('Order');

const IdParam = z.object({ id: Id.openapi({ param: { name: 'id', in: 'path' } }) });

const create = createRoute({
  method: 'post',
  path: '/v1/orders',
  tags: ['Reference data'],
  summary: 'Import an order from the shop or ERP (idempotent by id and body)',
  security: bearer,
  middleware: [requireRole('customer_service', 'portal', 'manager')] as const,
  request: { body: jsonBody(OrderBody) },
  responses: {
    200: jsonResponse(OrderView, 'the same order was already imported'),
    201: jsonResponse(OrderView, 'imported'),
    409: problemResponse('an order with this id and a different body exists'),
    422: problemResponse('invalid body'),
  },
});
const get = createRoute({
  method: 'get',
  path: '/v1/orders/{id}',
  tags: ['Reference data'],
  summary: 'An order with the returned quantity per line',
  security: bearer,
  request: { params: IdParam },
  responses: { 200: jsonResponse(OrderView, 'the order'), 404: problemResponse('no such order') },
});

type OrderInput = z.infer<typeof OrderBody>;

async function loadOrder(db: ApiDeps['db'], id: string) {
  const [order] = await db.select().from(orders).where(eq(orders.id, id));
  if (!order) return undefined;
  const [claimed, margin] = await Promise.all([claimedQuantities(db, id), orderMargin(db, id, order.currency)]);
  const body = order.body as OrderInput;
  return {
    ...body,
    deliveredAt: body.deliveredAt ?? null,
    exportReference: body.exportReference ?? null,
    lines: body.lines.map((l) => ({ ...l, returnedQuantity: claimed.get(l.id) ?? 0 })),
    margin,
  };
}

export function orderRoutes({ db }: ApiDeps) {
  return newRouter()
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const bodyHash = createHash('sha256').update(stringify(body) ?? '').digest('hex');
      const created = await db.transaction(async (tx) => {
        const [existing] = await tx.select({ bodyHash: orders.bodyHash }).from(orders).where(eq(orders.id, body.id));
        if (existing) {
          if (existing.bodyHash !== bodyHash) throw new ProblemError(409, `order ${body.id} exists with a different body`);
          return false;
        }
        const cust = { email: body.customer.email, name: body.customer.name, locale: body.customer.locale, country: body.customer.country };
        await tx
          .insert(customers)
          .values({ id: body.customer.id, ...cust })
          .onConflictDoUpdate({ target: customers.id, set: { ...cust, updatedAt: new Date() } });
        const inserted = await tx
          .insert(orders)
          .values({
            id: body.id,
            customerId: body.customer.id,
            currency: body.currency,
            placedAt: new Date(body.placedAt),
            deliveredAt: body.deliveredAt ? new Date(body.deliveredAt) : null,
            exportReference: body.exportReference ?? null,
            bodyHash,
            body,
          })
          .onConflictDoNothing()
          .returning({ id: orders.id });
        if (inserted.length === 0) throw new ProblemError(409, `order ${body.id} was imported concurrently; retry`);
        await tx.insert(orderLines).values(body.lines.map((l) => ({ orderId: body.id, ...l })));
        return true;
      });
      const view = await loadOrder(db, body.id);
      return c.json(view!, created ? 201 : 200);
    })
    .openapi(get, async (c) => {
      const { id } = c.req.valid('param');
      const view = await loadOrder(db, id);
      if (!view) throw new ProblemError(404, `no order ${id}`);
      return c.json(view, 200);
    });
}
