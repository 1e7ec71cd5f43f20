/**
 * A return or an exchange of the token's order, opened through the same path as every channel
 * (cases/open-case.ts), and its cases as the customer sees them.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { CaseNotOpened, openCase } from '../../../cases/open-case.js';
import { waitForCaseView } from '../../../db/case-view.js';
import { returnReasonsOf } from '../../../domain/policy.js';
import { REFUND_METHODS } from '../../../domain/refunds.js';
import { exchangeViolations } from '../../../domain/returnability.js';
import { ProblemError } from '../../problem.js';
import { newRouter } from '../../router.js';
import { Id, IdParam, jsonBody, jsonResponse, problemResponse } from '../../schemas.js';
import { PostalAddressSchema } from '../orders.js';
import { portalCase, PortalCase } from './case-view.js';
import { portalToken, tags, unauthorized, type Portal } from './shared.js';

const PortalReturnBody = z
  .object({
    orderId: Id.openapi({ description: "must be the portal token's order" }),
    method: z.enum(['return_to_stock', 'exchange']),
    lines: z
      .array(
        z.object({
          orderLineId: Id,
          quantity: z.number().int().positive().max(1_000_000),
          reason: z.string().min(1).max(50).openapi({ description: "a code of the order's `reasons`" }),
        }),
      )
      .min(1)
      .max(100),
    replacements: z
      .array(z.object({ sku: Id, quantity: z.number().int().positive().max(1_000_000) }))
      .max(100)
      .optional()
      .openapi({ description: 'exchange only: other variants of the returned products, in stock' }),
    refundMethod: z.enum(REFUND_METHODS).optional(),
    note: z.string().max(2000).optional(),
    returnAddress: PostalAddressSchema.nullish().openapi({
      description: "the return label's FROM address when it differs from the order's",
    }),
  })
  .openapi('PortalReturn');

const startRoute = createRoute({
  method: 'post',
  path: '/v1/portal/returns',
  tags,
  summary: 'Start a return or an exchange of the token’s order (channel portal)',
  security: portalToken,
  request: { body: jsonBody(PortalReturnBody) },
  responses: {
    201: jsonResponse(PortalCase, 'the case'),
    401: unauthorized,
    404: problemResponse("the token's order is no longer known"),
    422: problemResponse('invalid body or a policy violation: `errors` names the field'),
    503: problemResponse('Temporal unavailable; nothing was started'),
  },
});
const caseRoute = createRoute({
  method: 'get',
  path: '/v1/portal/returns/{id}',
  tags,
  summary: 'A case of the token’s order, as the customer sees it',
  security: portalToken,
  request: { params: IdParam },
  responses: {
    200: jsonResponse(PortalCase, 'the case'),
    401: unauthorized,
    404: problemResponse('no such case for this order'),
  },
});

/** Refuses with the field at fault, the way openCase does (api/app.ts answers it). */
const refuse = (violations: { field: string; detail: string }[]) => {
  throw new CaseNotOpened('policy-violation', violations.map((v) => v.detail).join('; '), violations);
};

export function returnsRoutes({ deps, db, tokenOrder, orderContext, catalogueOf, caseOfToken }: Portal) {
  const settleWaitMs = deps.settleWaitMs ?? 3000;
  return newRouter()
    .openapi(startRoute, async (c) => {
      const orderId = tokenOrder(c);
      const body = c.req.valid('json');
      if (body.orderId !== orderId) refuse([{ field: 'orderId', detail: 'must be the order you signed in with' }]);
      const { policy, lines } = await orderContext(orderId);
      const codes = new Set(returnReasonsOf(policy).map((r) => r.code));
      const violations = body.lines.flatMap((l, i) =>
        codes.has(l.reason)
          ? []
          : [{ field: `lines[${i}].reason`, detail: `not one of the shop's reasons: ${[...codes].join(', ')}` }],
      );
      if (body.method === 'exchange' && body.replacements?.length) {
        const skuOf = new Map(lines.map((l) => [l.id, l.sku]));
        const returnedSkus = body.lines.flatMap((l) => (skuOf.has(l.orderLineId) ? [skuOf.get(l.orderLineId)!] : []));
        const catalogue = await catalogueOf([...returnedSkus, ...body.replacements.map((r) => r.sku)]);
        violations.push(...exchangeViolations({ returnedSkus, replacements: body.replacements, catalogue }));
      }
      if (violations.length) refuse(violations);
      const { caseId } = await openCase(deps, {
        orderId,
        method: body.method,
        channel: 'portal',
        lines: body.lines,
        ...(body.replacements ? { replacements: body.replacements } : {}),
        ...(body.refundMethod ? { refundMethod: body.refundMethod } : {}),
        ...(body.note ? { note: body.note } : {}),
        ...(body.returnAddress ? { returnAddress: body.returnAddress } : {}),
      });
      // A moment for the workflow's first step, so the answer carries the label.
      const view = await waitForCaseView(db, caseId, (v) => v.status !== 'requested', settleWaitMs);
      if (!view) throw new ProblemError(404, `no case ${caseId}`);
      return c.json(await portalCase(db, view), 201);
    })
    .openapi(caseRoute, async (c) => {
      const view = await caseOfToken(c, c.req.valid('param').id);
      return c.json(await portalCase(db, view), 200);
    });
}
