import { createRoute, z } from '@hono/zod-openapi';
import { LABEL_CARRIERS } from '../../carriers/index.js';
import type { Policy } from '../../domain/policy.js';
import { policyFor, savePolicy } from '../../db/policies.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { jsonBody, jsonResponse, problemResponse } from '../schemas.js';

/** Exactly what isDuration (domain/duration.ts) accepts, without lookaheads, so /openapi.json can state it. */
const SECONDS = String.raw`\d+(?:\.\d{1,3})?S`;
const TIME = String.raw`T(?:\d+H(?:\d+M)?(?:${SECONDS})?|\d+M(?:${SECONDS})?|${SECONDS})`;
const DATE = String.raw`(?:\d+Y(?:\d+M)?(?:\d+W)?(?:\d+D)?|\d+M(?:\d+W)?(?:\d+D)?|\d+W(?:\d+D)?|\d+D)`;
export const DURATION_PATTERN = new RegExp(`^P(?:${DATE}(?:${TIME})?|${TIME})$`);
const Duration = z
  .string()
  .regex(DURATION_PATTERN, 'an ISO 8601 duration such as P30D or PT48H')
  .openapi({ example: 'P30D' });
const ReasonLabel = z.string().min(1).max(200);
const ReturnReasonSchema = z
  .object({
    code: z
      .string()
      .regex(/^[a-z0-9_]{1,50}$/, 'lower-case letters, digits and _ (at most 50)')
      .openapi({ example: 'wrong_size' }),
    labels: z.object({ en: ReasonLabel, nb: ReasonLabel, sv: ReasonLabel, da: ReasonLabel, fi: ReasonLabel }),
  })
  .openapi('ReturnReason');
const Percent = z.number().min(0).max(100).multipleOf(0.01, 'at most two decimals').openapi({ multipleOf: 0.01 });

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
    replacementGiveUpAfter: Duration.optional().openapi({
      description:
        'how long an out-of-stock replacement is tried for (default P30D); then the exchange is credited instead',
    }),
    refundOn: z
      .enum(['receipt', 'inspection'])
      .optional()
      .openapi({ description: 'refund once the parcel is received, or once inspected (default)' }),
    refundDeadline: Duration.optional().openapi({
      description: 'from the case start; default P14D (right of withdrawal)',
    }),
    storeCreditBonusPercent: Percent.optional().openapi({
      description: 'bonus on store credit instead of money; default 0',
    }),
    returnShippingFee: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .openapi({ description: 'minor units kept from a refund, not for defective goods; default 0' }),
    returnReasons: z
      .array(ReturnReasonSchema)
      .min(1)
      .max(50)
      .refine((rs) => new Set(rs.map((r) => r.code)).size === rs.length, 'reason codes must be unique')
      .optional()
      .openapi({
        description:
          'the reasons customers pick from in the portal, labelled in en, nb, sv, da and fi; default: wrong_size, changed_mind, defective, not_as_described, arrived_late, other (`defective` waives the return shipping fee)',
      }),
    serialReturnerRate: z.number().min(0).max(1).optional().openapi({
      description:
        'a customer who returned at least this share (0–1) of the value ordered in 12 months is a serial returner: new return_to_stock and exchange cases wait for approval; unset: no such rule',
      example: 0.6,
    }),
    serialReturnerMinCases: z.number().int().min(1).max(1000).optional().openapi({
      description: 'the serial-returner rule needs at least this many returns in 12 months (default 3)',
    }),
    labelCarrier: z.enum(LABEL_CARRIERS).optional().openapi({
      description:
        "who issues return labels: `local` (default; parcels arrive by dock scan) or `postnord` (item ids from the shop's PostNord range; tracking polled). The worker must have the carrier configured.",
    }),
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
      await savePolicy(db, market, body);
      return c.json(body, 200);
    })
    .openapi(get, async (c) => {
      const { market } = c.req.valid('param');
      const policy = await policyFor(db, market);
      if (!policy) throw new ProblemError(404, `no policy for ${market}`);
      return c.json(policy, 200);
    });
}
