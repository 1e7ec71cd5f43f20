/**
 * Marketing campaigns and their messages. The audience is chosen here, in SQL, a page of segment
 * members at a time (never the whole audience in memory); (campaign, customer) is the business key
 * of a message, so a re-run or a retry never adds a second one.
 */
import { and, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { FINAL_STATUSES } from '../domain/case-status.js';
import { CAMPAIGN_FREQUENCY_CAP_DAYS, segmentMethods, type CampaignStatus, type Segment } from '../domain/campaigns.js';
import type { Db } from './client.js';
import { campaignMessages, campaigns, customers } from './schema.js';

const DAY_MS = 86_400_000;

export type CampaignRow = typeof campaigns.$inferSelect;

export async function insertCampaign(db: Db, campaign: typeof campaigns.$inferInsert): Promise<void> {
  await db.insert(campaigns).values(campaign);
}

export async function deleteCampaign(db: Db, id: string): Promise<void> {
  await db.delete(campaigns).where(eq(campaigns.id, id));
}

export async function campaignById(db: Db, id: string): Promise<CampaignRow | undefined> {
  const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  return row;
}

/** The newest campaigns first (the dashboard's progress bars). */
export async function listCampaigns(db: Db, limit: number): Promise<CampaignRow[]> {
  return db.select().from(campaigns).orderBy(desc(campaigns.createdAt), desc(campaigns.id)).limit(limit);
}

/** The number of the campaign's messages per status (pending, sending, sent, skipped, failed). */
export async function campaignMessageCounts(db: Db, id: string): Promise<{ status: string; n: number }[]> {
  return db
    .select({ status: campaignMessages.status, n: count() })
    .from(campaignMessages)
    .where(eq(campaignMessages.campaignId, id))
    .groupBy(campaignMessages.status);
}

/** The same for several campaigns in one query. */
export async function campaignsMessageCounts(
  db: Db,
  ids: string[],
): Promise<{ campaignId: string; status: string; n: number }[]> {
  if (!ids.length) return [];
  return db
    .select({ campaignId: campaignMessages.campaignId, status: campaignMessages.status, n: count() })
    .from(campaignMessages)
    .where(inArray(campaignMessages.campaignId, ids))
    .groupBy(campaignMessages.campaignId, campaignMessages.status);
}

/** Moves the campaign to `to` if it is in one of `from`; the row as it is now, or undefined if it was not. */
export async function changeCampaignStatus(
  db: Db,
  id: string,
  from: readonly CampaignStatus[],
  to: CampaignStatus,
): Promise<CampaignRow | undefined> {
  const [row] = await db
    .update(campaigns)
    .set({ status: to, ...(to === 'completed' ? { finishedAt: new Date() } : {}) })
    .where(and(eq(campaigns.id, id), inArray(campaigns.status, [...from])))
    .returning();
  return row;
}

export async function recordAudienceSize(db: Db, id: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(campaignMessages).where(eq(campaignMessages.campaignId, id));
  const n = row?.n ?? 0;
  await db.update(campaigns).set({ audienceSize: n }).where(eq(campaigns.id, id));
  return n;
}

/** postgres.js answers rows, PGlite `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );
const OPEN_CASE = (customerId: SQL) =>
  sql`exists (select 1 from return_cases oc where oc.customer_id = ${customerId} and oc.status not in (${list([...FINAL_STATUSES])}))`;

/**
 * The next page of segment members after `after` (by customer id): the consenting ones without an
 * open case become pending messages, in one INSERT … SELECT. `last` is null when the segment is done.
 */
export async function selectAudiencePage(
  db: Db,
  o: { campaignId: string; segment: Segment; since: Date; after: string | null; limit: number },
): Promise<{ last: string | null; scanned: number; added: number }> {
  const repurchase =
    o.segment.kind === 'returned_without_repurchase'
      ? sql`and not exists (select 1 from orders o where o.customer_id = rc.customer_id and o.placed_at > rc.created_at)`
      : sql``;
  const result = await db.execute(sql`
    with page as (
      select distinct rc.customer_id from return_cases rc
      where rc.status = 'completed' and rc.method in (${list(segmentMethods(o.segment.kind))})
        and rc.closed_at >= ${o.since.toISOString()} and rc.customer_id > ${o.after ?? ''} ${repurchase}
      order by rc.customer_id limit ${o.limit}
    ), added as (
      insert into campaign_messages (campaign_id, customer_id, status)
      select ${o.campaignId}, c.id, 'pending' from page p join customers c on c.id = p.customer_id
      where c.marketing_consent and not ${OPEN_CASE(sql`c.id`)}
      on conflict do nothing
      returning 1
    )
    select (select max(customer_id) from page) as last, (select count(*) from page)::int as scanned,
      (select count(*) from added)::int as added`);
  const [row] = rowsOf<{ last: string | null; scanned: number | string; added: number | string }>(result);
  return { last: row?.last ?? null, scanned: Number(row?.scanned ?? 0), added: Number(row?.added ?? 0) };
}

/**
 * Claims the next pending messages after `after` for one sending attempt (`claim`): they move to
 * `sending`, so two runs never send the same message. A retry of the attempt gets its own claim back.
 */
export async function claimPendingMessages(
  db: Db,
  o: { campaignId: string; after: string | null; limit: number; claim: string },
): Promise<string[]> {
  const mine = await db
    .select({ customerId: campaignMessages.customerId })
    .from(campaignMessages)
    .where(
      and(
        eq(campaignMessages.campaignId, o.campaignId),
        eq(campaignMessages.status, 'sending'),
        eq(campaignMessages.detail, o.claim),
      ),
    )
    .orderBy(campaignMessages.customerId);
  if (mine.length) return mine.map((m) => m.customerId);
  // The batch is picked once (a materialized CTE: an IN (… LIMIT … SKIP LOCKED) subquery may be run
  // again per row and claim more than `limit`), and ordered by the database: its collation decides the cursor.
  const result = await db.execute(sql`
    with batch as materialized (
      select customer_id from campaign_messages
      where campaign_id = ${o.campaignId} and status = 'pending' and customer_id > ${o.after ?? ''}
      order by customer_id limit ${o.limit} for update skip locked
    ), claimed as (
      update campaign_messages m set status = 'sending', detail = ${o.claim}
      from batch where m.campaign_id = ${o.campaignId} and m.customer_id = batch.customer_id
      returning m.customer_id
    )
    select customer_id from claimed order by customer_id`);
  return rowsOf<{ customer_id: string }>(result).map((r) => r.customer_id);
}

export interface Recipient {
  id: string;
  email: string;
  name: string;
  locale: string;
  consent: boolean;
  openCase: boolean;
  /** Another campaign that reached the customer within the frequency cap, if any. */
  recentCampaign: string | null;
}

/** What decides each claimed message, as of now: consent, an open case, the frequency cap. */
export async function recipientsOf(db: Db, campaignId: string, customerIds: string[]): Promise<Recipient[]> {
  if (!customerIds.length) return [];
  const capSince = new Date(Date.now() - CAMPAIGN_FREQUENCY_CAP_DAYS * DAY_MS).toISOString();
  const result = await db.execute(sql`
    select c.id, c.email, c.name, c.locale, c.marketing_consent as consent, ${OPEN_CASE(sql`c.id`)} as open_case,
      (select m.campaign_id from campaign_messages m where m.customer_id = c.id and m.campaign_id <> ${campaignId}
        and m.status = 'sent' and m.sent_at >= ${capSince} limit 1) as recent_campaign
    from customers c where c.id in (${list(customerIds)})`);
  return rowsOf<{
    id: string;
    email: string;
    name: string;
    locale: string;
    consent: boolean;
    open_case: boolean;
    recent_campaign: string | null;
  }>(result).map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    locale: r.locale,
    consent: r.consent,
    openCase: r.open_case,
    recentCampaign: r.recent_campaign,
  }));
}

export async function markMessage(
  db: Db,
  campaignId: string,
  customerId: string,
  status: 'sent' | 'skipped' | 'failed',
  detail: string | null,
): Promise<void> {
  await db
    .update(campaignMessages)
    .set({ status, detail, ...(status === 'sent' ? { sentAt: new Date() } : {}) })
    .where(and(eq(campaignMessages.campaignId, campaignId), eq(campaignMessages.customerId, customerId)));
}

/** The unsubscribe link: consent cleared at once; the customer (for the page's language) or undefined. */
export async function clearMarketingConsent(db: Db, customerId: string) {
  const [row] = await db
    .update(customers)
    .set({ marketingConsent: false, marketingConsentAt: new Date() })
    .where(eq(customers.id, customerId))
    .returning({ id: customers.id, locale: customers.locale });
  return row;
}
