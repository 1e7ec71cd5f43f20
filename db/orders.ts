/** Orders imported from the shop, with what their cases claimed and cost. */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { PaymentProviderName } from '../domain/refunds.js';
import { claimedQuantities } from './claims.js';
import type { Db } from './client.js';
import { orderMargin } from './margin.js';
import { customers, orderLines, orderPayments, orders, refunds, type ImportedOrder } from './schema.js';

/** An order as POST /v1/orders validated it: payments name known providers. */
export type OrderImport = Omit<ImportedOrder, 'payments'> & {
  payments?: { provider: PaymentProviderName; reference: string; amount: number; currency: string; method?: string }[];
};

/** `unchanged`: this body was imported before; `conflict`: another body has the id; `concurrent`: imported meanwhile. */
export type ImportResult = 'created' | 'unchanged' | 'conflict' | 'concurrent';

/** Thrown inside the transaction so the customer upsert is rolled back with it. */
class ImportedConcurrently extends Error {}

/** Imports the order with its customer (upserted), lines and payments, once per id and body. */
export async function importOrder(db: Db, body: OrderImport, bodyHash: string): Promise<ImportResult> {
  try {
    return await db.transaction(async (tx) => {
      const [existing] = await tx.select({ bodyHash: orders.bodyHash }).from(orders).where(eq(orders.id, body.id));
      if (existing) return existing.bodyHash === bodyHash ? 'unchanged' : 'conflict';
      const now = new Date();
      const consent = body.customer.marketingConsent;
      const cust = {
        email: body.customer.email,
        name: body.customer.name,
        locale: body.customer.locale,
        country: body.customer.country,
        // Left out of the order: the customer keeps the address and consent on record.
        ...(body.customer.address ? { address: body.customer.address } : {}),
        ...(consent !== undefined ? { marketingConsent: consent } : {}),
      };
      await tx
        .insert(customers)
        .values({ id: body.customer.id, ...cust, marketingConsentAt: consent ? now : null })
        .onConflictDoUpdate({
          target: customers.id,
          set: {
            ...cust,
            // When consent was given, kept while it stands; cleared when it is withdrawn.
            ...(consent !== undefined
              ? {
                  marketingConsentAt: consent
                    ? sql`case when ${customers.marketingConsent} then coalesce(${customers.marketingConsentAt}, ${now.toISOString()}::timestamptz) else ${now.toISOString()}::timestamptz end`
                    : null,
                }
              : {}),
            updatedAt: now,
          },
        });
      const inserted = await tx
        .insert(orders)
        .values({
          id: body.id,
          customerId: body.customer.id,
          currency: body.currency,
          placedAt: new Date(body.placedAt),
          deliveredAt: body.deliveredAt ? new Date(body.deliveredAt) : null,
          exportReference: body.exportReference ?? null,
          deliveryCost: body.deliveryCost ?? null,
          bodyHash,
          body,
        })
        .onConflictDoNothing()
        .returning({ id: orders.id });
      if (inserted.length === 0) throw new ImportedConcurrently();
      await tx.insert(orderLines).values(body.lines.map((l) => ({ orderId: body.id, ...l })));
      const tenders = body.payments ?? [];
      if (tenders.length) {
        await tx.insert(orderPayments).values(
          tenders.map((p, position) => ({
            orderId: body.id,
            position,
            provider: p.provider,
            reference: p.reference,
            amount: p.amount,
            currency: p.currency,
            method: p.method ?? null,
          })),
        );
      }
      return 'created';
    });
  } catch (err) {
    if (err instanceof ImportedConcurrently) return 'concurrent';
    throw err;
  }
}

export async function orderExists(db: Db, id: string): Promise<boolean> {
  const [order] = await db.select({ id: orders.id }).from(orders).where(eq(orders.id, id));
  return order !== undefined;
}

/** The order as imported, with the quantity cases claim per line and the margin effect of its cases. */
export async function loadOrder(db: Db, id: string) {
  const [order] = await db.select().from(orders).where(eq(orders.id, id));
  if (!order) return undefined;
  const [claimed, margin, payments] = await Promise.all([
    claimedQuantities(db, id),
    orderMargin(db, id, order.currency),
    paymentsOf(db, id),
  ]);
  const body = order.body;
  return {
    ...body,
    deliveredAt: body.deliveredAt ?? null,
    exportReference: body.exportReference ?? null,
    lines: body.lines.map((l) => ({ ...l, returnedQuantity: claimed.get(l.id) ?? 0 })),
    deliveryCost: order.deliveryCost,
    payments,
    margin,
  };
}

/** The order's tenders in the order given, with what each has given back (or is giving back) over all cases. */
export async function paymentsOf(db: Db, orderId: string) {
  const rows = await db
    .select()
    .from(orderPayments)
    .where(eq(orderPayments.orderId, orderId))
    .orderBy(asc(orderPayments.position));
  const ids = rows.map((r) => r.id);
  const refunded = ids.length
    ? await db
        .select({ paymentId: refunds.paymentId, n: sql<number>`coalesce(sum(${refunds.amount}), 0)`.mapWith(Number) })
        .from(refunds)
        .where(and(inArray(refunds.paymentId, ids), inArray(refunds.status, ['pending', 'succeeded'])))
        .groupBy(refunds.paymentId)
    : [];
  const by = new Map(refunded.map((r) => [r.paymentId, r.n]));
  return rows.map((r) => ({
    provider: r.provider,
    reference: r.reference,
    amount: r.amount,
    currency: r.currency,
    method: r.method,
    refunded: by.get(r.id) ?? 0,
  }));
}
