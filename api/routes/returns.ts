import { createRoute, z } from '@hono/zod-openapi';
import { randomBytes, createHash } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { stringify } from 'safe-stable-stringify';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { CASE_STATUSES, CHANNELS, CONDITIONS, DISPOSITIONS, METHODS } from '../../domain/case-status.js';
import { checkReturnRequest } from '../../domain/policy.js';
import { claimedQuantities, creditedAmounts } from '../../db/claims.js';
import { replacementValue } from '../../domain/exchange.js';
import { paidValue } from '../../domain/settlement.js';
import { listCases, loadCaseView, type CaseView } from '../../db/case-view.js';
import { caseLines, customers, idempotencyKeys, orderLines, orders, products, returnCases } from '../../db/schema.js';
import {
  addParcel,
  approve,
  cancelCase,
  caseWorkflowId,
  inspect,
  ReturnStatusAttribute,
  type ReturnCaseInput,
} from '../../workflows/messages.js';
import type { returnCase } from '../../workflows/return-case.js';
import { requireRole } from '../auth.js';
import { policyFor } from '../policy-lookup.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { CaseViewSchema, Id, jsonBody, jsonResponse, MinorUnits, problemResponse } from '../schemas.js';
import { toProblem } from '../temporal-errors.js';

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
const IdParam = z.object({ id: Id.openapi({ param: { name: 'id', in: 'path' } }) });
const ListQuery = z.object({
  status: z.enum(CASE_STATUSES).optional(),
  method: z.enum(METHODS).optional(),
  customerId: z.string().optional(),
  orderId: z.string().optional(),
  stuck: z.enum(['true', 'false']).optional(),
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
  middleware: [requireRole('customer_service', 'portal', 'manager')] as const,
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
  middleware: [requireRole('customer_service', 'portal', 'warehouse', 'manager')] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(CaseViewSchema, 'the case'), 404: problemResponse('no such case') },
});
const list = createRoute({
  method: 'get',
  path: '/v1/returns',
  tags: ['Cases'],
  summary: 'Cases, newest first, filtered and paged',
  security: bearer,
  middleware: [requireRole('customer_service', 'portal', 'warehouse', 'manager')] as const,
  request: { query: ListQuery },
  responses: { 200: jsonResponse(CasePage, 'a page'), 400: problemResponse('invalid query') },
});
const inspection = createRoute({
  method: 'post',
  path: '/v1/returns/{id}/inspection',
  tags: ['Cases'],
  summary: 'Record the inspection of a received case (warehouse)',
  security: bearer,
  middleware: [requireRole('warehouse')] as const,
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
  middleware: [requireRole('customer_service', 'manager')] as const,
  request: { params: IdParam, body: jsonBody(CancelBody) },
  responses: {
    200: jsonResponse(CaseViewSchema, 'cancelled'),
    404: problemResponse('no such case'),
    409: problemResponse('already settled or ended'),
  },
});

const encodeCursor = (last: { createdAt: Date; id: string }) =>
  Buffer.from(JSON.stringify([last.createdAt.toISOString(), last.id])).toString('base64url');
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const createdAt = new Date(at);
    if (typeof id !== 'string' || Number.isNaN(createdAt.getTime())) throw new Error();
    return { createdAt, id };
  } catch {
    throw new ProblemError(400, 'invalid cursor', [{ field: 'cursor', detail: 'not a cursor from a previous page', in: 'query' }]);
  }
}

/** Crockford base32, no look-alike letters: readable on the phone. */
function newCaseId(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return `RET-${[...randomBytes(10)].map((b) => alphabet[b % 32]).join('')}`;
}

const ApprovalBody = z.object({ approved: z.boolean(), note: z.string().max(2000).optional() }).openapi('Approval');
const approval = createRoute({
  method: 'post',
  path: '/v1/returns/{id}/approval',
  tags: ['Cases'],
  summary: 'Approve or reject a case waiting for a manager (exchange without return above the limit)',
  security: bearer,
  middleware: [requireRole('manager')] as const,
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
  middleware: [requireRole('customer_service', 'portal', 'manager')] as const,
  request: { params: IdParam },
  responses: {
    201: jsonResponse(CaseViewSchema, 'the case with the new parcel in `parcels`'),
    404: problemResponse('no such case'),
    409: problemResponse('the case no longer waits for parcels'),
  },
});

/** Methods whose returned goods come back (label, parcel, inspection). */
const GOODS_COME_BACK = new Set(['return_to_stock', 'exchange']);

export function returnRoutes(deps: ApiDeps) {
  const { db, temporal, taskQueue } = deps;
  const settleWaitMs = deps.settleWaitMs ?? 3000;

  async function view(id: string): Promise<CaseView> {
    const v = await loadCaseView(db, id);
    if (!v) throw new ProblemError(404, `no case ${id}`);
    return v;
  }

  /** Gives the workflow a moment to reach its first wait, so the answer shows the label. */
  async function settled(id: string, done: (v: CaseView) => boolean): Promise<CaseView> {
    const until = Date.now() + settleWaitMs;
    let v = await view(id);
    while (!done(v) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      v = await view(id);
    }
    return v;
  }

  async function startWorkflow(input: ReturnCaseInput): Promise<void> {
    try {
      await temporal.workflow.start<typeof returnCase>('returnCase', {
        workflowId: caseWorkflowId(input.caseId),
        taskQueue,
        args: [input],
        typedSearchAttributes: [{ key: ReturnStatusAttribute, value: 'requested' }],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  return newRouter()
    .openapi(start, async (c) => {
      const body = c.req.valid('json');
      const idemKey = c.req.valid('header')['idempotency-key'];
      const requestHash = createHash('sha256').update(stringify(body) ?? '').digest('hex');
      const exchange = body.method === 'exchange' || body.method === 'exchange_without_return';
      if (exchange && !body.replacements?.length) {
        throw new ProblemError(422, 'an exchange needs replacements', [{ field: 'replacements', detail: 'required for exchange methods', in: 'body' }]);
      }
      if (!exchange && body.replacements?.length) {
        throw new ProblemError(422, 'replacements are only for exchanges', [{ field: 'replacements', detail: `not allowed for ${body.method}`, in: 'body' }]);
      }
      if (body.creditAmount !== undefined && body.method !== 'credit_only') {
        throw new ProblemError(422, 'creditAmount is only for credit_only', [{ field: 'creditAmount', detail: `not allowed for ${body.method}`, in: 'body' }]);
      }
      if (idemKey) {
        const [seen] = await db
          .select()
          .from(idempotencyKeys)
          .where(and(eq(idempotencyKeys.scope, 'returns'), eq(idempotencyKeys.key, idemKey)));
        if (seen) {
          if (seen.requestHash !== requestHash) throw new ProblemError(409, 'this Idempotency-Key was used with a different body', undefined, 'idempotency-conflict');
          c.header('Idempotent-Replayed', 'true');
          return c.json(await view(seen.resourceId), 201);
        }
      }

      const [order] = await db.select().from(orders).where(eq(orders.id, body.orderId));
      if (!order) throw new ProblemError(422, `no order ${body.orderId}`, [{ field: 'orderId', detail: 'unknown order', in: 'body' }]);
      const [customer] = await db.select().from(customers).where(eq(customers.id, order.customerId));
      const policy = await policyFor(db, customer?.country ?? 'default');
      const caseId = newCaseId();

      const input = await db.transaction(async (tx) => {
        // Lock the order's lines so concurrent requests cannot both claim the last unit.
        const lines = await tx.select().from(orderLines).where(eq(orderLines.orderId, order.id)).for('update');
        const claimed = await claimedQuantities(tx as never, order.id);
        const skus = [...new Set(lines.map((l) => l.sku))];
        const productRows = skus.length ? await tx.select().from(products).where(inArray(products.sku, skus)) : [];
        const violations = checkReturnRequest({
          order: { placedAt: order.placedAt.toISOString(), deliveredAt: order.deliveredAt?.toISOString(), lines },
          products: new Map(productRows.map((p) => [p.sku, p])),
          // Credit only moves money, not goods: it is limited by what is left to credit, below.
          claimed: body.method === 'credit_only' ? new Map() : claimed,
          lines: body.lines,
          policy,
          now: new Date(),
          requiresGoods: GOODS_COME_BACK.has(body.method),
        });
        const byId = new Map(lines.map((l) => [l.id, l]));
        const paidLines = body.lines.flatMap((l) => {
          const ol = byId.get(l.orderLineId);
          return ol ? [{ orderLineId: l.orderLineId, sku: ol.sku, quantity: l.quantity, unitPrice: ol.unitPrice, vatRate: ol.vatRate }] : [];
        });
        let creditAmount: number | undefined;
        if (body.method === 'credit_only' && violations.length === 0) {
          const credited = await creditedAmounts(tx as never, order.id);
          const creditable = paidLines.reduce((sum, l) => {
            const ol = byId.get(l.orderLineId)!;
            return sum + Math.min(l.unitPrice * l.quantity, ol.unitPrice * ol.quantity - (credited.get(l.orderLineId) ?? 0));
          }, 0);
          creditAmount = body.creditAmount ?? creditable;
          if (creditAmount > creditable || creditable <= 0) {
            violations.push({ field: 'creditAmount', detail: `at most ${Math.max(0, creditable)} can be credited for these lines (paid minus already credited)` });
          }
        }
        let replacements: { sku: string; quantity: number; unitPrice: number }[] = [];
        if (exchange) {
          const wanted = body.replacements!;
          const rows = await tx.select().from(products).where(inArray(products.sku, [...new Set(wanted.map((r) => r.sku))]));
          replacements = wanted.flatMap((r, i) => {
            const p = rows.find((x) => x.sku === r.sku);
            if (!p) violations.push({ field: `replacements[${i}].sku`, detail: `no product ${r.sku}` });
            else if (p.currency !== order.currency) violations.push({ field: `replacements[${i}].sku`, detail: `priced in ${p.currency}, the order in ${order.currency}` });
            return p ? [{ sku: r.sku, quantity: r.quantity, unitPrice: p.price }] : [];
          });
        }
        if (violations.length) {
          throw new ProblemError(422, violations.map((v) => v.detail).join('; '), violations.map((v) => ({ ...v, in: 'body' as const })), 'policy-violation');
        }
        await tx.insert(returnCases).values({
          id: caseId,
          orderId: order.id,
          customerId: order.customerId,
          method: body.method,
          channel: body.channel,
          status: 'requested',
          currency: order.currency,
          policy,
          replacements,
          shipReplacement: body.method === 'exchange' ? (body.shipReplacement ?? 'after_receipt') : null,
          creditAmount: creditAmount ?? null,
          priceDifference: exchange ? replacementValue(replacements) - paidValue(paidLines) : null,
          note: body.note ?? null,
        });
        await tx.insert(caseLines).values(
          body.lines.map((l) => ({
            caseId,
            orderId: order.id,
            orderLineId: l.orderLineId,
            sku: byId.get(l.orderLineId)!.sku,
            quantity: l.quantity,
            reason: l.reason,
          })),
        );
        if (idemKey) {
          const ok = await tx
            .insert(idempotencyKeys)
            .values({ scope: 'returns', key: idemKey, requestHash, resourceId: caseId })
            .onConflictDoNothing()
            .returning();
          if (ok.length === 0) throw new ProblemError(409, 'a request with this Idempotency-Key is in progress; retry', undefined, 'idempotency-conflict');
        }
        const caseInput: ReturnCaseInput = {
          caseId,
          orderId: order.id,
          customerId: order.customerId,
          method: body.method,
          channel: body.channel,
          currency: order.currency,
          policy,
          lines: body.lines.map((l) => {
            const ol = byId.get(l.orderLineId)!;
            return { orderLineId: l.orderLineId, sku: ol.sku, name: ol.name, quantity: l.quantity, reason: l.reason, unitPrice: ol.unitPrice, vatRate: ol.vatRate };
          }),
          ...(exchange ? { replacements } : {}),
          ...(body.method === 'exchange' ? { shipReplacement: body.shipReplacement ?? 'after_receipt' } : {}),
          ...(creditAmount !== undefined ? { creditAmount } : {}),
        };
        return caseInput;
      });

      try {
        await startWorkflow(input);
      } catch (err) {
        // Never started: take the case back so it claims nothing, and say so.
        await db.transaction(async (tx) => {
          await tx.delete(idempotencyKeys).where(eq(idempotencyKeys.resourceId, caseId));
          await tx.delete(caseLines).where(eq(caseLines.caseId, caseId));
          await tx.delete(returnCases).where(eq(returnCases.id, caseId));
        });
        throw new ProblemError(503, `could not start the case workflow: ${(err as Error).message}`);
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
        limit: q.limit,
        after: q.cursor ? decodeCursor(q.cursor) : undefined,
      });
      return c.json({ items: page.items, nextCursor: page.last ? encodeCursor(page.last) : null }, 200);
    })
    .openapi(inspection, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const current = await view(id);
      const known = new Set(current.lines.map((l) => l.orderLineId));
      const errors = body.lines.flatMap((l, i) =>
        known.has(l.orderLineId) ? [] : [{ field: `lines[${i}].orderLineId`, detail: `case ${id} has no line ${l.orderLineId}`, in: 'body' as const }],
      );
      const given = new Set(body.lines.map((l) => l.orderLineId));
      for (const lineId of known) if (!given.has(lineId)) errors.push({ field: 'lines', detail: `line ${lineId} is not inspected`, in: 'body' });
      if (given.size !== body.lines.length) errors.push({ field: 'lines', detail: 'a line is listed twice', in: 'body' });
      if (errors.length) throw new ProblemError(422, 'the inspection must cover each case line once', errors, 'validation');
      if (current.waitingFor !== 'inspection') throw new ProblemError(409, `case is ${current.status}, not waiting for inspection`, undefined, 'wrong-state');
      try {
        await temporal.workflow.getHandle(caseWorkflowId(id)).executeUpdate(inspect, {
          args: [{ lines: body.lines, note: body.note, inspectedBy: c.get('principal').name }],
        });
      } catch (err) {
        throw toProblem(err);
      }
      return c.json(await view(id), 200);
    })
    .openapi(addParcelRoute, async (c) => {
      const { id } = c.req.valid('param');
      const current = await view(id);
      if (current.waitingFor !== 'parcel' && current.waitingFor !== 'receipt') {
        throw new ProblemError(409, `case is ${current.status}, not waiting for parcels`, undefined, 'wrong-state');
      }
      try {
        await temporal.workflow.getHandle(caseWorkflowId(id)).executeUpdate(addParcel, { args: [{ requestedBy: c.get('principal').name }] });
      } catch (err) {
        throw toProblem(err);
      }
      return c.json(await view(id), 201);
    })
    .openapi(approval, async (c) => {
      const { id } = c.req.valid('param');
      const current = await view(id);
      if (current.waitingFor !== 'approval') throw new ProblemError(409, `case is ${current.status}, not waiting for approval`, undefined, 'wrong-state');
      const body = c.req.valid('json');
      try {
        await temporal.workflow.getHandle(caseWorkflowId(id)).executeUpdate(approve, {
          args: [{ approved: body.approved, note: body.note, approvedBy: c.get('principal').name }],
        });
      } catch (err) {
        throw toProblem(err);
      }
      return c.json(await view(id), 200);
    })
    .openapi(cancel, async (c) => {
      const { id } = c.req.valid('param');
      const current = await view(id);
      if (['completed', 'cancelled', 'expired', 'rejected'].includes(current.status)) {
        throw new ProblemError(409, `case is ${current.status}; it can no longer be cancelled`, undefined, 'wrong-state');
      }
      try {
        await temporal.workflow.getHandle(caseWorkflowId(id)).executeUpdate(cancelCase, {
          args: [{ reason: c.req.valid('json').reason, cancelledBy: c.get('principal').name }],
        });
      } catch (err) {
        throw toProblem(err);
      }
      return c.json(await view(id), 200);
    });
}

