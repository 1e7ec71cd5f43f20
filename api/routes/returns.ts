import { createRoute, z } from '@hono/zod-openapi';
import { REFUND_METHODS } from '../../domain/refunds.js';
import { openCase } from '../../cases/open-case.js';
import { listCases } from '../../db/case-list.js';
import { loadCaseView, waitForCaseView, type CaseView } from '../../db/case-view.js';
import type { Db } from '../../db/client.js';
import { inspectionCoverageErrors } from '../../domain/case-guards.js';
import { CASE_STATUSES, CHANNELS, CONDITIONS, DISPOSITIONS, METHODS } from '../../domain/case-status.js';
import { addParcel, approve, cancelCase, inspect, resendLabel } from '../../workflows/messages.js';
import { updateCase } from '../case-updates.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { CaseViewSchema, Id, IdParam, jsonBody, jsonResponse, MinorUnits, problemResponse } from '../schemas.js';

const StartBody = z
  .object({
    orderId: Id,
    method: z.enum(METHODS),
    channel: z.enum(CHANNELS),
    lines: z
      .array(z.object({ orderLineId: Id, quantity: z.number().int().positive(), reason: z.string().min(1).max(500) }))
      .min(1),
    replacements: z.array(z.object({ sku: z.string().min(1), quantity: z.number().int().positive() })).optional(),
    shipReplacement: z.enum(['immediately', 'after_receipt']).optional(),
    creditAmount: MinorUnits.positive().optional(),
    note: z.string().max(2000).optional(),
    refundMethod: z.enum(REFUND_METHODS).optional().openapi({
      description: 'money back to the original payment (default) or as store credit with the policy bonus',
    }),
  })
  .openapi('StartReturn');

const InspectionBody = z
  .object({
    lines: z
      .array(z.object({ orderLineId: Id, condition: z.enum(CONDITIONS), disposition: z.enum(DISPOSITIONS) }))
      .min(1),
    note: z.string().max(2000).optional(),
  })
  .openapi('Inspection');

const CancelBody = z.object({ reason: z.string().min(1).max(2000) }).openapi('CancelReturn');
const ListQuery = z.object({
  status: z.enum(CASE_STATUSES).optional(),
  method: z.enum(METHODS).optional(),
  customerId: z.string().optional(),
  orderId: z.string().optional(),
  stuck: z.enum(['true', 'false']).optional(),
  channel: z.enum(CHANNELS).optional(),
  market: z.string().min(1).max(20).optional().openapi({ description: "the market of the case's policy snapshot" }),
  q: z
    .string()
    .trim()
    .min(1)
    .max(320)
    .optional()
    .openapi({ description: 'search: a case id, order id, customer e-mail or tracking number (exact match)' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});
const CasePage = z
  .object({ items: z.array(CaseViewSchema.omit({ timeline: true })), nextCursor: z.string().nullable() })
  .openapi('CasePage');

const start = createRoute({
  method: 'post',
  path: '/v1/returns',
  tags: ['Cases'],
  summary: 'Start a return or exchange case',
  security: bearer,
  request: {
    headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
    body: jsonBody(StartBody),
  },
  responses: {
    201: jsonResponse(CaseViewSchema, 'the case'),
    409: problemResponse('the Idempotency-Key was used with another body'),
    422: problemResponse('invalid body or a policy violation'),
    503: problemResponse('Temporal unavailable; nothing was started'),
  },
});
const getOne = createRoute({
  method: 'get',
  path: '/v1/returns/{id}',
  tags: ['Cases'],
  summary: 'A case with its timeline',
  security: bearer,
  request: { params: IdParam },
  responses: { 200: jsonResponse(CaseViewSchema, 'the case'), 404: problemResponse('no such case') },
});
const list = createRoute({
  method: 'get',
  path: '/v1/returns',
  tags: ['Cases'],
  summary: 'Cases, newest first, filtered and paged',
  security: bearer,
  request: { query: ListQuery },
  responses: { 200: jsonResponse(CasePage, 'a page'), 400: problemResponse('invalid query') },
});
const inspection = createRoute({
  method: 'post',
  path: '/v1/returns/{id}/inspection',
  tags: ['Cases'],
  summary: 'Record the inspection of a received case (warehouse)',
  security: bearer,
  request: { params: IdParam, body: jsonBody(InspectionBody) },
  responses: {
    200: jsonResponse(CaseViewSchema, 'accepted by the workflow'),
    404: problemResponse('no such case'),
    409: problemResponse('the case is not waiting for inspection'),
    422: problemResponse('invalid inspection'),
  },
});
const cancel = createRoute({
  method: 'post',
  path: '/v1/returns/{id}/cancel',
  tags: ['Cases'],
  summary: 'Cancel a case before settlement',
  security: bearer,
  request: { params: IdParam, body: jsonBody(CancelBody) },
  responses: {
    200: jsonResponse(CaseViewSchema, 'cancelled'),
    404: problemResponse('no such case'),
    409: problemResponse('already settled or ended'),
  },
});

const ApprovalBody = z.object({ approved: z.boolean(), note: z.string().max(2000).optional() }).openapi('Approval');
const approval = createRoute({
  method: 'post',
  path: '/v1/returns/{id}/approval',
  tags: ['Cases'],
  summary: 'Approve or reject a case waiting for a manager (exchange without return above the limit)',
  security: bearer,
  request: { params: IdParam, body: jsonBody(ApprovalBody) },
  responses: {
    200: jsonResponse(CaseViewSchema, 'the decision is recorded'),
    404: problemResponse('no such case'),
    409: problemResponse('the case is not waiting for approval'),
  },
});

const addParcelRoute = createRoute({
  method: 'post',
  path: '/v1/returns/{id}/parcels',
  tags: ['Cases'],
  summary: 'Issue a label for a further parcel of the same case (goods going back in several boxes)',
  security: bearer,
  request: { params: IdParam },
  responses: {
    201: jsonResponse(CaseViewSchema, 'the case with the new parcel in `parcels`'),
    404: problemResponse('no such case'),
    409: problemResponse('the case no longer waits for parcels'),
  },
});

const resendLabelRoute = createRoute({
  method: 'post',
  path: '/v1/returns/{id}/label/resend',
  tags: ['Cases'],
  summary: 'E-mail the return label (PDF attached) to the customer again',
  description:
    'Each accepted request sends one more e-mail, exactly once. Retrying with the same `Idempotency-Key` ' +
    'does not send it again. Only while the case waits for its parcel.',
  security: bearer,
  request: { params: IdParam, headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }) },
  responses: {
    202: jsonResponse(CaseViewSchema, 'the e-mail was sent; the case'),
    404: problemResponse('no such case'),
    409: problemResponse('the case has no label or no longer waits for its parcel'),
  },
});

/** The case's view; 404 for no such case. */
export async function caseView(db: Db, id: string): Promise<CaseView> {
  const v = await loadCaseView(db, id);
  if (!v) throw new ProblemError(404, `no case ${id}`);
  return v;
}

export function returnRoutes(deps: ApiDeps) {
  const { db, temporal } = deps;
  const settleWaitMs = deps.settleWaitMs ?? 3000;

  const view = (id: string) => caseView(db, id);

  /** Gives the workflow a moment to reach its first wait, so the answer shows the label. */
  async function settled(id: string, done: (v: CaseView) => boolean): Promise<CaseView> {
    const v = await waitForCaseView(db, id, done, settleWaitMs);
    if (!v) throw new ProblemError(404, `no case ${id}`);
    return v;
  }

  return (
    newRouter()
      .openapi(start, async (c) => {
        const body = c.req.valid('json');
        const idempotencyKey = c.req.valid('header')['idempotency-key'];
        const { caseId, replayed } = await openCase(deps, body, { idempotencyKey });
        if (replayed) {
          c.header('Idempotent-Replayed', 'true');
          return c.json(await view(caseId), 201);
        }
        return c.json(await settled(caseId, (v) => v.status !== 'requested'), 201);
      })
      .openapi(getOne, async (c) => c.json(await view(c.req.valid('param').id), 200))
      .openapi(list, async (c) => {
        const q = c.req.valid('query');
        const page = await listCases(db, {
          status: q.status,
          method: q.method,
          customerId: q.customerId,
          orderId: q.orderId,
          stuck: q.stuck === undefined ? undefined : q.stuck === 'true',
          channel: q.channel,
          market: q.market,
          q: q.q,
          limit: q.limit,
          after: q.cursor ? decodeCursor(q.cursor) : undefined,
        });
        return c.json({ items: page.items, nextCursor: page.last ? encodeCursor(page.last) : null }, 200);
      })
      // Whether the case takes a command is the workflow's decision (its validators); the view is
      // read first for the 404 and for what only the projection knows (the case's lines, its label).
      .openapi(inspection, async (c) => {
        const { id } = c.req.valid('param');
        const body = c.req.valid('json');
        const current = await view(id);
        const given = body.lines.map((l) => l.orderLineId);
        const errors = inspectionCoverageErrors(
          id,
          current.lines.map((l) => l.orderLineId),
          given,
        );
        if (errors.length) {
          throw new ProblemError(
            422,
            'the inspection must cover each case line once',
            errors.map((e) => ({ ...e, in: 'body' as const })),
            'validation',
          );
        }
        await updateCase(temporal, id, inspect, {
          lines: body.lines,
          note: body.note,
          inspectedBy: c.get('principal').name,
        });
        return c.json(await view(id), 200);
      })
      .openapi(addParcelRoute, async (c) => {
        const { id } = c.req.valid('param');
        await view(id);
        await updateCase(temporal, id, addParcel, { requestedBy: c.get('principal').name });
        return c.json(await view(id), 201);
      })
      .openapi(resendLabelRoute, async (c) => {
        const { id } = c.req.valid('param');
        const key = c.req.valid('header')['idempotency-key'];
        const current = await view(id);
        if (!current.label)
          throw new ProblemError(409, `case ${id} has no return label (${current.method})`, undefined, 'wrong-state');
        // The same key is the same update: Temporal runs it once per workflow run.
        await updateCase(
          temporal,
          id,
          resendLabel,
          { requestedBy: c.get('principal').name },
          key ? { updateId: `resendLabel:${key}` } : {},
        );
        return c.json(await view(id), 202);
      })
      .openapi(approval, async (c) => {
        const { id } = c.req.valid('param');
        await view(id);
        const body = c.req.valid('json');
        await updateCase(temporal, id, approve, {
          approved: body.approved,
          note: body.note,
          approvedBy: c.get('principal').name,
        });
        return c.json(await view(id), 200);
      })
      .openapi(cancel, async (c) => {
        const { id } = c.req.valid('param');
        await view(id);
        await updateCase(temporal, id, cancelCase, {
          reason: c.req.valid('json').reason,
          cancelledBy: c.get('principal').name,
        });
        return c.json(await view(id), 200);
      })
  );
}
