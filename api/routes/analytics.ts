/** Return analytics for managers: `GET /v1/analytics/returns?from=&to=&groupBy=` and `GET /v1/analytics/daily`. */
import { createRoute, z } from '@hono/zod-openapi';
import { dailyOpenedClosed, loadReturnCounts } from '../../db/analytics.js';
import { ProblemError } from '../problem.js';
import { ANALYTICS_GROUPINGS, summarizeCounts, type AnalyticsGroup } from '../../domain/analytics.js';
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
    'Cases opened in the period, grouped by case-line reason, SKU or product category, or by case method, channel or flagged (`flagged`: opened for a blocklisted customer or a serial returner, `not_flagged`). Return rate compares units returned with units sold (orders placed) in the same period; refunded sums the credit notes of those cases per currency; processing time runs from opening to completion.',
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

/** A chart's worth of days: longer periods are asked for in pieces. */
const MAX_DAYS = 400;

const daily = createRoute({
  method: 'get',
  path: '/v1/analytics/daily',
  tags: ['Reports'],
  summary: 'Cases opened and closed per UTC day over [from, to), days without any included',
  security: bearer,
  request: {
    query: z.object({
      from: Timestamp,
      to: Timestamp,
      market: z.string().min(1).max(20).optional().openapi({ description: 'only cases of this policy market' }),
    }),
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          from: z.string(),
          to: z.string(),
          days: z.array(z.object({ date: z.string(), opened: z.number().int(), closed: z.number().int() })),
        })
        .openapi('DailyReturns'),
      'one entry per day',
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
  return newRouter()
    .openapi(daily, async (c) => {
      const { from, to, market } = c.req.valid('query');
      const { start, end } = queryPeriod(from, to);
      if (end.getTime() - start.getTime() > MAX_DAYS * 86_400_000)
        throw new ProblemError(400, `at most ${MAX_DAYS} days at a time`, [
          { field: 'to', detail: `at most ${MAX_DAYS} days after from`, in: 'query' },
        ]);
      const days = await dailyOpenedClosed(db, start, end, { market });
      return c.json({ from: start.toISOString(), to: end.toISOString(), days }, 200);
    })
    .openapi(analytics, async (c) => {
      const { from, to, groupBy } = c.req.valid('query');
      const { start, end } = queryPeriod(from, to);
      const { groups, total } = summarizeCounts(await loadReturnCounts(db, start, end, groupBy), groupBy);
      return c.json(
        {
          from: start.toISOString(),
          to: end.toISOString(),
          groupBy,
          groups: groups.map(withIso),
          total: withIso(total),
        },
        200,
      );
    });
}
