/**
 * The case list (GET /v1/returns, the dashboard): filters, the exact-match search, and keyset
 * pages, newest first; each page's views in one statement (db/case-view.ts).
 */
import { and, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { CaseStatus, Channel, ReturnMethod } from '../domain/case-status.js';
import { selectViews, toCaseView, type CaseView } from './case-view.js';
import type { Db } from './client.js';
import { caseParcels, customers, parcelScans, returnCases } from './schema.js';

export interface CaseFilter {
  status?: CaseStatus;
  method?: ReturnMethod;
  customerId?: string;
  orderId?: string;
  channel?: Channel;
  /** The market of the case's policy snapshot (`NO`, `default`, …). */
  market?: string;
  /** A case id, order id, customer e-mail or tracking number (any parcel's), matched exactly. */
  q?: string;
  stuck?: boolean;
  limit: number;
  /** Opaque: the (createdAt, id) of the last item of the previous page. */
  after?: { createdAt: Date; id: string };
}

/**
 * Exact matches on indexed keys (case id, order id, tracking numbers of the label and of further
 * parcels); the e-mail is compared case-insensitively against the customers table.
 */
function searchCondition(q: string): SQL {
  return or(
    eq(returnCases.id, q),
    eq(returnCases.orderId, q),
    eq(returnCases.trackingNumber, q),
    sql`${returnCases.id} in (select ${caseParcels.caseId} from ${caseParcels} where ${caseParcels.trackingNumber} = ${q})`,
    q.includes('@')
      ? sql`${returnCases.customerId} in (select ${customers.id} from ${customers} where lower(${customers.email}) = lower(${q}))`
      : sql`false`,
  )!;
}

/** Newest first, keyset-paginated so pages stay stable while cases are added. */
export async function listCases(
  db: Db,
  f: CaseFilter,
): Promise<{ items: CaseView[]; last?: { createdAt: Date; id: string } }> {
  const where: SQL[] = [];
  if (f.status) where.push(eq(returnCases.status, f.status));
  if (f.method) where.push(eq(returnCases.method, f.method));
  if (f.customerId) where.push(eq(returnCases.customerId, f.customerId));
  if (f.orderId) where.push(eq(returnCases.orderId, f.orderId));
  if (f.stuck !== undefined) where.push(eq(returnCases.stuck, f.stuck));
  if (f.channel) where.push(eq(returnCases.channel, f.channel));
  if (f.market) where.push(sql`${returnCases.policy} ->> 'market' = ${f.market}`);
  if (f.q) where.push(searchCondition(f.q.trim()));
  if (f.after) {
    where.push(
      or(
        lt(returnCases.createdAt, f.after.createdAt),
        and(eq(returnCases.createdAt, f.after.createdAt), lt(returnCases.id, f.after.id)),
      )!,
    );
  }
  const condition = where.length ? and(...where) : undefined;
  const newestFirst = [desc(returnCases.createdAt), desc(returnCases.id)];
  const pageIds = db
    .select({ id: returnCases.id })
    .from(returnCases)
    .where(condition)
    .orderBy(...newestFirst)
    .limit(f.limit + 1);
  const rows = await selectViews(db, false, inArray(parcelScans.caseId, pageIds))
    .where(condition)
    .orderBy(...newestFirst)
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const items = page.map((r) => toCaseView(r.row, r.children, r.scans, false));
  const lastRow = rows.length > f.limit ? page[page.length - 1]!.row : undefined;
  return { items, last: lastRow ? { createdAt: lastRow.createdAt, id: lastRow.id } : undefined };
}
