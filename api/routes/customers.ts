import { createRoute, z } from '@hono/zod-openapi';
import { customerById, customerHistory } from '../../db/customers.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { RefundViewSchema } from '../../domain/case-view.js';
import { CaseViewSchema, IdParam, jsonResponse, problemResponse } from '../schemas.js';

const CustomerCard = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    locale: z.string(),
    country: z.string(),
    cases: z.array(CaseViewSchema.omit({ timeline: true })).openapi({ description: 'newest first' }),
    creditNotes: z.array(
      z.object({
        number: z.string(),
        caseId: z.string(),
        orderId: z.string(),
        amount: z.number().int(),
        currency: z.string(),
        vat: z.number().int(),
        issuedAt: z.string(),
      }),
    ),
    charges: z.array(
      z.object({
        caseId: z.string(),
        orderId: z.string(),
        amount: z.number().int(),
        currency: z.string(),
        reason: z.string(),
        purpose: z.string(),
        createdAt: z.string(),
      }),
    ),
    refunds: z.array(RefundViewSchema).openapi({ description: "the customer's refunds over all cases, oldest first" }),
    storeCredit: z
      .object({
        balance: z.number().int().openapi({ description: 'what the codes hold together, in `currency`' }),
        currency: z.string().nullable(),
        entries: z.array(
          z.object({
            code: z.string(),
            amount: z
              .number()
              .int()
              .openapi({ description: 'issued (positive, bonus included) or redeemed (negative)' }),
            bonus: z.number().int().openapi({ description: "the policy's bonus included in amount" }),
            currency: z.string(),
            caseId: z.string().nullable(),
            refundId: z.string().nullable(),
            createdAt: z.string(),
          }),
        ),
      })
      .openapi({ description: 'the store-credit ledger (refunds as store credit, refunds onto gift cards)' }),
  })
  .openapi('CustomerCard');

const get = createRoute({
  method: 'get',
  path: '/v1/customers/{id}',
  tags: ['Customers'],
  summary: 'The customer card: cases, credit notes, charges, refunds and store credit',
  security: bearer,
  request: { params: IdParam },
  responses: { 200: jsonResponse(CustomerCard, 'the customer card'), 404: problemResponse('no such customer') },
});

export function customerRoutes({ db }: ApiDeps) {
  return newRouter().openapi(get, async (c) => {
    const { id } = c.req.valid('param');
    const customer = await customerById(db, id);
    if (!customer) throw new ProblemError(404, `no customer ${id}`);
    const { cases, notes, charged, refunded, storeCredit } = await customerHistory(db, id);
    return c.json(
      {
        id: customer.id,
        email: customer.email,
        name: customer.name,
        locale: customer.locale,
        country: customer.country,
        cases,
        creditNotes: notes.map((n) => ({
          number: n.number,
          caseId: n.caseId,
          orderId: n.orderId,
          amount: n.amount,
          currency: n.currency,
          vat: n.vat,
          issuedAt: n.issuedAt.toISOString(),
        })),
        charges: charged.map((x) => ({
          caseId: x.caseId,
          orderId: x.orderId,
          amount: x.amount,
          currency: x.currency,
          reason: x.reason,
          purpose: x.purpose,
          createdAt: x.createdAt.toISOString(),
        })),
        refunds: refunded,
        storeCredit,
      },
      200,
    );
  });
}
