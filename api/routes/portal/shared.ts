/**
 * What the portal's routes share: the token's secret, the order and case lookups for the token's
 * order, and the pieces of their documentation.
 */
import { z } from '@hono/zod-openapi';
import { asc, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { randomBytes } from 'node:crypto';
import { loadCaseView, type CaseView } from '../../../db/case-view.js';
import { customerById } from '../../../db/customers.js';
import { policyFor } from '../../../db/policies.js';
import { familiesOf, type ProductRow } from '../../../db/products.js';
import { orderLines, orders } from '../../../db/schema.js';
import { CUSTOMER_LANGUAGES } from '../../../domain/policy.js';
import { portalOrderOf } from '../../portal-session.js';
import { ProblemError } from '../../problem.js';
import type { ApiDeps } from '../../router.js';
import { problemResponse } from '../../schemas.js';

export const portalToken = [{ portalToken: [] }];
export const tags = ['Customer portal'];
export const unauthorized = problemResponse('missing, invalid or expired portal token (sign in again)');

export const Language = z.enum(CUSTOMER_LANGUAGES);

/** What the order and a case both say of an order line. */
export const PortalLine = z.object({
  orderLineId: z.string(),
  sku: z.string(),
  name: z.string(),
  quantity: z.number().int(),
});

export type Portal = ReturnType<typeof portal>;

/** Made once for all the portal's routes: their tokens verify with the same secret. */
export function portal(deps: ApiDeps) {
  const { db } = deps;
  // Without a configured secret, one of this process: its own tokens verify, e-mail links do not.
  const secret = deps.linkSecret ?? randomBytes(32).toString('hex');

  /** The order of the request's portal token (401 without a valid one). */
  const tokenOrder = (c: Context) => portalOrderOf(c, secret);

  /** The order, its customer, the policy of the customer's market and the order's lines; 404 for no order. */
  async function orderContext(orderId: string) {
    const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
    if (!order) throw new ProblemError(404, `no order ${orderId}`);
    const customer = await customerById(db, order.customerId);
    const policy = await policyFor(db, customer?.country ?? 'default');
    const lines = await db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(asc(orderLines.id));
    return { order, customer, policy, lines };
  }

  /** The products of the families of these SKUs (base products and variants), by SKU. */
  async function catalogueOf(skus: readonly string[]): Promise<Map<string, ProductRow>> {
    return new Map((await familiesOf(db, skus)).map((p) => [p.sku, p]));
  }

  /** The case `id` if it belongs to the token's order; the same 404 for another order's case and for none. */
  async function caseOfToken(c: Context, id: string): Promise<CaseView> {
    const orderId = tokenOrder(c);
    const view = await loadCaseView(db, id);
    if (!view || view.orderId !== orderId) throw new ProblemError(404, `no case ${id} for this order`);
    return view;
  }

  return { deps, db, secret, tokenOrder, orderContext, catalogueOf, caseOfToken };
}
