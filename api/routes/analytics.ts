/** Return analytics for managers: `GET /v1/analytics/returns?from=&to=&groupBy=`. */
import { createRoute, z } from '@hono/zod-openapi';
import { loadAnalyticsInput } from '../../db/analytics.js';
import { ANALYTICS_GROUPINGS, summarizeReturns, type AnalyticsGroup } from '../../domain/analytics.js';
import { formatDuration } from '../../domain/duration.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { jsonResponse, problemResponse, queryPeriod, Timestamp } from '../schemas.js';

const Group = z
  .object({
    key: z.string(),
    cases: z.number().int(),
    units: z.number().int(),
    returnRate: z.number().nullable().openapi({
      description: 'units returned / units sold in the period (per SKU or category for those groupings), 4 decimals',
    }),
    refunded: z.array(z.object({ amount: z.number().int(), currency: z.string() })),
    completed: z.number().int(),
    averageProcessingSeconds: z.number().int().nullable(),
    averageProcessingTime: z
      .string()
      .nullable()
      .openapi({ description: 'the same as an ISO 8601 duration', example: 'PT26H5M' }),
  })
  .openapi('ReturnAnalyticsGroup');

const analytics = createRoute({
  method: 'get',
  path: '/v1/analytics/returns',
  tags: ['Reports'],
  summary: 'Return analytics over [from, to): counts, return rate, refunded value, average processing time',
  description:
    'Cases opened in the period, grouped by case-line reason, SKU or product category, or by case method or channel. Return rate compares units returned with units sold (orders placed) in the same period; refunded sums the credit notes of those cases per currency; processing time runs from opening to completion.',
  security: bearer,
  request: {
    query: z.object({ from: Timestamp, to: Timestamp, groupBy: z.enum(ANALYTICS_GROUPINGS).default('reason') }),
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          from: z.string(),
          to: z.string(),
          groupBy: z.enum(ANALYTICS_GROUPINGS),
          groups: z.array(Group),
          total: Group,
        })
        .openapi('ReturnAnalytics'),
      'the analytics',
    ),
    400: problemResponse('bad query (names the field)'),
    403: problemResponse('not a manager'),
  },
});

const withIso = (g: AnalyticsGroup) => ({
  ...g,
  averageProcessingTime: g.averageProcessingSeconds === null ? null : formatDuration(g.averageProcessingSeconds),
});

export function analyticsRoutes({ db }: ApiDeps) {
  return newRouter().openapi(analytics, async (c) => {
    const { from, to, groupBy } = c.req.valid('query');
    const { start, end } = queryPeriod(from, to);
    const { groups, total } = summarizeReturns(await loadAnalyticsInput(db, start, end), groupBy);
    return c.json(
      { from: start.toISOString(), to: end.toISOString(), groupBy, groups: groups.map(withIso), total: withIso(total) },
      200,
    );
  });
}
