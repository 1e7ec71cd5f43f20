/** Stored label renderings (label_documents), keyed by tracking number and input hash. */
import { and, eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { labelDocuments } from './schema.js';

export interface LabelDocumentKey {
  trackingNumber: string;
  inputHash: string;
}

export async function findLabelDocument(db: Db, key: LabelDocumentKey): Promise<Uint8Array | undefined> {
  const [row] = await db
    .select({ pdf: labelDocuments.pdf })
    .from(labelDocuments)
    .where(and(eq(labelDocuments.trackingNumber, key.trackingNumber), eq(labelDocuments.inputHash, key.inputHash)));
  return row?.pdf;
}

/**
 * Stores a rendering unless one with the same key is there, and returns the stored bytes: when
 * another process rendered the same label meanwhile, every caller sends the first one's PDF.
 */
export async function saveLabelDocument(
  db: Db,
  doc: LabelDocumentKey & { caseId: string | null; parcelNo: number; pdf: Uint8Array },
): Promise<Uint8Array> {
  const [inserted] = await db
    .insert(labelDocuments)
    .values(doc)
    .onConflictDoNothing()
    .returning({ trackingNumber: labelDocuments.trackingNumber });
  if (inserted) return doc.pdf;
  return (await findLabelDocument(db, doc)) ?? doc.pdf;
}
