/** Customers and what they had with us: cases, credit notes, charges, refunds and store credit. */
import { asc, desc, eq, sql } from 'drizzle-orm';
import { loadCaseViews } from './case-view.js';
import type { Db } from './client.js';
import { refundsOfCustomer } from './refunds.js';
import { charges, creditNotes, customers, orders, returnCases, storeCreditEntries } from './schema.js';

export async function customerById(db: Db, id: string) {
  const [row] = await db.select().from(customers).where(eq(customers.id, id));
  return row;
}

/** The customer's cases (newest first, without timelines), credit notes, charges, refunds and store credit (oldest first). */
export async function customerHistory(db: Db, id: string) {
  const [caseRows, notes, charged, refunded, credit] = await Promise.all([
    db
      .select()
      .from(returnCases)
      .where(eq(returnCases.customerId, id))
      .orderBy(desc(returnCases.createdAt), desc(returnCases.id)),
    db.select().from(creditNotes).where(eq(creditNotes.customerId, id)).orderBy(asc(creditNotes.seq)),
    db.select().from(charges).where(eq(charges.customerId, id)).orderBy(asc(charges.id)),
    refundsOfCustomer(db, id),
    storeCreditOf(db, id),
  ]);
  const cases = await loadCaseViews(db, caseRows, false);
  return { cases, notes, charged, refunded, storeCredit: credit };
}

/**
 * The customer's store-credit ledger: entries oldest first (issues positive, redemptions negative;
 * an entry's `amount` includes its `bonus`), and the balance in the customer's currency — that of
 * the latest entry, else of the latest order. Entries in other currencies are listed, not added.
 */
export async function storeCreditOf(db: Db, customerId: string) {
  const rows = await db
    .select()
    .from(storeCreditEntries)
    .where(eq(storeCreditEntries.customerId, customerId))
    .orderBy(asc(storeCreditEntries.id));
  let currency = rows.at(-1)?.currency ?? null;
  if (!currency) {
    const [latest] = await db
      .select({ currency: orders.currency })
      .from(orders)
      .where(eq(orders.customerId, customerId))
      .orderBy(desc(orders.placedAt))
      .limit(1);
    currency = latest?.currency ?? null;
  }
  const balance = rows.filter((r) => r.currency === currency).reduce((s, r) => s + r.amount, 0);
  return {
    balance,
    currency,
    entries: rows.map((r) => ({
      code: r.code,
      amount: r.amount,
      bonus: r.bonus,
      currency: r.currency,
      caseId: r.caseId,
      refundId: r.refundId,
      createdAt: r.createdAt.toISOString(),
    })),
  };
}

/**
 * Sets the customer's marketing consent; `marketingConsentAt` records when it last changed (given
 * or withdrawn, as the unsubscribe link does) and stays put when nothing changes. Undefined
 * without such a customer.
 */
export async function setMarketingConsent(db: Db, id: string, consent: boolean) {
  const [row] = await db
    .update(customers)
    .set({
      marketingConsent: consent,
      marketingConsentAt: sql`case when ${customers.marketingConsent} = ${consent} then ${customers.marketingConsentAt} else now() end`,
    })
    .where(eq(customers.id, id))
    .returning();
  return row;
}
