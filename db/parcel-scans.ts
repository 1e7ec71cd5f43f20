/** Dock scans, each kept for traceability (only the first moves the case). */
import type { Db } from './client.js';
import { parcelScans } from './schema.js';

export async function recordParcelScan(
  db: Db,
  scan: { caseId: string; trackingNumber: string; scannedBy: string; location: string | null },
): Promise<void> {
  await db.insert(parcelScans).values(scan);
}
