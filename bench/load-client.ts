/**
 * The load generator, a process of its own (so its CPU is not the API's): `tsx bench/load-client.ts
 * <job.json>` runs one autocannon job against the API and prints one JSON line with its numbers.
 * Jobs: get (GET /v1/returns/:id), scan (POST /v1/scans), create (POST /v1/returns, a fresh order
 * each), webhook (POST /v1/webhooks/carriers/generic, signed, 1 in 10 a redelivery).
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { returnBody, signedGeneric } from './http.js';

export interface LoadJob {
  url: string;
  kind: 'get' | 'scan' | 'create' | 'webhook';
  /** Requests per second over all connections; unset: as fast as it answers. */
  rate?: number;
  seconds: number;
  connections: number;
  adminKey: string;
  /** webhook: the generic carrier's Standard Webhooks secret. */
  webhookSecret?: string;
  /** get: case ids; scan: tracking numbers; create: order ids. */
  items: string[];
}

export interface LoadResult {
  kind: string;
  /** Requests sent; more than `requests` (answered) when answers did not come back within the run. */
  sent: number;
  requests: number;
  perSec: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** create: the ids of the cases opened. */
  created?: string[];
}

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadJob;
const auth = { authorization: `Bearer ${job.adminKey}`, 'content-type': 'application/json' };
let n = 0;
let sent = 0;
const nextItem = () => job.items[n++ % job.items.length]!;
const statuses: Record<string, number> = {};
const created: string[] = [];
let lastWebhook: ReturnType<typeof signedGeneric> | undefined;

const request: autocannon.Request = {
  setupRequest: (req) => {
    sent++;
    switch (job.kind) {
      case 'get':
        return { ...req, method: 'GET', path: `/v1/returns/${nextItem()}`, headers: auth };
      case 'scan':
        return {
          ...req,
          method: 'POST',
          path: '/v1/scans',
          headers: auth,
          body: JSON.stringify({ trackingNumber: nextItem() }),
        };
      case 'create': {
        const orderId = nextItem();
        return {
          ...req,
          method: 'POST',
          path: '/v1/returns',
          headers: { ...auth, 'idempotency-key': `${orderId}-K` },
          body: JSON.stringify(returnBody(orderId)),
        };
      }
      case 'webhook': {
        // Tracking numbers no case has: ingestion (signature, inbox, dedupe), not the workflow's work.
        const event =
          lastWebhook && n % 10 === 9
            ? lastWebhook
            : signedGeneric(`BENCH${n}X${process.pid}`, 'in_transit', job.webhookSecret);
        n++;
        lastWebhook = event;
        return {
          ...req,
          method: 'POST',
          path: '/v1/webhooks/carriers/generic',
          headers: { 'content-type': 'application/json', ...event.headers },
          body: event.raw,
        };
      }
    }
  },
  onResponse: (status, body) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (job.kind === 'create' && status === 201) created.push((JSON.parse(body) as { id: string }).id);
  },
};

const result = await autocannon({
  url: job.url,
  connections: job.connections,
  duration: job.seconds,
  ...(job.rate ? { overallRate: job.rate } : {}),
  timeout: 30,
  requests: [request],
});

const out: LoadResult = {
  kind: job.kind,
  sent,
  requests: result.requests.total,
  perSec: Math.round((result.requests.total / job.seconds) * 10) / 10,
  ok: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  statuses,
  p50Ms: result.latency.p50,
  p90Ms: result.latency.p90,
  p99Ms: result.latency.p99,
  maxMs: result.latency.max,
  ...(job.kind === 'create' ? { created } : {}),
};
console.log(JSON.stringify(out));
