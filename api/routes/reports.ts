/**
 * Reports: for the warehouse, parcels on their way and what came in over a period; for finance, the
 * reconciliation of credit notes against the money that went back.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { reconciliationRows, type ReconciliationRows } from '../../db/reconciliation.js';
import { casesWithParcelOnTheWay, linesOfCases, receiptsAndInspections } from '../../db/reports.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { jsonResponse, problemResponse, queryPeriod, Timestamp } from '../schemas.js';

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
      z.object({
        caseId: z.string(),
        trackingNumber: z.string(),
        carrier: z.string(),
        status: z.string(),
        since: z.string().nullable(),
        ageDays: z.number().int(),
        deadline: z.string().nullable(),
      }),
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
  responses: { 200: jsonResponse(InTransit, 'the report') },
});
const returnsReport = createRoute({
  method: 'get',
  path: '/v1/reports/returns',
  tags: ['Warehouse'],
  summary: 'Parcels received and inspected in [from, to), with dispositions and conditions',
  security: bearer,
  request: { query: z.object({ from: Timestamp, to: Timestamp }) },
  responses: { 200: jsonResponse(ReturnsReport, 'the report'), 400: problemResponse('invalid period') },
});

const Amount = z.number().int();
const ReconciliationFigures = z.object({
  currency: z.string(),
  creditNotes: Amount.openapi({ description: 'credit notes issued (by the day issued)' }),
  refundsSucceeded: Amount.openapi({
    description: 'money refunded to payments, succeeded (by the day the refund was planned); store credit is apart',
  }),
  refundsPending: Amount.openapi({ description: 'refunds not settled yet (store credit: its principal)' }),
  refundsFailed: Amount.openapi({
    description: 'refunds refused by the provider, waiting for finance (store credit: its principal)',
  }),
  storeCredit: z
    .object({
      principal: Amount.openapi({ description: 'what was credited' }),
      bonus: Amount.openapi({ description: "the policy's bonus on top (not part of the credit)" }),
    })
    .openapi({ description: 'store credit issued instead of money' }),
  fees: Amount.openapi({ description: 'return shipping fees kept from payouts' }),
  delivery: Amount.openapi({ description: 'delivery costs refunded on top of the credit (whole order back)' }),
  shortfall: Amount.openapi({
    description: "beyond what the order's payments could still give back: for finance to pay another way",
  }),
  charges: Amount.openapi({ description: 'charges recorded (customers owing the shop)' }),
  difference: Amount.openapi({
    description: 'creditNotes − (refundsSucceeded + storeCredit.principal + fees − delivery + shortfall)',
  }),
  explainedBy: z
    .object({ pending: Amount, failed: Amount })
    .openapi({ description: 'the refunds that make up the difference' }),
  unexplained: Amount.openapi({ description: 'difference − pending − failed: 0 when the books balance' }),
});
const Reconciliation = z
  .object({
    from: z.string(),
    to: z.string(),
    days: z
      .array(ReconciliationFigures.extend({ day: z.string().openapi({ example: '2026-11-01', description: 'UTC' }) }))
      .openapi({ description: 'per UTC day and currency, oldest first' }),
    totals: z.array(ReconciliationFigures).openapi({ description: 'per currency over the period' }),
  })
  .openapi('ReconciliationReport');

const reconciliation = createRoute({
  method: 'get',
  path: '/v1/reports/reconciliation',
  tags: ['Finance'],
  summary: 'Credit notes against refunds, store credit, fees and charges in [from, to), per UTC day and currency',
  description:
    'Every credit note is paid out as refunds (or store credit) less the return shipping fee, plus the delivery cost when the whole order came back, and any shortfall beyond what the payments can give back. ' +
    'So `difference` = creditNotes − (refundsSucceeded + storeCredit.principal + fees − delivery + shortfall) is the refunds still pending or failed (`explainedBy`), and `unexplained` is 0. ' +
    'Credit notes count on the day issued, refunds on the day planned, with their current status. A day boundary between a credit note and its refunds shows on both days, and evens out in `totals`.',
  security: bearer,
  request: { query: z.object({ from: Timestamp, to: Timestamp }) },
  responses: { 200: jsonResponse(Reconciliation, 'the report'), 400: problemResponse('invalid period') },
});

type Figures = z.infer<typeof ReconciliationFigures>;

const emptyFigures = (currency: string): Figures => ({
  currency,
  creditNotes: 0,
  refundsSucceeded: 0,
  refundsPending: 0,
  refundsFailed: 0,
  storeCredit: { principal: 0, bonus: 0 },
  fees: 0,
  delivery: 0,
  shortfall: 0,
  charges: 0,
  difference: 0,
  explainedBy: { pending: 0, failed: 0 },
  unexplained: 0,
});

/** Adds the rows up by `key` (a day and currency, or a currency), with the difference and what explains it. */
function reconcile(
  rows: ReconciliationRows,
  keyOf: (r: { day: string; currency: string }) => string,
): Map<string, Figures> {
  const out = new Map<string, Figures>();
  const at = (r: { day: string; currency: string }) => {
    const key = keyOf(r);
    let f = out.get(key);
    if (!f) out.set(key, (f = emptyFigures(r.currency)));
    return f;
  };
  for (const r of rows.creditNotes) at(r).creditNotes += r.amount;
  for (const r of rows.refunds) {
    const f = at(r);
    if (r.status === 'succeeded' && r.store) {
      f.storeCredit.principal += r.principal;
      f.storeCredit.bonus += r.bonus;
    } else if (r.status === 'succeeded') f.refundsSucceeded += r.principal;
    else if (r.status === 'pending') f.refundsPending += r.principal;
    else f.refundsFailed += r.principal;
  }
  for (const r of rows.payouts) {
    const f = at(r);
    f.fees += r.fee;
    f.delivery += r.delivery;
    f.shortfall += r.shortfall;
  }
  for (const r of rows.charges) at(r).charges += r.amount;
  for (const f of out.values()) {
    f.difference = f.creditNotes - (f.refundsSucceeded + f.storeCredit.principal + f.fees - f.delivery + f.shortfall);
    f.explainedBy = { pending: f.refundsPending, failed: f.refundsFailed };
    f.unexplained = f.difference - f.refundsPending - f.refundsFailed;
  }
  return out;
}

const tally = () => new Map<string, { lines: number; quantity: number }>();

export function reportRoutes({ db }: ApiDeps) {
  return newRouter()
    .openapi(inTransit, async (c) => {
      const rows = await casesWithParcelOnTheWay(db);
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
      const events = await receiptsAndInspections(db, start, end);
      const inspectedIds = [...new Set(events.filter((e) => e.type === 'inspected').map((e) => e.caseId))];
      const lines = await linesOfCases(db, inspectedIds);
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
    })
    .openapi(reconciliation, async (c) => {
      const { from, to } = c.req.valid('query');
      const { start, end } = queryPeriod(from, to);
      const rows = await reconciliationRows(db, start, end);
      const byDay = reconcile(rows, (r) => `${r.day} ${r.currency}`);
      const totals = reconcile(rows, (r) => r.currency);
      const days = [...byDay.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, f]) => ({ day: key.slice(0, 10), ...f }));
      return c.json(
        {
          from: start.toISOString(),
          to: end.toISOString(),
          days,
          totals: [...totals.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)),
        },
        200,
      );
    });
}
