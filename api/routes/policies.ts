import { createRoute, z } from '@hono/zod-openapi';
import { LABEL_CARRIERS } from '../../carriers/index.js';
import { isDuration } from '../../domain/duration.js';
import type { Policy } from '../../domain/policy.js';
import { policies } from '../../db/schema.js';
import { requireRole } from '../auth.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { jsonBody, jsonResponse, problemResponse } from '../schemas.js';
import { policyFor } from '../policy-lookup.js';

const Duration = z.string().refine(isDuration, 'an ISO 8601 duration such as P30D or PT48H').openapi({ example: 'P30D' });
const Percent = z.number().min(0).max(100).refine((n) => Number.isInteger(Math.round(n * 100)) && Math.abs(n * 100 - Math.round(n * 100)) < 1e-9, 'at most two decimals');

export const PolicyBody = z
  .object({
    returnWindow: Duration,
    labelReminderAfter: Duration,
    parcelDeadline: Duration,
    inspectionDeadline: Duration,
    followUpAfter: Duration,
    restockingFeePercent: z.object({ opened: Percent, damaged: Percent }),
    exchangeWithoutReturnMaxValue: z.number().int().nonnegative(),
    nonReturnableCategories: z.array(z.string().min(1)).default([]),
    approvalDeadline: Duration.optional(),
    replacementStockDeadline: Duration.optional(),
    labelCarrier: z
      .enum(LABEL_CARRIERS)
      .optional()
      .openapi({ description: 'who issues return labels: `local` (default; parcels arrive by dock scan) or `postnord` (item ids from the shop\'s PostNord range; tracking polled). The worker must have the carrier configured.' }),
  })
  .openapi('PolicyInput');
const PolicyView = PolicyBody.extend({ market: z.string() }).openapi('Policy');
const MarketParam = z.object({
  market: z
    .string()
    .regex(/^([A-Z]{2}|default)$/, 'a two-letter country code (NO, SE, …) or default')
    .openapi({ param: { name: 'market', in: 'path' }, example: 'NO' }),
});

const put = createRoute({
  method: 'put',
  path: '/v1/policies/{market}',
  tags: ['Reference data'],
  summary: "Set a market's return policy (admin, manager)",
  security: bearer,
  middleware: [requireRole('manager')] as const,
  request: { params: MarketParam, body: jsonBody(PolicyBody) },
  responses: { 200: jsonResponse(PolicyView, 'the policy in force'), 422: problemResponse('invalid policy') },
});
const get = createRoute({
  method: 'get',
  path: '/v1/policies/{market}',
  tags: ['Reference data'],
  summary: "A market's policy (falls back to default, then built-in defaults)",
  security: bearer,
  request: { params: MarketParam },
  responses: { 200: jsonResponse(PolicyView, 'the policy'), 404: problemResponse('none') },
});

export function policyRoutes({ db }: ApiDeps) {
  return newRouter()
    .openapi(put, async (c) => {
      const { market } = c.req.valid('param');
      const body: Policy = { market, ...c.req.valid('json') };
      await db
        .insert(policies)
        .values({ market, body })
        .onConflictDoUpdate({ target: policies.market, set: { body, updatedAt: new Date() } });
      return c.json(body, 200);
    })
    .openapi(get, async (c) => {
      const { market } = c.req.valid('param');
      const policy = await policyFor(db, market);
      if (!policy) throw new ProblemError(404, `no policy for ${market}`);
      return c.json(policy, 200);
    });
}

