/** The return label of a case of the token's order: the PDF, and a QR code of its tracking number. */
import { createRoute, z } from '@hono/zod-openapi';
import bwipjs from 'bwip-js';
import { renderCaseLabel } from '../../../documents/label-data.js';
import { ProblemError } from '../../problem.js';
import { newRouter } from '../../router.js';
import { IdParam, problemResponse } from '../../schemas.js';
import { portalToken, tags, unauthorized, type Portal } from './shared.js';

const labelRoute = createRoute({
  method: 'get',
  path: '/v1/portal/returns/{id}/label',
  tags,
  summary: 'The return label of a case of the token’s order (PDF)',
  security: portalToken,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'the label',
      content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    401: unauthorized,
    404: problemResponse('no such case for this order, or it has no label'),
  },
});
const qrRoute = createRoute({
  method: 'get',
  path: '/v1/portal/returns/{id}/label/qr.svg',
  tags,
  summary: 'A QR code of the tracking number, for paperless drop-off (SVG)',
  security: portalToken,
  request: { params: IdParam },
  responses: {
    200: { description: 'the QR code', content: { 'image/svg+xml': { schema: z.string() } } },
    401: unauthorized,
    404: problemResponse('no such case for this order, or it has no label'),
  },
});

export function labelRoutes({ deps, db, caseOfToken }: Portal) {
  return newRouter()
    .openapi(labelRoute, async (c) => {
      const view = await caseOfToken(c, c.req.valid('param').id);
      const label = await renderCaseLabel(db, view, { warehouse: deps.warehouse });
      if (!label) throw new ProblemError(404, `case ${view.id} has no return label`);
      return c.body(new Uint8Array(label.pdf), 200, {
        'content-type': 'application/pdf',
        'content-disposition': `inline; filename="return-label-${label.trackingNumber}.pdf"`,
        'cache-control': 'private, no-store',
      });
    })
    .openapi(qrRoute, async (c) => {
      const view = await caseOfToken(c, c.req.valid('param').id);
      if (!view.label) throw new ProblemError(404, `case ${view.id} has no return label`);
      // The 4-module quiet zone the QR spec asks for (a module is 2 pt here): phones read it off a screen.
      const svg = bwipjs.toSVG({
        bcid: 'qrcode',
        text: view.label.trackingNumber,
        scale: 4,
        paddingwidth: 8,
        paddingheight: 8,
      });
      return c.body(svg, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'private, no-store' });
    });
}
