import { createRoute, z } from '@hono/zod-openapi';
import { loadCaseView } from '../../db/case-view.js';
import { loadCustomsDeclaration } from '../../db/customs.js';
import { DEFAULT_WAREHOUSE } from '../../documents/label-pdf.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { IdParam, jsonResponse, MinorUnits, problemResponse } from '../schemas.js';

const Country = z.object({ country: z.string().openapi({ description: 'ISO 3166-1 alpha-2', example: 'NO' }) });

export const CustomsDeclarationSchema = z
  .object({
    caseId: z.string(),
    orderId: z.string(),
    exportReference: z.string(),
    direction: z.literal('return'),
    from: Country.openapi({ description: "the customer's country" }),
    to: Country.openapi({ description: "the warehouse's country" }),
    currency: z.string(),
    items: z.array(
      z.object({
        orderLineId: z.string(),
        sku: z.string(),
        description: z.string().openapi({ description: 'the order line name' }),
        quantity: z.number().int(),
        unitValue: MinorUnits.openapi({ description: 'the unit price paid, in minor units' }),
        customsValue: MinorUnits.openapi({ description: 'unitValue × quantity, in minor units' }),
        hsCode: z.string().nullable().openapi({ description: "the product's HS tariff code, if it has one" }),
        originCountry: z
          .string()
          .nullable()
          .openapi({ description: "the product's country of origin (ISO 3166-1 alpha-2), if known" }),
      }),
    ),
    totalValue: MinorUnits.openapi({ description: 'the sum of the customs values, in minor units' }),
  })
  .openapi('CustomsDeclaration');

const getCustoms = createRoute({
  method: 'get',
  path: '/v1/returns/{id}/customs',
  tags: ['Cases'],
  summary: 'The content declaration of a case whose order has an export reference',
  description:
    'Items, quantities, customs values (prices paid), origin and HS codes of what the case returns, ' +
    'with the original export reference. The same declaration is page 2 of the return label.',
  security: bearer,
  request: { params: IdParam },
  responses: {
    200: jsonResponse(CustomsDeclarationSchema, 'the content declaration'),
    404: problemResponse('no such case, or its order has no export reference (no customs border)'),
  },
});

/** `warehouse` is where parcels go (its country is the declaration's `to`); without it, DEFAULT_WAREHOUSE. */
export function customsRoutes(deps: ApiDeps) {
  const { db } = deps;
  return newRouter().openapi(getCustoms, async (c) => {
    const { id } = c.req.valid('param');
    const view = await loadCaseView(db, id);
    if (!view) throw new ProblemError(404, `no case ${id}`);
    const declaration = await loadCustomsDeclaration(db, view, (deps.warehouse ?? DEFAULT_WAREHOUSE).country);
    if (!declaration)
      throw new ProblemError(
        404,
        `case ${id}: order ${view.orderId} has no export reference, so no customs declaration`,
      );
    return c.json(declaration, 200);
  });
}
