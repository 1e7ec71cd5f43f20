/**
 * The stuck list (`GET /v1/returns?stuck=true`) and analytics (`GET /v1/analytics/returns`) over many
 * cases seeded in bulk SQL (customers, orders, order lines, cases, case lines; 1 % stuck), with the
 * plans of the queries behind them (EXPLAIN ANALYZE, hand-written equivalents of db/case-view.ts
 * listCases and db/analytics.ts loadAnalyticsInput).
 */
import { Api, BENCH_POLICY, MARKET, percentile } from './http.js';
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

/** The queries behind the two endpoints, as the service sends them (parameters inlined). */
const PLANS: Record<string, (from: string, to: string) => string> = {
  stuckList: () => `select * from return_cases where stuck = true order by created_at desc, id desc limit 51`,
  analyticsCases: (from, to) => `select * from return_cases where created_at >= '${from}' and created_at < '${to}'`,
  analyticsSales: (from, to) =>
    `select order_lines.sku, sum(order_lines.quantity) from order_lines inner join orders on orders.id = order_lines.order_id
     where orders.placed_at >= '${from}' and orders.placed_at < '${to}' group by order_lines.sku`,
  analyticsLines: (from, to) =>
    `select * from case_lines where case_id in (select id from return_cases where created_at >= '${from}' and created_at < '${to}')`,
};

async function explain(q: Query, from: string, to: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, sql] of Object.entries(PLANS)) {
    const rows = await q(`explain (analyze, buffers) ${sql(from, to)}`);
    out[name] = rows.map((r) => String(Object.values(r)[0])).join('\n');
  }
  return out;
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

export async function benchStuckList(
  stack: AppStack,
  api: Api,
  prefix: string,
  count: number,
  sku: string,
  /** Also seeded, untimed: fresh orders under this prefix (`<prefix>-O<n>`). */
  fresh: { prefix: string; count: number },
) {
  const to = new Date(Date.now() + 60_000).toISOString();
  const from = new Date(Date.now() - (DAYS + 5) * 86_400_000).toISOString();
  let seedSeconds = 0;
  let totalCases = 0;
  const plans = await stack.withDatabase(async (q) => {
    const t0 = performance.now();
    await q(seedSql(prefix, count, sku));
    await q(freshOrdersSql(fresh.prefix, fresh.count, sku));
    seedSeconds = Math.round((performance.now() - t0) / 100) / 10;
    totalCases = Number((await q('select count(*)::int as n from return_cases'))[0]!.n);
    // After the fresh orders too: the plans see the tables as the requests will.
    await q('analyze');
    return explain(q, from, to);
  });
  // A first request warms the connection and caches; then timed runs.
  await api.once('GET', '/v1/returns?stuck=true');
  const stuck = await timed(api, '/v1/returns?stuck=true', 10);
  const analytics = await timed(
    api,
    `/v1/analytics/returns?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&groupBy=reason`,
    3,
  );
  return { seeded: count, totalCases, seedSeconds, stuck, analytics, plans };
}
