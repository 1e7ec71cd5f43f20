/** Return labels from the built-in `local` carrier: a tracking number per case, issued once. */
import { randomInt } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { caseParcels, returnCases } from '../db/schema.js';
import type { ActivityDeps } from './deps.js';

export interface Label {
  carrier: string;
  trackingNumber: string;
  url: string;
}

/** `LR` + 12 digits: unambiguous to read aloud and to scan. */
export function newLocalTrackingNumber(): string {
  let digits = '';
  for (let i = 0; i < 12; i++) digits += randomInt(10);
  return `LR${digits}`;
}

export function labelActivities({ db, publicUrl, afterEffect }: ActivityDeps) {
  return {
    async issueReturnLabel({ caseId }: { caseId: string }): Promise<Label> {
      const url = `${publicUrl}/v1/returns/${encodeURIComponent(caseId)}/label`;
      // Only the first attempt sets the number; a retry finds it and returns the same label.
      await db
        .update(returnCases)
        .set({ labelCarrier: 'local', trackingNumber: newLocalTrackingNumber(), labelUrl: url })
        .where(and(eq(returnCases.id, caseId), isNull(returnCases.trackingNumber)));
      await afterEffect?.('issueReturnLabel', caseId);
      const [row] = await db.select().from(returnCases).where(eq(returnCases.id, caseId));
      if (!row?.trackingNumber) throw new Error(`case ${caseId} not found`);
      return { carrier: row.labelCarrier ?? 'local', trackingNumber: row.trackingNumber, url: row.labelUrl ?? url };
    },

    /** One more parcel label for a case (parcel 2, 3, …); the same parcel number always gets the same label. */
    async issueParcelLabel({ caseId, parcelNo }: { caseId: string; parcelNo: number }): Promise<Label> {
      const url = `${publicUrl}/v1/returns/${encodeURIComponent(caseId)}/label?parcel=${parcelNo}`;
      await db.insert(caseParcels).values({ caseId, parcelNo, carrier: 'local', trackingNumber: newLocalTrackingNumber(), labelUrl: url }).onConflictDoNothing({ target: [caseParcels.caseId, caseParcels.parcelNo] });
      await afterEffect?.('issueParcelLabel', caseId);
      const [row] = await db.select().from(caseParcels).where(and(eq(caseParcels.caseId, caseId), eq(caseParcels.parcelNo, parcelNo)));
      if (!row) throw new Error(`parcel ${parcelNo} of case ${caseId} not found`);
      return { carrier: row.carrier, trackingNumber: row.trackingNumber, url: row.labelUrl };
    },
  };
}
