import { createRoute, z } from '@hono/zod-openapi';
import { loadCaseView } from '../../db/case-view.js';
import { renderCaseLabel } from '../../documents/label-data.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { IdParam, problemResponse } from '../schemas.js';

const getLabel = createRoute({
  method: 'get',
  path: '/v1/returns/{id}/label',
  tags: ['Cases'],
  summary: 'The return label of a parcel as a printable A6 PDF',
  description:
    'Code 128 barcode and QR code of the tracking number, sender and receiver, case and order reference. ' +
    'When the order has an export reference, a second page carries the content declaration ' +
    '(the same as GET /v1/returns/{id}/customs: items, quantities, values, HS codes and origin).',
  security: bearer,
  request: {
    params: IdParam,
    query: z.object({
      parcel: z.coerce
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(1)
        .openapi({ description: "the parcel number in the case view's `parcels` (default 1)" }),
    }),
  },
  responses: {
    200: {
      description: 'the label',
      content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    404: problemResponse('no such case, the case has no label (nothing goes back), or no such parcel'),
  },
});

/** `warehouse` is where parcels go; without it, DEFAULT_WAREHOUSE. */
export function labelRoutes(deps: ApiDeps) {
  const { db } = deps;
  return newRouter().openapi(getLabel, async (c) => {
    const { id } = c.req.valid('param');
    const { parcel: parcelNo } = c.req.valid('query');
    const view = await loadCaseView(db, id);
    if (!view) throw new ProblemError(404, `no case ${id}`);
    if (!view.label) throw new ProblemError(404, `case ${id} has no return label (${view.method})`);
    const parcel = view.parcels.find((p) => p.parcelNo === parcelNo);
    if (!parcel) throw new ProblemError(404, `case ${id} has no parcel ${parcelNo}`);

    const { pdf } = (await renderCaseLabel(db, view, { parcelNo, warehouse: deps.warehouse }))!;
    // Copied: Hono's body type wants an ArrayBuffer-backed array; pdf-lib is typed as ArrayBufferLike.
    return c.body(new Uint8Array(pdf), 200, {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="return-label-${parcel.trackingNumber}.pdf"`,
    });
  });
}
