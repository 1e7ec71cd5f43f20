/**
 * Part 4 of the bench: the stuck list (`GET /v1/returns?stuck=true`) and analytics (`GET
 * /v1/analytics/returns`) over many cases seeded in bulk SQL (customers, orders, order lines, cases,
 * case lines; 1 % stuck), with `EXPLAIN (ANALYZE, BUFFERS)` of the statements the API sends for them,
 * built by the same functions the API calls (bench/query-plans.ts), so the plans cannot drift.
 */
import { loadReturnCounts } from '../db/analytics.js';
import { listCases } from '../db/case-list.js';
import { Api, BENCH_POLICY, MARKET, percentile } from './http.js';
import { executionMs, explain, statementsOf } from './query-plans.js';
import type { AppStack, Query } from './stack.js';

const DAYS = 30;

export function seedSql(prefix: string, count: number, sku: string): string {
  const policy = JSON.stringify({ market: MARKET, ...BENCH_POLICY }).replace(/'/g, "''");
  const customers = Math.max(1, Math.floor(count / 10));
  // created_at spread over the last DAYS days; i % 100 = 0 stuck waiting for the parcel, 70 % completed.
  return `
insert into customers (id, email, name, locale, country)
  select '${prefix}-C' || g, '${prefix.toLowerCase()}-c' || g || '@example.be', 'Seeded Customer', 'en-GB', '${MARKET}'
  from generate_series(1, ${customers}) g;
insert into orders (id, customer_id, currency, placed_at, delivered_at, body_hash, body)
  select '${prefix}-O' || g, '${prefix}-C' || (1 + g % ${customers}), 'EUR',
    now() - (g % ${DAYS * 24}) * interval '1 hour' - interval '3 days',
    now() - (g % ${DAYS * 24}) * interval '1 hour' - interval '1 day',
    'seed', jsonb_build_object('id', '${prefix}-O' || g)
  from generate_series(1, ${count}) g;
insert into order_lines (order_id, id, sku, name, quantity, unit_price, vat_rate)
  select '${prefix}-O' || g, 'L1', '${sku}', 'Bench sweater', 1, 79900, 21 from generate_series(1, ${count}) g;
insert into return_cases (id, order_id, customer_id, method, channel, status, waiting_for, waiting_since, deadline,
    stuck, stuck_reason, currency, policy, created_at, updated_at, closed_at)
  select '${prefix}-R' || g, '${prefix}-O' || g, '${prefix}-C' || (1 + g % ${customers}),
    case when g % 4 = 3 then 'exchange' else 'return_to_stock' end,
    case when g % 2 = 0 then 'portal' else 'customer_service' end,
    case when g % 100 = 0 then 'awaiting_parcel' when g % 10 < 7 then 'completed' when g % 10 = 7 then 'awaiting_parcel'
      when g % 10 = 8 then 'received' else 'cancelled' end,
    case when g % 100 = 0 or (g % 10 = 7) then 'parcel' when g % 10 = 8 then 'inspection' else null end,
    case when g % 100 = 0 or g % 10 in (7, 8) then now() - (g % ${DAYS * 24}) * interval '1 hour' else null end,
    null,
    g % 100 = 0, case when g % 100 = 0 then 'no parcel within P30D' else null end,
    'EUR', '${policy}'::jsonb,
    now() - (g % ${DAYS * 24}) * interval '1 hour' - (g % 3600) * interval '1 second',
    now(),
    case when g % 10 < 7 then now() - (g % ${DAYS * 24}) * interval '1 hour' + interval '2 days' else null end
  from generate_series(1, ${count}) g;
insert into case_lines (case_id, order_id, order_line_id, sku, quantity, reason, condition, disposition)
  select '${prefix}-R' || g, '${prefix}-O' || g, 'L1', '${sku}', 1,
    (array['too small', 'too large', 'defective', 'changed mind'])[1 + g % 4],
    case when g % 10 < 7 then 'new' else null end, case when g % 10 < 7 then 'restock' else null end
  from generate_series(1, ${count}) g;
`;
}

/** Orders no case has yet (for POST /v1/returns under load), with the body POST /v1/orders would store. */
export function freshOrdersSql(prefix: string, count: number, sku: string): string {
  return `
insert into customers (id, email, name, locale, country)
  select '${prefix}-C' || g, '${prefix.toLowerCase()}-c' || g || '@example.be', 'Bench Customer', 'en-GB', '${MARKET}'
  from generate_series(0, ${count - 1}) g;
insert into orders (id, customer_id, currency, placed_at, delivered_at, body_hash, body)
  select '${prefix}-O' || g, '${prefix}-C' || g, 'EUR', now() - interval '5 days', now() - interval '3 days', 'seed-' || g,
    jsonb_build_object('id', '${prefix}-O' || g, 'currency', 'EUR',
      'customer', jsonb_build_object('id', '${prefix}-C' || g, 'email', '${prefix.toLowerCase()}-c' || g || '@example.be',
        'name', 'Bench Customer', 'locale', 'en-GB', 'country', '${MARKET}'),
      'placedAt', to_char((now() - interval '5 days') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
      'deliveredAt', to_char((now() - interval '3 days') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
      'lines', jsonb_build_array(jsonb_build_object('id', 'L1', 'sku', '${sku}', 'name', 'Bench sweater',
        'quantity', 1, 'unitPrice', 79900, 'vatRate', 21)))
  from generate_series(0, ${count - 1}) g;
insert into order_lines (order_id, id, sku, name, quantity, unit_price, vat_rate)
  select '${prefix}-O' || g, 'L1', '${sku}', 'Bench sweater', 1, 79900, 21 from generate_series(0, ${count - 1}) g;
`;
}

const STUCK_PAGE = 50;

/** The statements behind the two endpoints, built by their own code (db/case-list.ts, db/analytics.ts). */
async function endpointStatements(start: Date, end: Date) {
  return {
    stuckList: await statementsOf((db) => listCases(db, { stuck: true, limit: STUCK_PAGE })),
    analytics: await statementsOf((db) => loadReturnCounts(db, start, end, 'reason')),
  };
}

async function timed(api: Api, path: string, runs: number) {
  const ms: number[] = [];
  let status = 0;
  let items = 0;
  let body: unknown;
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    const res = await api.once('GET', path);
    ms.push(performance.now() - t0);
    status = res.status;
    body = res.body;
    if (Array.isArray((res.body as { items?: unknown[] })?.items))
      items = (res.body as { items: unknown[] }).items.length;
  }
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    status,
    items,
    p50Ms: Math.round(percentile(sorted, 50)),
    maxMs: Math.round(sorted.at(-1)!),
    ...(status >= 300 ? { problem: JSON.stringify(body).slice(0, 300) } : {}),
  };
}

/**
 * After a bulk load: VACUUM sets the visibility map (index-only scans) and ANALYZE the statistics,
 * as autovacuum would in a while on a live database. Not in a transaction (PGlite: its own exec).
 */
const settle = (q: Query) => q('vacuum analyze');

/** Fresh orders alone (when the stuck list is not run): `<prefix>-O<n>`, untimed. */
export async function seedFreshOrders(stack: AppStack, fresh: { prefix: string; count: number }, sku: string) {
  await stack.withDatabase(async (q) => {
    await q(freshOrdersSql(fresh.prefix, fresh.count, sku));
    await settle(q);
  });
}

export async function benchStuckList(
  stack: AppStack,
  api: Api,
  prefix: string,
  count: number,
  sku: string,
  /** Also seeded, untimed: fresh orders under this prefix (`<prefix>-O<n>`). */
  fresh: { prefix: string; count: number },
) {
  const end = new Date(Date.now() + 60_000);
  const start = new Date(Date.now() - (DAYS + 5) * 86_400_000);
  const statements = await endpointStatements(start, end);
  let seedSeconds = 0;
  let totalCases = 0;
  const plans = await stack.withDatabase(async (q) => {
    const t0 = performance.now();
    await q(seedSql(prefix, count, sku));
    if (fresh.count > 0) await q(freshOrdersSql(fresh.prefix, fresh.count, sku));
    seedSeconds = Math.round((performance.now() - t0) / 100) / 10;
    totalCases = Number((await q('select count(*)::int as n from return_cases'))[0]!.n);
    // After the fresh orders too: the plans see the tables as the requests will.
    await settle(q);
    return { stuckList: await explain(q, statements.stuckList), analytics: await explain(q, statements.analytics) };
  });
  // A first request warms the connection and caches; then timed runs.
  await api.once('GET', '/v1/returns?stuck=true');
  const stuck = await timed(api, '/v1/returns?stuck=true', 10);
  const analytics = await timed(
    api,
    `/v1/analytics/returns?from=${encodeURIComponent(start.toISOString())}&to=${encodeURIComponent(end.toISOString())}&groupBy=reason`,
    3,
  );
  // What the database itself took (EXPLAIN ANALYZE, once, cold after the restart in embedded mode).
  const sqlMs = { stuckList: executionMs(plans.stuckList), analytics: executionMs(plans.analytics) };
  return { seeded: count, totalCases, seedSeconds, stuck, analytics, sqlMs, plans };
}

export type StuckListResult = Awaited<ReturnType<typeof benchStuckList>>;
