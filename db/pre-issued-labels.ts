/** Return labels issued before any case exists (claimed by the case their first scan opens: cases/open-case.ts). */
import { eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { preIssuedLabels, returnCases } from './schema.js';

export async function preIssuedLabel(db: Db, trackingNumber: string) {
  const [row] = await db.select().from(preIssuedLabels).where(eq(preIssuedLabels.trackingNumber, trackingNumber));
  return row;
}

/** Whether a case's label has this number (another pre-issued label's is caught by the primary key). */
export async function caseHasTrackingNumber(db: Db, trackingNumber: string): Promise<boolean> {
  const [taken] = await db
    .select({ id: returnCases.id })
    .from(returnCases)
    .where(eq(returnCases.trackingNumber, trackingNumber));
  return taken !== undefined;
}

/** The new label, or undefined when another label took the number meanwhile. */
export async function insertPreIssuedLabel(
  db: Db,
  label: { trackingNumber: string; orderId: string; carrier: string; labelUrl: string },
) {
  const [row] = await db.insert(preIssuedLabels).values(label).onConflictDoNothing().returning();
  return row;
}
