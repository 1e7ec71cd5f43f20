import { createRoute, z } from '@hono/zod-openapi';
import { asc, desc, eq } from 'drizzle-orm';
import { loadCaseViews } from '../../db/case-view.js';
import { charges, creditNotes, customers, returnCases } from '../../db/schema.js';
import { requireRole } from '../auth.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { CaseViewSchema, Id, jsonResponse, problemResponse } from '../schemas.js';

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
  })
  .openapi('CustomerCard');

const get = createRoute({
  method: 'get',
  path: '/v1/customers/{id}',
  tags: ['Customers'],
  summary: 'The customer card: cases, credit notes and charges',
  security: bearer,
  middleware: [requireRole('customer_service', 'portal', 'manager')] as const,
  request: { params: z.object({ id: Id.openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: { 200: jsonResponse(CustomerCard, 'the customer card'), 404: problemResponse('no such customer') },
});

export function customerRoutes({ db }: ApiDeps) {
  return newRouter().openapi(get, async (c) => {
    const { id } = c.req.valid('param');
    const [customer] = await db.select().from(customers).where(eq(customers.id, id));
    if (!customer) throw new ProblemError(404, `no customer ${id}`);
    const [caseRows, notes, charged] = await Promise.all([
      db.select().from(returnCases).where(eq(returnCases.customerId, id)).orderBy(desc(returnCases.createdAt), desc(returnCases.id)),
      db.select().from(creditNotes).where(eq(creditNotes.customerId, id)).orderBy(asc(creditNotes.seq)),
      db.select().from(charges).where(eq(charges.customerId, id)).orderBy(asc(charges.id)),
    ]);
    const cases = await loadCaseViews(db, caseRows, false);
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
      },
      200,
    );
  });
}
