/** The product catalogue with stock. */
import { eq, inArray, or } from 'drizzle-orm';
import type { Db } from './client.js';
import { products } from './schema.js';

export type ProductRow = typeof products.$inferSelect;

/** Creates or replaces the product (stock included). */
export async function putProduct(
  db: Db,
  sku: string,
  body: Omit<typeof products.$inferInsert, 'sku' | 'updatedAt'>,
): Promise<ProductRow> {
  const [row] = await db
    .insert(products)
    .values({ sku, ...body })
    .onConflictDoUpdate({ target: products.sku, set: { ...body, updatedAt: new Date() } })
    .returning();
  return row!;
}

export async function productBySku(db: Db, sku: string): Promise<ProductRow | undefined> {
  const [row] = await db.select().from(products).where(eq(products.sku, sku));
  return row;
}

/** Every product of the families the given SKUs belong to (each base product and all its variants). */
export async function familiesOf(db: Db, skus: readonly string[]): Promise<ProductRow[]> {
  if (skus.length === 0) return [];
  const own = await db
    .select()
    .from(products)
    .where(inArray(products.sku, [...new Set(skus)]));
  const bases = [...new Set([...skus, ...own.map((p) => p.variantOf ?? p.sku)])];
  return db
    .select()
    .from(products)
    .where(or(inArray(products.sku, bases), inArray(products.variantOf, bases)));
}
