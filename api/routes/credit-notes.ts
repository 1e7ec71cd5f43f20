import { createRoute, z } from '@hono/zod-openapi';
import { creditNoteByNumber } from '../../db/credit-notes.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { jsonResponse, problemResponse } from '../schemas.js';

const CreditNote = z
  .object({
    number: z.string(),
    caseId: z.string(),
    orderId: z.string(),
    customerId: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    vat: z.number().int(),
    lines: z.array(
      z.object({
        orderLineId: z.string(),
        sku: z.string(),
        quantity: z.number().int(),
        paid: z.number().int(),
        restockingFeePercent: z.number(),
        restockingFee: z.number().int(),
        amount: z.number().int(),
        vatRate: z.number(),
        vat: z.number().int(),
      }),
    ),
    issuedAt: z.string(),
  })
  .openapi('CreditNote');

const get = createRoute({
  method: 'get',
  path: '/v1/credit-notes/{number}',
  tags: ['Finance'],
  summary: 'A credit note (numbers are sequential without gaps)',
  security: bearer,
  request: {
    params: z.object({
      number: z
        .string()
        .min(1)
        .max(50)
        .openapi({ param: { name: 'number', in: 'path' }, example: 'CN-000001' }),
    }),
  },
  responses: { 200: jsonResponse(CreditNote, 'the credit note'), 404: problemResponse('no such credit note') },
});

export function creditNoteRoutes({ db }: ApiDeps) {
  return newRouter().openapi(get, async (c) => {
    const { number } = c.req.valid('param');
    const n = await creditNoteByNumber(db, number);
    if (!n) throw new ProblemError(404, `no credit note ${number}`);
    return c.json(
      {
        number: n.number,
        caseId: n.caseId,
        orderId: n.orderId,
        customerId: n.customerId,
        amount: n.amount,
        currency: n.currency,
        vat: n.vat,
        lines: n.lines,
        issuedAt: n.issuedAt.toISOString(),
      },
      200,
    );
  });
}
