/**
 * A label PDF is rendered once per input and kept (db/label-documents.ts): rendering (pdf-lib,
 * bwip-js, deflate) costs far more than the reads that gather the input, so e-mails and downloads
 * of the same label send the stored bytes. The key is a hash of everything drawn, so a changed
 * address, declaration, parcel count or layout renders anew instead of serving a stale label.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import type { Db } from '../db/client.js';
import { findLabelDocument, saveLabelDocument } from '../db/label-documents.js';
import { LABEL_LAYOUT_VERSION, renderReturnLabel, type ReturnLabelData } from './label-pdf.js';

/** The hash of a label's input and layout version: equal exactly when the PDF would draw the same. */
export function labelInputHash(data: ReturnLabelData): string {
  return createHash('sha256')
    .update(stringify({ layout: LABEL_LAYOUT_VERSION, data })!)
    .digest('hex');
}

/** Renderings under way in this process, per database: a concurrent request waits for the same one. */
const rendering = new WeakMap<Db, Map<string, Promise<Uint8Array>>>();

/** The label's PDF: the stored rendering of this input, else rendered now and stored. */
export async function labelPdf(db: Db, data: ReturnLabelData): Promise<Uint8Array> {
  const key = { trackingNumber: data.trackingNumber, inputHash: labelInputHash(data) };
  const stored = await findLabelDocument(db, key);
  if (stored) return stored;
  let pending = rendering.get(db);
  if (!pending) rendering.set(db, (pending = new Map()));
  const id = `${key.trackingNumber} ${key.inputHash}`;
  let pdf = pending.get(id);
  if (!pdf) {
    pdf = (async () => {
      const rendered = await renderReturnLabel(data);
      return saveLabelDocument(db, { ...key, caseId: data.caseId ?? null, parcelNo: data.parcelNo, pdf: rendered });
    })().finally(() => pending.delete(id));
    pending.set(id, pdf);
  }
  return pdf;
}
