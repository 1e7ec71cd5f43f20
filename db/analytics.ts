/**
 * Counts return analytics (domain/analytics.ts) for the cases opened in [start, end) in SQL: a few
 * rows per group come back, not the period's cases. Three statements: groups and total, refunds,
 * sales.
 */
import { and, gte, lt, sql, type SQL } from 'drizzle-orm';
import {
  OWN_SALES_GROUPINGS,
  UNCATEGORISED,
  type AnalyticsGrouping,
  type GroupCounts,
  type ReturnCounts,
} from '../domain/analytics.js';
import type { Db } from './client.js';
import { returnCases } from './schema.js';

// A constant of ours, inlined so that the same key expression matches itself in GROUP BY.
const uncategorised = sql.raw(`'${UNCATEGORISED}'`);

/** A group's key over `c` (return_cases), `l` (case_lines) and `p` (products, left joined). */
const KEY: Record<AnalyticsGrouping, SQL> = {
  reason: sql`l.reason`,
  sku: sql`l.sku`,
  category: sql`coalesce(p.category, ${uncategorised})`,
  method: sql`c.method`,
  channel: sql`c.channel`,
  flagged: sql`case when c.approval_reason is null then 'not_flagged' else 'flagged' end`,
};

/** Case groupings take a case's whole notes; line groupings the note lines of the group's case lines. */
const CASE_GROUPINGS: readonly AnalyticsGrouping[] = ['method', 'channel', 'flagged'];

/**
 * Whole seconds from opening to completion of `c` when completed, else null: JavaScript's
 * Math.round (half up) of milliseconds / 1000, as domain/analytics.ts processingSeconds. In float8
 * (numeric is slower per row): the epochs' rounding is far below a millisecond, so rounding to
 * whole milliseconds first makes it exact.
 */
const SECONDS = sql`case when c.status = 'completed' and c.closed_at is not null
  then floor((round((date_part('epoch', c.closed_at) - date_part('epoch', c.created_at)) * 1000) + 500) / 1000) end`;

/** postgres.js answers an array of rows, PGlite `{ rows }`; numbers of bigint and numeric come as text. */
type Row = Record<string, unknown>;
const rowsOf = (result: unknown): Row[] => (Array.isArray(result) ? result : (result as { rows: Row[] }).rows);
const num = (v: unknown) => Number(v ?? 0);

export async function loadReturnCounts(
  db: Db,
  start: Date,
  end: Date,
  groupBy: AnalyticsGrouping,
): Promise<ReturnCounts> {
  const opened = sql`c.created_at >= ${start.toISOString()}::timestamptz and c.created_at < ${end.toISOString()}::timestamptz`;
  const key = KEY[groupBy];
  // A case counts once per group however many of its lines fall in it: every line counts as a case,
  // then the repeats (a line whose case had the key on an earlier line) are taken off again, which
  // needs a sort only for the cases with several lines. The total (key null) counts every case of the
  // period, lines or not; its units are the groups' (each line is in one group).
  const linesOfPeriod = sql`from return_cases c
      join case_lines l on l.case_id = c.id
      left join products p on p.sku = l.sku
      where ${opened}`;
  const casesQuery = sql`
    select key, sum(cases) as cases, sum(units) as units, sum(completed) as completed, sum(seconds) as seconds
    from (
      select ${key} as key, count(*) as cases, sum(l.quantity) as units, count(${SECONDS}) as completed,
        sum(${SECONDS}) as seconds
      ${linesOfPeriod}
      group by 1
      union all
      select key, -count(*), 0, -count(seconds), -sum(seconds)
      from (
        select ${key} as key, ${SECONDS} as seconds,
          row_number() over (partition by c.id, ${key} order by l.order_line_id) as nth
        ${linesOfPeriod}
          and c.id in (select case_id from case_lines group by case_id having count(*) > 1)
      ) lines_of_multi_line_cases
      where nth > 1
      group by 1
    ) parts
    group by key
    union all
    select null, count(*), null, count(${SECONDS}), sum(${SECONDS})
    from return_cases c
    where ${opened}`;
  const groupRefunds = CASE_GROUPINGS.includes(groupBy)
    ? sql`
      select ${key} as key, n.currency, sum(n.amount) as amount
      from credit_notes n join return_cases c on c.id = n.case_id
      where ${opened}
      group by 1, 2`
    : // A note line for an order line the case does not return (none today) is in the total only.
      sql`
      select ${key} as key, n.currency, sum((nl ->> 'amount')::numeric) as amount
      from credit_notes n
      join return_cases c on c.id = n.case_id
      cross join lateral jsonb_array_elements(n.lines) nl
      join case_lines l on l.case_id = n.case_id and l.order_line_id = nl ->> 'orderLineId'
      left join products p on p.sku = l.sku
      where ${opened}
      group by 1, 2`;
  const refundsQuery = sql`${groupRefunds}
    union all
    select null, n.currency, sum(n.amount)
    from credit_notes n join return_cases c on c.id = n.case_id
    where ${opened}
    group by 2`;
  // Units sold on orders placed in the period: per SKU or category where the rate needs it, and in total.
  const saleKey = groupBy === 'sku' ? sql`l.sku` : sql`coalesce(p.category, ${uncategorised})`;
  const salesQuery = sql`
    select ${OWN_SALES_GROUPINGS.includes(groupBy) ? saleKey : sql`null`} as key, sum(l.quantity) as units,
      ${OWN_SALES_GROUPINGS.includes(groupBy) ? sql`grouping(${saleKey})` : sql`1`} = 1 as total
    from order_lines l
    join orders o on o.id = l.order_id
    left join products p on p.sku = l.sku
    where o.placed_at >= ${start.toISOString()}::timestamptz and o.placed_at < ${end.toISOString()}::timestamptz
    group by ${OWN_SALES_GROUPINGS.includes(groupBy) ? sql`grouping sets ((${saleKey}), ())` : sql`()`}`;
  const [caseRows, refundRows, saleRows] = (
    await Promise.all([db.execute(casesQuery), db.execute(refundsQuery), db.execute(salesQuery)])
  ).map(rowsOf);

  const refunded = new Map<string | null, Map<string, number>>();
  for (const r of refundRows!) {
    const k = r.key as string | null;
    if (!refunded.has(k)) refunded.set(k, new Map());
    refunded.get(k)!.set(r.currency as string, num(r.amount));
  }
  const counts = (k: string | null, r: Row | undefined): GroupCounts => ({
    key: k ?? 'total',
    cases: num(r?.cases),
    units: num(r?.units),
    completed: num(r?.completed),
    processingSeconds: num(r?.seconds),
    refunded: refunded.get(k) ?? new Map(),
  });
  const byKey = new Map(caseRows!.map((r) => [r.key as string | null, r]));
  // A case group with notes but no lines (none today) still shows its refunds.
  const keys = new Set([...byKey.keys(), ...refunded.keys()]);
  keys.delete(null);
  const groups = [...keys].map((k) => counts(k, byKey.get(k)));
  return {
    groups,
    total: { ...counts(null, byKey.get(null)), units: groups.reduce((n, g) => n + g.units, 0) },
    soldTotal: num(saleRows!.find((r) => r.total === true)?.units),
    soldByKey: new Map(saleRows!.filter((r) => r.total !== true).map((r) => [r.key as string, num(r.units)])),
  };
}

export interface DailyCount {
  /** UTC day, YYYY-MM-DD. */
  date: string;
  opened: number;
  closed: number;
}

/** Cases opened and closed (any final status) per UTC day of [start, end), zeros included; optionally one market's. */
export async function dailyOpenedClosed(
  db: Db,
  start: Date,
  end: Date,
  opts: { market?: string } = {},
): Promise<DailyCount[]> {
  const inMarket = opts.market ? sql`${returnCases.policy} ->> 'market' = ${opts.market}` : sql`true`;
  const perDay = (column: typeof returnCases.createdAt | typeof returnCases.closedAt) =>
    db
      .select({
        day: sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD')`,
        n: sql<string>`count(*)`,
      })
      .from(returnCases)
      .where(and(gte(column, start), lt(column, end), inMarket))
      .groupBy(sql`1`);
  const [opened, closed] = await Promise.all([perDay(returnCases.createdAt), perDay(returnCases.closedAt)]);
  const openedOn = new Map(opened.map((r) => [r.day, Number(r.n)]));
  const closedOn = new Map(closed.map((r) => [r.day, Number(r.n)]));
  const days: DailyCount[] = [];
  const first = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  for (let t = first; t < end.getTime(); t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    days.push({ date, opened: openedOn.get(date) ?? 0, closed: closedOn.get(date) ?? 0 });
  }
  return days;
}
