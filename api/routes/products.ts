import { createRoute, z } from '@hono/zod-openapi';
import { productBySku, putProduct, type ProductRow } from '../../db/products.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { Currency, Id, jsonBody, jsonResponse, MinorUnits, problemResponse } from '../schemas.js';

const ProductBody = z
  .object({
    name: z.string().min(1).max(500),
    category: z.string().min(1).max(200),
    price: MinorUnits.nonnegative(),
    currency: Currency,
    stock: z.number().int().nonnegative().max(2_147_483_647, 'at most 2147483647'), // an int4 column
    returnable: z.boolean().default(true),
    hsCode: z
      .string()
      .regex(/^[0-9]{6,10}$/, 'an HS tariff code: 6 to 10 digits, no dots or spaces')
      .nullish()
      .openapi({
        description: 'HS tariff code for customs declarations (omitted or null: none)',
        example: '6110110000',
      }),
    originCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code such as PT')
      .nullish()
      .openapi({ description: 'country of origin for customs declarations (omitted or null: unknown)', example: 'PT' }),
    variantOf: Id.nullish().openapi({
      description:
        "the base product's SKU when this is a variant (another size or colour); portal exchanges stay within one family",
      example: 'SWEATER-WOOL',
    }),
  })
  .openapi('ProductInput');
const Product = ProductBody.extend({
  sku: z.string(),
  hsCode: z.string().nullable(),
  originCountry: z.string().nullable(),
  variantOf: z.string().nullable(),
}).openapi('Product');
const SkuParam = z.object({ sku: Id.openapi({ param: { name: 'sku', in: 'path' } }) });

const put = createRoute({
  method: 'put',
  path: '/v1/products/{sku}',
  tags: ['Reference data'],
  summary: 'Create or replace a product (stock included)',
  security: bearer,
  request: { params: SkuParam, body: jsonBody(ProductBody) },
  responses: { 200: jsonResponse(Product, 'the product'), 422: problemResponse('invalid body') },
});

const get = createRoute({
  method: 'get',
  path: '/v1/products/{sku}',
  tags: ['Reference data'],
  summary: 'A product with its current stock',
  security: bearer,
  request: { params: SkuParam },
  responses: { 200: jsonResponse(Product, 'the product'), 404: problemResponse('no such product') },
});

const view = (p: ProductRow) => ({
  sku: p.sku,
  name: p.name,
  category: p.category,
  price: p.price,
  currency: p.currency,
  stock: p.stock,
  returnable: p.returnable,
  hsCode: p.hsCode,
  originCountry: p.originCountry,
  variantOf: p.variantOf,
});

export function productRoutes({ db }: ApiDeps) {
  return newRouter()
    .openapi(put, async (c) => {
      const { sku } = c.req.valid('param');
      // A PUT replaces: customs fields left out are cleared, not kept from before.
      const input = c.req.valid('json');
      if (input.variantOf === sku)
        throw new ProblemError(422, 'a product cannot be a variant of itself', [
          { field: 'variantOf', detail: 'must name another SKU (the base product)', in: 'body' },
        ]);
      const body = {
        ...input,
        hsCode: input.hsCode ?? null,
        originCountry: input.originCountry ?? null,
        variantOf: input.variantOf ?? null,
      };
      return c.json(view(await putProduct(db, sku, body)), 200);
    })
    .openapi(get, async (c) => {
      const { sku } = c.req.valid('param');
      const row = await productBySku(db, sku);
      if (!row) throw new ProblemError(404, `no product ${sku}`);
      return c.json(view(row), 200);
    });
}
