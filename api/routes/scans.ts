import { createRoute, z } from '@hono/zod-openapi';
import { everythingReturnable, LabelAlreadyClaimed, openCase } from '../../cases/open-case.js';
import { caseByTrackingNumber, caseRow, waitForCaseView } from '../../db/case-view.js';
import { recordParcelScan } from '../../db/parcel-scans.js';
import { preIssuedLabel } from '../../db/pre-issued-labels.js';
import { AWAITING_PARCEL_STATUSES } from '../../domain/case-status.js';
import { normalizeTrackingNumber } from '../../domain/tracking-number.js';
import { parcelReceived, type ParcelScan } from '../../workflows/messages.js';
import { signalCase } from '../case-updates.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { CaseViewSchema, jsonBody, jsonResponse, problemResponse } from '../schemas.js';

const ScanBody = z
  .object({
    trackingNumber: z.string().min(1).max(100).optional(),
    barcode: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .openapi({ description: 'the raw text the scanner read off the label' }),
    location: z.string().max(200).optional().openapi({ description: 'dock or scanner', example: 'dock-1' }),
  })
  .refine((b) => b.trackingNumber || b.barcode, { message: 'give trackingNumber or barcode', path: ['trackingNumber'] })
  .openapi('Scan');

const scan = createRoute({
  method: 'post',
  path: '/v1/scans',
  tags: ['Warehouse'],
  summary: 'A parcel is at the dock: the matching case moves to received',
  description:
    'A parcel with a label pre-issued for an order (`POST /v1/orders/{id}/return-label`) and no case yet opens one ' +
    '(channel `mail`, method `return_to_stock`, everything still returnable on the order) under the same policy as ' +
    '`POST /v1/returns`; a policy violation is a 422. Scanning it again finds that case.',
  security: bearer,
  request: { body: jsonBody(ScanBody) },
  responses: {
    200: jsonResponse(CaseViewSchema, 'the case; a repeated scan changes nothing'),
    404: problemResponse('no case and no pre-issued label has this tracking number'),
    422: problemResponse(
      'invalid body, or a pre-issued label whose order allows no return (nothing left, window passed)',
    ),
    503: problemResponse('Temporal unavailable; no case was opened'),
  },
});

/** A barcode may carry a prefix or a URL around the number; the tracking number is its last token. */
export function trackingNumberFromBarcode(barcode: string): string {
  const trimmed = barcode.trim();
  const token =
    trimmed
      .split(/[\s/?=&#]+/)
      .filter(Boolean)
      .pop() ?? trimmed;
  return normalizeTrackingNumber(token);
}

/**
 * A label pre-issued for an order that has no case yet: opens one (channel mail, everything still
 * returnable) with that label. The label is claimed in the creating transaction, so a second or
 * concurrent scan finds the first scan's case instead of opening another.
 */
async function caseForPreIssuedLabel(deps: ApiDeps, trackingNumber: string, scan: ParcelScan) {
  const { db } = deps;
  const label = await preIssuedLabel(db, trackingNumber);
  if (!label) return undefined;
  let caseId = label.caseId;
  if (!caseId) {
    try {
      ({ caseId } = await openCase(
        deps,
        {
          orderId: label.orderId,
          method: 'return_to_stock',
          channel: 'mail',
          lines: everythingReturnable('returned by mail'),
        },
        { trackingNumber, openedByScan: scan },
      ));
    } catch (err) {
      if (!(err instanceof LabelAlreadyClaimed)) throw err;
      caseId = err.caseId;
    }
  }
  return caseRow(db, caseId);
}

export function scanRoutes(deps: ApiDeps) {
  const { db, temporal, settleWaitMs = 3000 } = deps;
  return newRouter().openapi(scan, async (c) => {
    const body = c.req.valid('json');
    const trackingNumber =
      body.trackingNumber !== undefined
        ? normalizeTrackingNumber(body.trackingNumber)
        : trackingNumberFromBarcode(body.barcode!);
    const by = c.get('principal').name;
    const scan: ParcelScan = { trackingNumber, scannedBy: by, ...(body.location ? { location: body.location } : {}) };
    const row =
      (await caseByTrackingNumber(db, trackingNumber)) ?? (await caseForPreIssuedLabel(deps, trackingNumber, scan));
    if (!row) throw new ProblemError(404, `no case has tracking number ${trackingNumber}`);
    await recordParcelScan(db, { caseId: row.id, trackingNumber, scannedBy: by, location: body.location ?? null });
    // The workflow keeps only the first scan; repeats are recorded above for traceability, and a
    // case past the parcel wait (received, completed, even long closed) is not signalled at all.
    if (AWAITING_PARCEL_STATUSES.has(row.status)) await signalCase(temporal, row.id, parcelReceived, scan);
    const view = await waitForCaseView(db, row.id, (v) => !AWAITING_PARCEL_STATUSES.has(v.status), settleWaitMs);
    return c.json(view!, 200);
  });
}
