import { createRoute, z } from '@hono/zod-openapi';
import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import { importOrder, loadOrder } from '../../db/orders.js';
import { PAYMENT_PROVIDERS } from '../../domain/refunds.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { Currency, Id, IdParam, jsonBody, jsonResponse, MinorUnits, problemResponse, Timestamp } from '../schemas.js';

const Payment = z
  .object({
    provider: z.enum(PAYMENT_PROVIDERS),
    reference: z.string().min(1).max(200).openapi({
      description:
        "the provider's id of the payment: Stripe PaymentIntent `pi_…`, Klarna order id, Adyen PSP reference, Vipps MobilePay reference, gift card code",
    }),
    amount: MinorUnits.positive().openapi({ description: 'what this tender took, minor units' }),
    currency: Currency.openapi({ description: "the order's currency" }),
    method: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'e.g. card, invoice, wallet', example: 'card' }),
  })
  .openapi('OrderPayment');

const AddressText = (max: number) => z.string().trim().min(1).max(max);

/** A postal address: the customer's (orders) or the one corrected for a return label (portal). */
export const PostalAddressSchema = z
  .object({
    lines: z.array(AddressText(200)).min(1).max(4).openapi({ description: 'street, house, c/o: 1 to 4 lines' }),
    postalCode: AddressText(20).openapi({ example: '0150' }),
    city: AddressText(100).openapi({ example: 'Oslo' }),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code such as NO'),
  })
  .openapi('PostalAddress');

const OrderFields = z.object({
  id: Id,
  customer: z.object({
    id: Id,
    email: z.email(),
    name: z.string().min(1).max(300),
    locale: z.string().min(2).max(35).openapi({ example: 'nb-NO' }),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code such as NO'),
    address: PostalAddressSchema.nullish().openapi({
      description: "the customer's shipping address; the return label's FROM block shows it",
    }),
    marketingConsent: z.boolean().optional().openapi({
      description: 'opted in to marketing e-mail (default false; left out: an existing customer keeps theirs)',
    }),
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
  deliveryCost: MinorUnits.nonnegative().optional().openapi({
    description: 'what the customer paid for delivery, minor units incl. VAT; refunded when the whole order comes back',
  }),
  payments: z.array(Payment).max(20).optional().openapi({
    description:
      'how the order was paid; several tenders allowed (e.g. a gift card and a card). Refunds go back to them.',
  }),
});

/** Each tender in the order's currency, and together no more than the order's total (lines + delivery). */
const OrderBody = OrderFields.superRefine((order, ctx) => {
  const payments = order.payments ?? [];
  payments.forEach((p, i) => {
    if (p.currency !== order.currency) {
      ctx.addIssue({
        code: 'custom',
        path: ['payments', i, 'currency'],
        message: `must be the order's currency ${order.currency}`,
      });
    }
  });
  const total = order.lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0) + (order.deliveryCost ?? 0);
  const paid = payments.reduce((s, p) => s + p.amount, 0);
  if (paid > total) {
    ctx.addIssue({
      code: 'custom',
      path: ['payments'],
      message: `the payments add up to ${paid}, more than the order's total ${total} (lines and delivery)`,
    });
  }
}).openapi('OrderInput');

const OrderView = OrderFields.extend({
  lines: z.array(
    OrderFields.shape.lines.element.extend({
      returnedQuantity: z
        .number()
        .int()
        .openapi({ description: 'claimed by cases that are not cancelled, expired or rejected' }),
    }),
  ),
  deliveryCost: MinorUnits.nullable().openapi({ description: 'null when the order did not say' }),
  payments: z.array(
    Payment.extend({
      method: z.string().nullable(),
      refunded: MinorUnits.openapi({
        description: 'given back so far or on its way (pending and succeeded refunds), over all cases',
      }),
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

const create = createRoute({
  method: 'post',
  path: '/v1/orders',
  tags: ['Reference data'],
  summary: 'Import an order from the shop or ERP (idempotent by id and body)',
  security: bearer,
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
  summary: 'An order with the returned quantity per line and its payments',
  security: bearer,
  request: { params: IdParam },
  responses: { 200: jsonResponse(OrderView, 'the order'), 404: problemResponse('no such order') },
});

export function orderRoutes({ db }: ApiDeps) {
  return newRouter()
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const bodyHash = createHash('sha256')
        .update(stringify(body) ?? '')
        .digest('hex');
      const result = await importOrder(db, body, bodyHash);
      if (result === 'conflict') throw new ProblemError(409, `order ${body.id} exists with a different body`);
      if (result === 'concurrent') throw new ProblemError(409, `order ${body.id} was imported concurrently; retry`);
      const view = await loadOrder(db, body.id);
      return c.json(view!, result === 'created' ? 201 : 200);
    })
    .openapi(get, async (c) => {
      const { id } = c.req.valid('param');
      const view = await loadOrder(db, id);
      if (!view) throw new ProblemError(404, `no order ${id}`);
      return c.json(view, 200);
    });
}
