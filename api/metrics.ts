/**
 * Prometheus metrics for `GET /metrics`: HTTP traffic by route pattern (so label values stay
 * bounded), and the state of the returns business, read from the projection at scrape time: cases
 * by status, stuck cases, carrier events no case has claimed, outbound webhook deliveries by status.
 * One registry per app, so several apps in one process (tests) do not collide.
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { and, count, eq, isNull } from 'drizzle-orm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/client.js';
import { carrierEvents, returnCases, webhookDeliveries } from '../db/schema.js';

export interface ApiMetrics {
  registry: Registry;
  /** Counts and times every request; mount first. */
  middleware: MiddlewareHandler;
}

export function createMetrics(db: Db): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  /** A gauge per status, counted afresh at every scrape. */
  const countsByStatus = (name: string, help: string, rows: () => Promise<{ status: string; n: number }[]>) =>
    new Gauge({
      name,
      help,
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const counts = await rows();
        this.reset();
        for (const r of counts) this.set({ status: r.status }, r.n);
      },
    });
  countsByStatus('returns_cases', 'Return cases by status', () =>
    db.select({ status: returnCases.status, n: count() }).from(returnCases).groupBy(returnCases.status),
  );
  new Gauge({
    name: 'returns_cases_stuck',
    help: 'Open cases past a deadline (inspection, approval, replacement stock): chase them',
    registers: [registry],
    async collect() {
      const [row] = await db
        .select({ n: count() })
        .from(returnCases)
        .where(and(eq(returnCases.stuck, true), isNull(returnCases.closedAt)));
      this.set(row?.n ?? 0);
    },
  });
  new Gauge({
    name: 'returns_carrier_events_unmatched',
    help: 'Carrier tracking events kept for tracking numbers no case has (yet)',
    registers: [registry],
    async collect() {
      const [row] = await db.select({ n: count() }).from(carrierEvents).where(isNull(carrierEvents.caseId));
      this.set(row?.n ?? 0);
    },
  });
  countsByStatus(
    'returns_webhook_deliveries',
    'Outbound webhook deliveries to the shop by status (failed = gave up after all retries)',
    () =>
      db
        .select({ status: webhookDeliveries.status, n: count() })
        .from(webhookDeliveries)
        .groupBy(webhookDeliveries.status),
  );

  const middleware: MiddlewareHandler = async (c, next) => {
    const end = duration.startTimer();
    try {
      await next();
    } finally {
      // The pattern of the route that answered (`/v1/returns/:id`), never the raw path.
      const labels = { method: c.req.method, route: routePath(c, -1) || 'unmatched', status: String(c.res.status) };
      requests.inc(labels);
      end(labels);
    }
  };
  return { registry, middleware };
}
