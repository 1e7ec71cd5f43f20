/**
 * Return labels issued before any case exists, printed into the outgoing parcel. The first dock
 * scan of one opens a case (channel `mail`): see api/routes/scans.ts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { orderExists } from '../../db/orders.js';
import { caseHasTrackingNumber, insertPreIssuedLabel } from '../../db/pre-issued-labels.js';
import { normalizeTrackingNumber } from '../../domain/tracking-number.js';
import { renderPreIssuedLabel } from '../../documents/label-data.js';
import { newLocalTrackingNumber } from '../../carriers/index.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { IdParam, jsonResponse, problemResponse } from '../schemas.js';

const PreIssuedLabel = z
  .object({
    trackingNumber: z.string().openapi({ example: 'LR123456789012' }),
    carrier: z.string().openapi({ example: 'local' }),
    url: z.string().openapi({ description: 'the label PDF' }),
    orderId: z.string(),
    caseId: z.string().nullable().openapi({ description: 'the case its first scan opened; null until then' }),
    createdAt: z.string(),
  })
  .openapi('PreIssuedLabel');

const issue = createRoute({
  method: 'post',
  path: '/v1/orders/{id}/return-label',
  tags: ['Labels'],
  summary: 'Issue a return label before any case exists (printed into the outgoing parcel)',
  description:
    'Scanning the label at the dock (`POST /v1/scans`) while it has no case opens one with channel `mail`, ' +
    'method `return_to_stock` and everything still returnable on the order, under the usual policy.',
  security: bearer,
  request: { params: IdParam },
  responses: {
    201: jsonResponse(PreIssuedLabel, 'the label'),
    404: problemResponse('no such order'),
    503: problemResponse('no free tracking number found; retry'),
  },
});

const getPdf = createRoute({
  method: 'get',
  path: '/v1/orders/{id}/return-label/{trackingNumber}',
  tags: ['Labels'],
  summary: 'A pre-issued return label as a printable A6 PDF',
  security: bearer,
  request: {
    params: IdParam.extend({
      trackingNumber: z
        .string()
        .min(1)
        .max(100)
        .openapi({ param: { name: 'trackingNumber', in: 'path' } }),
    }),
  },
  responses: {
    200: {
      description: 'the label',
      content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    404: problemResponse('no such label for this order'),
  },
});

const labelUrl = (origin: string, orderId: string, trackingNumber: string) =>
  `${origin}/v1/orders/${encodeURIComponent(orderId)}/return-label/${encodeURIComponent(trackingNumber)}`;

export function preIssuedLabelRoutes(deps: ApiDeps) {
  const { db } = deps;
  return newRouter()
    .openapi(issue, async (c) => {
      const { id } = c.req.valid('param');
      if (!(await orderExists(db, id))) throw new ProblemError(404, `no order ${id}`);
      const origin = new URL(c.req.url).origin;
      // A number no case and no other label has: 10^12 numbers, so a second try is already rare.
      for (let attempt = 0; attempt < 5; attempt++) {
        const trackingNumber = newLocalTrackingNumber();
        if (await caseHasTrackingNumber(db, trackingNumber)) continue;
        const row = await insertPreIssuedLabel(db, {
          trackingNumber,
          orderId: id,
          carrier: 'local',
          labelUrl: labelUrl(origin, id, trackingNumber),
        });
        if (!row) continue;
        c.header('location', row.labelUrl);
        return c.json(
          {
            trackingNumber: row.trackingNumber,
            carrier: row.carrier,
            url: row.labelUrl,
            orderId: row.orderId,
            caseId: row.caseId,
            createdAt: row.createdAt.toISOString(),
          },
          201,
        );
      }
      throw new ProblemError(503, 'could not find a free tracking number; retry');
    })
    .openapi(getPdf, async (c) => {
      const { id, trackingNumber } = c.req.valid('param');
      const label = await renderPreIssuedLabel(db, id, normalizeTrackingNumber(trackingNumber), {
        warehouse: deps.warehouse,
      });
      if (!label) throw new ProblemError(404, `order ${id} has no pre-issued label ${trackingNumber}`);
      // Copied: Hono's body type wants an ArrayBuffer-backed array; pdf-lib is typed as ArrayBufferLike.
      return c.body(new Uint8Array(label.pdf), 200, {
        'content-type': 'application/pdf',
        'content-disposition': `inline; filename="return-label-${label.trackingNumber}.pdf"`,
      });
    });
}
