/** The shop's outbound webhook subscriptions (the deliveries are activities/webhooks.ts). */
import { desc, eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { webhookEndpoints } from './schema.js';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

export async function insertWebhookEndpoint(
  db: Db,
  endpoint: { id: string; url: string; events: string[]; secret: string },
): Promise<void> {
  await db.insert(webhookEndpoints).values(endpoint);
}

/** Newest first. */
export async function listWebhookEndpoints(db: Db): Promise<WebhookEndpointRow[]> {
  return db.select().from(webhookEndpoints).orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id));
}

/** False when there is no such endpoint; disabling it again keeps the first time. */
export async function disableWebhookEndpoint(db: Db, id: string): Promise<boolean> {
  const [row] = await db
    .select({ disabledAt: webhookEndpoints.disabledAt })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.id, id));
  if (!row) return false;
  if (!row.disabledAt)
    await db.update(webhookEndpoints).set({ disabledAt: new Date() }).where(eq(webhookEndpoints.id, id));
  return true;
}
