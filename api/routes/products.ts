import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { products } from '../../db/schema.js';
import { requireRole } from '../auth.js';
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
  })
  .openapi('ProductInput');
const Product = ProductBody.extend({ sku: z.string() }).openapi('Product');
const SkuParam = z.object({ sku: Id.openapi({ param: { name: 'sku', in: 'path' } }) });

const put = createRoute({
  method: 'put',
  path: '/v1/products/{sku}',
  tags: ['Reference data'],
  summary: 'Create or replace a product (stock included)',
  security: bearer,
  middleware: [requireRole('manager')] as const,
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

type Row = typeof products.$inferSelect;
const view = (p: Row) => ({ sku: p.sku, name: p.name, category: p.category, price: p.price, currency: p.currency, stock: p.stock, returnable: p.returnable });

export function productRoutes({ db }: ApiDeps) {
  return newRouter()
    .openapi(put, async (c) => {
      const { sku } = c.req.valid('param');
      const body = c.req.valid('json');
      const [row] = await db
        .insert(products)
        .values({ sku, ...body })
        .onConflictDoUpdate({ target: products.sku, set: { ...body, updatedAt: new Date() } })
        .returning();
      return c.json(view(row!), 200);
    })
    .openapi(get, async (c) => {
      const { sku } = c.req.valid('param');
      const [row] = await db.select().from(products).where(eq(products.sku, sku));
      if (!row) throw new ProblemError(404, `no product ${sku}`);
      return c.json(view(row), 200);
    });
}
