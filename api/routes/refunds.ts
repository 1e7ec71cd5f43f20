/**
 * Refunds for finance: the list, and the two things finance does with a refund that did not go
 * through — try it again (a new attempt with a new idempotency key) or settle it by hand. Both are
 * updates to the refund's case workflow, which decides whether the refund takes them and puts them
 * on the timeline; the answer is the refund as the database has it afterwards.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { listRefunds, refundById, toFinanceRefundView } from '../../db/refunds.js';
import { RefundViewSchema } from '../../domain/case-view.js';
import { PAYMENT_PROVIDERS, REFUND_STATUSES } from '../../domain/refunds.js';
import { retryRefund, settleRefund } from '../../workflows/messages.js';
import { updateCase } from '../case-updates.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { Id, jsonBody, jsonResponse, problemResponse, queryPeriod, Timestamp } from '../schemas.js';

export const FinanceRefundSchema = RefundViewSchema.extend({
  orderId: z.string(),
  customerId: z.string(),
  paymentReference: z
    .string()
    .nullable()
    .openapi({ description: "the provider's id of the payment refunded (null for store credit)" }),
  attempt: z
    .number()
    .int()
    .openapi({ description: '1, plus one per retry by finance (each attempt has its own idempotency key)' }),
  settledBy: z.string().nullable().openapi({ description: 'who settled it by hand' }),
  note: z.string().nullable(),
  updatedAt: z.string(),
}).openapi('Refund');

const RefundPage = z
  .object({ items: z.array(FinanceRefundSchema), nextCursor: z.string().nullable() })
  .openapi('RefundPage');

const ListQuery = z.object({
  status: z.enum(REFUND_STATUSES).optional(),
  provider: z.enum(PAYMENT_PROVIDERS).optional(),
  from: Timestamp.optional().openapi({ description: 'created at or after' }),
  to: Timestamp.optional().openapi({ description: 'created before' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});

const RefundParam = z.object({ id: Id.openapi({ param: { name: 'id', in: 'path' }, example: 'RF-0A1B2C3D4E5F6071' }) });
const IdempotencyHeader = z.object({ 'idempotency-key': z.string().min(1).max(200).optional() });
const SettleBody = z
  .object({
    note: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .openapi({ description: 'how it was paid out (bank transfer reference, …)' }),
  })
  .openapi('SettleRefund');

const list = createRoute({
  method: 'get',
  path: '/v1/refunds',
  tags: ['Finance'],
  summary: 'Refunds, newest first, filtered and paged',
  security: bearer,
  request: { query: ListQuery },
  responses: { 200: jsonResponse(RefundPage, 'a page'), 400: problemResponse('invalid query') },
});
const getOne = createRoute({
  method: 'get',
  path: '/v1/refunds/{id}',
  tags: ['Finance'],
  summary: 'One refund',
  security: bearer,
  request: { params: RefundParam },
  responses: { 200: jsonResponse(FinanceRefundSchema, 'the refund'), 404: problemResponse('no such refund') },
});
const retry = createRoute({
  method: 'post',
  path: '/v1/refunds/{id}/retry',
  tags: ['Finance'],
  summary: 'Try a failed refund again (a new attempt, a new idempotency key at the provider)',
  description: 'Only a `failed` refund is retried. The same `Idempotency-Key` is the same request: it is done once.',
  security: bearer,
  request: { params: RefundParam, headers: IdempotencyHeader },
  responses: {
    200: jsonResponse(FinanceRefundSchema, 'the refund after the new attempt (pending, succeeded or failed again)'),
    404: problemResponse('no such refund'),
    409: problemResponse('the refund has not failed, or its case no longer runs'),
  },
});
const settle = createRoute({
  method: 'post',
  path: '/v1/refunds/{id}/settle-manually',
  tags: ['Finance'],
  summary: 'Settle a refund by hand: finance paid it out another way (or confirmed a manual payout)',
  description:
    'For a `pending` or `failed` refund; it becomes `succeeded`, with who and the note on the case timeline.',
  security: bearer,
  request: { params: RefundParam, headers: IdempotencyHeader, body: jsonBody(SettleBody) },
  responses: {
    200: jsonResponse(FinanceRefundSchema, 'the settled refund'),
    404: problemResponse('no such refund'),
    409: problemResponse('the refund has already succeeded, or its case no longer runs'),
    422: problemResponse('invalid body'),
  },
});

export function refundRoutes({ db, temporal }: ApiDeps) {
  async function load(id: string) {
    const row = await refundById(db, id);
    if (!row) throw new ProblemError(404, `no refund ${id}`);
    return row;
  }

  return newRouter()
    .openapi(list, async (c) => {
      const q = c.req.valid('query');
      const period =
        q.from && q.to
          ? queryPeriod(q.from, q.to)
          : { start: q.from ? new Date(q.from) : undefined, end: q.to ? new Date(q.to) : undefined };
      const page = await listRefunds(db, {
        status: q.status,
        provider: q.provider,
        from: period.start,
        to: period.end,
        limit: q.limit,
        after: q.cursor ? decodeCursor(q.cursor) : undefined,
      });
      return c.json({ items: page.items, nextCursor: page.last ? encodeCursor(page.last) : null }, 200);
    })
    .openapi(getOne, async (c) => c.json(toFinanceRefundView(await load(c.req.valid('param').id)), 200))
    .openapi(retry, async (c) => {
      const { id } = c.req.valid('param');
      const key = c.req.valid('header')['idempotency-key'];
      const row = await load(id);
      await updateCase(
        temporal,
        row.caseId,
        retryRefund,
        { refundId: id, requestedBy: c.get('principal').name },
        key ? { updateId: `retryRefund:${id}:${key}` } : {},
      );
      return c.json(toFinanceRefundView(await load(id)), 200);
    })
    .openapi(settle, async (c) => {
      const { id } = c.req.valid('param');
      const key = c.req.valid('header')['idempotency-key'];
      const row = await load(id);
      const { note } = c.req.valid('json');
      await updateCase(
        temporal,
        row.caseId,
        settleRefund,
        { refundId: id, note, settledBy: c.get('principal').name },
        key ? { updateId: `settleRefund:${id}:${key}` } : {},
      );
      return c.json(toFinanceRefundView(await load(id)), 200);
    });
}
