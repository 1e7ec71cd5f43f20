/** Marketing campaigns and how many of their messages went out (the sending is activities/campaigns.ts). */
import { count, eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { campaignMessages, campaigns } from './schema.js';

export async function insertCampaign(db: Db, campaign: typeof campaigns.$inferInsert): Promise<void> {
  await db.insert(campaigns).values(campaign);
}

export async function deleteCampaign(db: Db, id: string): Promise<void> {
  await db.delete(campaigns).where(eq(campaigns.id, id));
}

export async function campaignById(db: Db, id: string) {
  const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  return row;
}

/** The number of the campaign's messages per status (pending, sent, skipped, failed). */
export async function campaignMessageCounts(db: Db, id: string): Promise<{ status: string; n: number }[]> {
  return db
    .select({ status: campaignMessages.status, n: count() })
    .from(campaignMessages)
    .where(eq(campaignMessages.campaignId, id))
    .groupBy(campaignMessages.status);
}
