/**
 * Return analytics for managers: per group (reason, SKU, category, method or channel) the cases and
 * units returned, the return rate, what was refunded and how long completed cases took. Pure: the
 * database counts a period's groups (db/analytics.ts, in SQL), `summarizeCounts` turns the counts
 * into the report; `summarizeReturns` does both over cases already loaded.
 *
 * - A case belongs to the period it was opened in. Reason, SKU and category are per case line (a
 *   case with two reasons counts in both groups); method, channel and flagged (the customer was
 *   flagged when the case opened) are per case.
 * - Return rate = units returned / units sold in the same period (orders placed in it): per SKU and
 *   category against that SKU's or category's sales, for the other groupings against all sales.
 * - Refunded = credit notes of those cases, per currency: for line groupings the note lines of the
 *   group's order lines, for case groupings the whole notes.
 * - Processing time = opened → completed, averaged over the group's completed cases.
 */
export const ANALYTICS_GROUPINGS = ['reason', 'sku', 'category', 'method', 'channel', 'flagged'] as const;
export type AnalyticsGrouping = (typeof ANALYTICS_GROUPINGS)[number];

export interface AnalyticsCase {
  id: string;
  method: string;
  channel: string;
  status: string;
  createdAt: Date;
  closedAt: Date | null;
  /** Opened for a flagged customer (blocklist, serial returner): it waited for approval first. */
  flagged?: boolean;
  lines: { orderLineId: string; sku: string; quantity: number; reason: string }[];
  notes: { amount: number; currency: string; lines: { orderLineId: string; amount: number }[] }[];
}

/** Cases and notes of a period with its sales, loaded (for `summarizeReturns`). */
export interface AnalyticsInput {
  cases: readonly AnalyticsCase[];
  /** Units sold in the period, per SKU. */
  sold: ReadonlyMap<string, number>;
  /** Product category per SKU (unknown SKUs fall in `uncategorised`). */
  categories: ReadonlyMap<string, string>;
}

export interface AnalyticsGroup {
  key: string;
  cases: number;
  units: number;
  /** Units returned per unit sold, 4 decimals; null when nothing comparable was sold. */
  returnRate: number | null;
  refunded: { amount: number; currency: string }[];
  completed: number;
  /** Whole seconds; null when no case of the group completed. */
  averageProcessingSeconds: number | null;
}

/** What one group (or the total) adds up to, before rates and averages. */
export interface GroupCounts {
  key: string;
  /** Distinct cases. */
  cases: number;
  units: number;
  /** Distinct completed cases, and the sum of their processing times in whole seconds. */
  completed: number;
  processingSeconds: number;
  /** Credited per currency. */
  refunded: ReadonlyMap<string, number>;
}

/** A period's counts per group and in total, with the sales the return rates compare against. */
export interface ReturnCounts {
  groups: readonly GroupCounts[];
  total: GroupCounts;
  /** Units sold in the period: in total, and per key for `sku` and `category`. */
  soldTotal: number;
  soldByKey: ReadonlyMap<string, number>;
}

export const UNCATEGORISED = 'uncategorised';

/** Groupings whose return rate compares with the group's own sales, not all sales. */
export const OWN_SALES_GROUPINGS: readonly AnalyticsGrouping[] = ['sku', 'category'];

/** Whole seconds from opening to completion, for a completed case (else undefined). */
export const processingSeconds = (c: Pick<AnalyticsCase, 'status' | 'createdAt' | 'closedAt'>) =>
  c.status === 'completed' && c.closedAt
    ? Math.round((c.closedAt.getTime() - c.createdAt.getTime()) / 1000)
    : undefined;

/** The report from the counts: return rates, refunds sorted by currency, average times, groups by units. */
export function summarizeCounts(
  counts: ReturnCounts,
  groupBy: AnalyticsGrouping,
): { groups: AnalyticsGroup[]; total: AnalyticsGroup } {
  const ownSales = OWN_SALES_GROUPINGS.includes(groupBy);
  const view = (g: GroupCounts, sold: number): AnalyticsGroup => ({
    key: g.key,
    cases: g.cases,
    units: g.units,
    returnRate: sold > 0 ? Math.round((g.units / sold) * 10_000) / 10_000 : null,
    refunded: [...g.refunded]
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([currency, amount]) => ({ amount, currency })),
    completed: g.completed,
    averageProcessingSeconds: g.completed ? Math.round(g.processingSeconds / g.completed) : null,
  });
  return {
    groups: counts.groups
      .map((g) => view(g, ownSales ? (counts.soldByKey.get(g.key) ?? 0) : counts.soldTotal))
      .sort((x, y) => y.units - x.units || x.key.localeCompare(y.key)),
    total: view(counts.total, counts.soldTotal),
  };
}

interface Acc {
  cases: Set<string>;
  units: number;
  refunded: Map<string, number>;
  processing: Map<string, number>;
}

/** The counts of `summarizeCounts` over loaded cases (what db/analytics.ts counts in SQL). */
export function countReturns(input: AnalyticsInput, groupBy: AnalyticsGrouping): ReturnCounts {
  const groups = new Map<string, Acc>();
  const total: Acc = { cases: new Set(), units: 0, refunded: new Map(), processing: new Map() };
  const acc = (key: string) => {
    let a = groups.get(key);
    if (!a) groups.set(key, (a = { cases: new Set(), units: 0, refunded: new Map(), processing: new Map() }));
    return a;
  };
  const add = (m: Map<string, number>, key: string, n: number) => m.set(key, (m.get(key) ?? 0) + n);
  const categoryOf = (sku: string) => input.categories.get(sku) ?? UNCATEGORISED;

  for (const c of input.cases) {
    const seconds = processingSeconds(c);
    // Method, channel and flagged (`flagged` | `not_flagged`) group whole cases; the others group case lines.
    const caseKey =
      groupBy === 'method'
        ? c.method
        : groupBy === 'channel'
          ? c.channel
          : groupBy === 'flagged'
            ? c.flagged
              ? 'flagged'
              : 'not_flagged'
            : undefined;
    const keyOfLine = (l: AnalyticsCase['lines'][number]) =>
      caseKey ?? (groupBy === 'reason' ? l.reason : groupBy === 'sku' ? l.sku : categoryOf(l.sku));
    for (const l of c.lines) {
      const a = acc(keyOfLine(l));
      a.cases.add(c.id);
      a.units += l.quantity;
      if (seconds !== undefined) a.processing.set(c.id, seconds);
    }
    total.cases.add(c.id);
    total.units += c.lines.reduce((n, l) => n + l.quantity, 0);
    if (seconds !== undefined) total.processing.set(c.id, seconds);
    for (const note of c.notes) {
      add(total.refunded, note.currency, note.amount);
      if (caseKey !== undefined) {
        add(acc(caseKey).refunded, note.currency, note.amount);
        continue;
      }
      for (const nl of note.lines) {
        const line = c.lines.find((l) => l.orderLineId === nl.orderLineId);
        // A note line for an order line the case does not return (none today) is in the total only.
        if (line) add(acc(keyOfLine(line)).refunded, note.currency, nl.amount);
      }
    }
  }

  const soldByKey = new Map<string, number>();
  if (groupBy === 'sku') for (const [sku, q] of input.sold) soldByKey.set(sku, q);
  if (groupBy === 'category') for (const [sku, q] of input.sold) add(soldByKey, categoryOf(sku), q);
  const counts = (key: string, a: Acc): GroupCounts => ({
    key,
    cases: a.cases.size,
    units: a.units,
    completed: a.processing.size,
    processingSeconds: [...a.processing.values()].reduce((s, t) => s + t, 0),
    refunded: a.refunded,
  });
  return {
    groups: [...groups].map(([key, a]) => counts(key, a)),
    total: counts('total', total),
    soldTotal: [...input.sold.values()].reduce((n, q) => n + q, 0),
    soldByKey,
  };
}

export function summarizeReturns(
  input: AnalyticsInput,
  groupBy: AnalyticsGrouping,
): { groups: AnalyticsGroup[]; total: AnalyticsGroup } {
  return summarizeCounts(countReturns(input, groupBy), groupBy);
}
