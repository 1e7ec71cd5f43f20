/** A pre-issued label goes to one case only: the first case to claim it in its opening transaction. */
import { and, eq, isNull } from 'drizzle-orm';
import { preIssuedLabels } from '../db/schema.js';
import { CaseNotOpened, LabelAlreadyClaimed } from './not-opened.js';
import type { CaseTx } from './transaction.js';

export interface ClaimedLabel {
  carrier: string;
  trackingNumber: string;
  url: string;
}

/** The label for the case, claimed by an update a concurrent scan of the same label waits behind. */
export async function claimPreIssuedLabel(
  tx: CaseTx,
  trackingNumber: string,
  caseId: string,
  orderId: string,
): Promise<ClaimedLabel> {
  const claimed = await tx
    .update(preIssuedLabels)
    .set({ caseId })
    .where(and(eq(preIssuedLabels.trackingNumber, trackingNumber), isNull(preIssuedLabels.caseId)))
    .returning();
  const row = claimed[0];
  if (!row) {
    const [other] = await tx.select().from(preIssuedLabels).where(eq(preIssuedLabels.trackingNumber, trackingNumber));
    if (other?.caseId) throw new LabelAlreadyClaimed(trackingNumber, other.caseId);
    throw new CaseNotOpened('no-such-label', `no pre-issued label ${trackingNumber}`);
  }
  if (row.orderId !== orderId)
    throw new CaseNotOpened('invalid', `label ${row.trackingNumber} belongs to order ${row.orderId}`);
  return { carrier: row.carrier, trackingNumber: row.trackingNumber, url: row.labelUrl };
}
