/** Warehouse reports, read from the projection: parcels on their way, and what came in over a period. */
import { createRoute, z } from '@hono/zod-openapi';
import { and, gte, inArray, isNotNull, lt } from 'drizzle-orm';
import { caseEvents, caseLines, returnCases } from '../../db/schema.js';
import { requireRole } from '../auth.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { jsonResponse, problemResponse, queryPeriod, Timestamp } from '../schemas.js';

const ON_THE_WAY = ['awaiting_parcel', 'in_transit'];
const DAY = 86_400_000;
const AGE_BUCKETS = [
  { name: '0-2d', max: 3 },
  { name: '3-7d', max: 8 },
  { name: '8-14d', max: 15 },
  { name: '15d+', max: Infinity },
];

const InTransit = z
  .object({
    count: z.number().int(),
    byCarrier: z.record(z.string(), z.number().int()),
    byStatus: z.record(z.string(), z.number().int()),
    byAge: z.record(z.string(), z.number().int()),
    parcels: z.array(
      z.object({ caseId: z.string(), trackingNumber: z.string(), carrier: z.string(), status: z.string(), since: z.string().nullable(), ageDays: z.number().int(), deadline: z.string().nullable() }),
    ),
  })
  .openapi('InTransitReport');

const ReturnsReport = z
  .object({
    from: z.string(),
    to: z.string(),
    received: z.number().int(),
    inspected: z.number().int(),
    dispositions: z.record(z.string(), z.object({ lines: z.number().int(), quantity: z.number().int() })),
    conditions: z.record(z.string(), z.object({ lines: z.number().int(), quantity: z.number().int() })),
  })
  .openapi('ReturnsReport');

const inTransit = createRoute({
  method: 'get',
  path: '/v1/reports/in-transit',
  tags: ['Warehouse'],
  summary: 'Return parcels on their way: count, by carrier, status and age',
  security: bearer,
  middleware: [requireRole('warehouse', 'manager')] as const,
  responses: { 200: jsonResponse(InTransit, 'the report') },
});
const returnsReport = createRoute({
  method: 'get',
  path: '/v1/reports/returns',
  tags: ['Warehouse'],
  summary: 'Parcels received and inspected in [from, to), with dispositions and conditions',
  security: bearer,
  middleware: [requireRole('warehouse', 'manager')] as const,
  request: { query: z.object({ from: Timestamp, to: Timestamp }) },
  responses: { 200: jsonResponse(ReturnsReport, 'the report'), 400: problemResponse('invalid period') },
});

const tally = () => new Map<string, { lines: number; quantity: number }>();

export function reportRoutes({ db }: ApiDeps) {
  return newRouter()
    .openapi(inTransit, async (c) => {
      const rows = await db
        .select()
        .from(returnCases)
        .where(and(inArray(returnCases.status, ON_THE_WAY), isNotNull(returnCases.trackingNumber)))
        .orderBy(returnCases.waitingSince);
      const now = Date.now();
      const count = (key: (p: (typeof parcels)[number]) => string) =>
        parcels.reduce<Record<string, number>>((acc, p) => ({ ...acc, [key(p)]: (acc[key(p)] ?? 0) + 1 }), {});
      const parcels = rows.map((r) => {
        const since = r.waitingSince ?? r.createdAt;
        return {
          caseId: r.id,
          trackingNumber: r.trackingNumber!,
          carrier: r.labelCarrier ?? 'local',
          status: r.status,
          since: since.toISOString(),
          ageDays: Math.floor((now - since.getTime()) / DAY),
          deadline: r.deadline?.toISOString() ?? null,
        };
      });
      return c.json(
        {
          count: parcels.length,
          byCarrier: count((p) => p.carrier),
          byStatus: count((p) => p.status),
          byAge: count((p) => AGE_BUCKETS.find((b) => p.ageDays < b.max)!.name),
          parcels,
        },
        200,
      );
    })
    .openapi(returnsReport, async (c) => {
      const { from, to } = c.req.valid('query');
      const { start, end } = queryPeriod(from, to);
      const events = await db
        .select({ caseId: caseEvents.caseId, type: caseEvents.type })
        .from(caseEvents)
        .where(and(inArray(caseEvents.type, ['parcel.received', 'inspected']), gte(caseEvents.at, start), lt(caseEvents.at, end)));
      const inspectedIds = [...new Set(events.filter((e) => e.type === 'inspected').map((e) => e.caseId))];
      const lines = inspectedIds.length ? await db.select().from(caseLines).where(inArray(caseLines.caseId, inspectedIds)) : [];
      const dispositions = tally();
      const conditions = tally();
      for (const l of lines) {
        for (const [map, key] of [
          [dispositions, l.disposition],
          [conditions, l.condition],
        ] as const) {
          if (!key) continue;
          const t = map.get(key) ?? { lines: 0, quantity: 0 };
          map.set(key, { lines: t.lines + 1, quantity: t.quantity + l.quantity });
        }
      }
      return c.json(
        {
          from: start.toISOString(),
          to: end.toISOString(),
          received: new Set(events.filter((e) => e.type === 'parcel.received').map((e) => e.caseId)).size,
          inspected: inspectedIds.length,
          dispositions: Object.fromEntries(dispositions),
          conditions: Object.fromEntries(conditions),
        },
        200,
      );
    });
}

