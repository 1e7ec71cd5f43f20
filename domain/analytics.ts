/**
 * Return analytics for managers: per group (reason, SKU, category, method or channel) the cases and
 * units returned, the return rate, what was refunded and how long completed cases took. Pure: the
 * route loads a period's cases, notes and sales and hands them over.
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

interface Acc {
  cases: Set<string>;
  units: number;
  refunded: Map<string, number>;
  processing: Map<string, number>;
}

const UNCATEGORISED = 'uncategorised';

export function summarizeReturns(
  input: AnalyticsInput,
  groupBy: AnalyticsGrouping,
): { groups: AnalyticsGroup[]; total: AnalyticsGroup } {
  const groups = new Map<string, Acc>();
  const total: Acc = { cases: new Set(), units: 0, refunded: new Map(), processing: new Map() };
  const acc = (key: string) => {
    let a = groups.get(key);
    if (!a) groups.set(key, (a = { cases: new Set(), units: 0, refunded: new Map(), processing: new Map() }));
    return a;
  };
  const addMoney = (m: Map<string, number>, currency: string, amount: number) =>
    m.set(currency, (m.get(currency) ?? 0) + amount);

  for (const c of input.cases) {
    const seconds =
      c.status === 'completed' && c.closedAt
        ? Math.round((c.closedAt.getTime() - c.createdAt.getTime()) / 1000)
        : undefined;
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
      caseKey ??
      (groupBy === 'reason' ? l.reason : groupBy === 'sku' ? l.sku : (input.categories.get(l.sku) ?? UNCATEGORISED));
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
      addMoney(total.refunded, note.currency, note.amount);
      if (caseKey !== undefined) {
        addMoney(acc(caseKey).refunded, note.currency, note.amount);
        continue;
      }
      for (const nl of note.lines) {
        const line = c.lines.find((l) => l.orderLineId === nl.orderLineId);
        // A note line for an order line the case does not return (none today) is in the total only.
        if (line) addMoney(acc(keyOfLine(line)).refunded, note.currency, nl.amount);
      }
    }
  }

  const soldTotal = [...input.sold.values()].reduce((n, q) => n + q, 0);
  const soldFor = (key: string) => {
    if (groupBy === 'sku') return input.sold.get(key) ?? 0;
    if (groupBy === 'category')
      return [...input.sold].reduce(
        (n, [sku, q]) => n + ((input.categories.get(sku) ?? UNCATEGORISED) === key ? q : 0),
        0,
      );
    return soldTotal;
  };
  const view = (key: string, a: Acc, sold: number): AnalyticsGroup => {
    const times = [...a.processing.values()];
    return {
      key,
      cases: a.cases.size,
      units: a.units,
      returnRate: sold > 0 ? Math.round((a.units / sold) * 10_000) / 10_000 : null,
      refunded: [...a.refunded]
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([currency, amount]) => ({ amount, currency })),
      completed: times.length,
      averageProcessingSeconds: times.length ? Math.round(times.reduce((s, t) => s + t, 0) / times.length) : null,
    };
  };
  return {
    groups: [...groups]
      .map(([key, a]) => view(key, a, soldFor(key)))
      .sort((x, y) => y.units - x.units || x.key.localeCompare(y.key)),
    total: view('total', total, soldTotal),
  };
}
