/**
 * Sending a campaign: the audience is fixed once (one pending row per customer, keyed by campaign +
 * customer), then sent in batches; each customer is contacted at most once per campaign and at most
 * once per CAMPAIGN_FREQUENCY_CAP_DAYS across campaigns.
 */
import { and, count, eq, gte, inArray, ne, sql } from 'drizzle-orm';
import { campaignMessages, campaigns, customers, orders, returnCases } from '../db/schema.js';
import { CAMPAIGN_FREQUENCY_CAP_DAYS, renderCampaignText, segmentMethods, type Segment } from '../domain/campaigns.js';
import type { ActivityDeps } from './deps.js';
import { SENDER } from './email.js';

const DAY_MS = 86_400_000;

export function campaignActivities({ db, mail }: Pick<ActivityDeps, 'db' | 'mail'>) {
  async function campaignOf(campaignId: string) {
    const [c] = await db.select().from(campaigns).where(eq(campaigns.id, campaignId));
    if (!c) throw new Error(`campaign ${campaignId} not found`);
    return c;
  }

  return {
    /** Fixes the audience once: a retry finds the rows and changes nothing. */
    async selectCampaignAudience({ campaignId }: { campaignId: string }): Promise<{ total: number }> {
      const c = await campaignOf(campaignId);
      const [existing] = await db
        .select({ n: count() })
        .from(campaignMessages)
        .where(eq(campaignMessages.campaignId, campaignId));
      if (existing && existing.n > 0) return { total: existing.n };
      const segment = c.segment as Segment;
      const since = new Date(c.createdAt.getTime() - segment.days * DAY_MS);
      const conditions = [
        eq(returnCases.status, 'completed'),
        inArray(returnCases.method, segmentMethods(segment.kind)),
        gte(returnCases.closedAt, since),
      ];
      if (segment.kind === 'returned_without_repurchase') {
        // Bought nothing since the return was opened.
        conditions.push(
          sql`not exists (select 1 from ${orders} where ${orders.customerId} = ${returnCases.customerId} and ${orders.placedAt} > ${returnCases.createdAt})`,
        );
      }
      const audience = await db
        .selectDistinct({ customerId: returnCases.customerId })
        .from(returnCases)
        .where(and(...conditions));
      if (audience.length) {
        await db
          .insert(campaignMessages)
          .values(audience.map((a) => ({ campaignId, customerId: a.customerId, status: 'pending' })))
          .onConflictDoNothing();
      }
      return { total: audience.length };
    },

    /** Sends up to `limit` pending messages; answers how many it handled (0: nothing left). */
    async sendCampaignBatch({
      campaignId,
      limit,
    }: {
      campaignId: string;
      limit: number;
    }): Promise<{ processed: number }> {
      const c = await campaignOf(campaignId);
      const pending = await db
        .select()
        .from(campaignMessages)
        .where(and(eq(campaignMessages.campaignId, campaignId), eq(campaignMessages.status, 'pending')))
        .orderBy(campaignMessages.customerId)
        .limit(limit);
      const mark = (customerId: string, status: 'sent' | 'skipped' | 'failed', detail: string | null) =>
        db
          .update(campaignMessages)
          .set({ status, detail, ...(status === 'sent' ? { sentAt: new Date() } : {}) })
          .where(and(eq(campaignMessages.campaignId, campaignId), eq(campaignMessages.customerId, customerId)));
      for (const m of pending) {
        const [customer] = await db.select().from(customers).where(eq(customers.id, m.customerId));
        if (!customer?.email) {
          await mark(m.customerId, 'skipped', 'no e-mail address');
          continue;
        }
        const capSince = new Date(Date.now() - CAMPAIGN_FREQUENCY_CAP_DAYS * DAY_MS);
        const [recent] = await db
          .select({ campaignId: campaignMessages.campaignId })
          .from(campaignMessages)
          .where(
            and(
              eq(campaignMessages.customerId, m.customerId),
              ne(campaignMessages.campaignId, campaignId),
              eq(campaignMessages.status, 'sent'),
              gte(campaignMessages.sentAt, capSince),
            ),
          )
          .limit(1);
        if (recent) {
          await mark(
            m.customerId,
            'skipped',
            `contacted by campaign ${recent.campaignId} within ${CAMPAIGN_FREQUENCY_CAP_DAYS} days`,
          );
          continue;
        }
        try {
          await mail.send({
            from: SENDER,
            to: customer.email,
            subject: renderCampaignText(c.subject, customer),
            text: renderCampaignText(c.template, customer),
            // Deterministic: a resend after a crash carries the same id, so receivers drop the duplicate.
            messageId: `<campaign.${campaignId}.${m.customerId}@returns-orchestrator>`,
          });
          await mark(m.customerId, 'sent', null);
        } catch (err) {
          await mark(m.customerId, 'failed', (err as Error).message.slice(0, 500));
        }
      }
      return { processed: pending.length };
    },

    async finishCampaign({ campaignId }: { campaignId: string }): Promise<void> {
      await db
        .update(campaigns)
        .set({ status: 'completed', finishedAt: new Date() })
        .where(and(eq(campaigns.id, campaignId), eq(campaigns.status, 'running')));
    },
  };
}
