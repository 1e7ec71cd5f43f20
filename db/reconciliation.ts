/**
 * What the reconciliation report adds up, per UTC day and currency (api/routes/reports.ts puts it
 * together): credit notes by the day they were issued; refunds by the day they were planned, by
 * status, store credit apart; the payouts' fees, delivery and shortfall by the day they were fixed;
 * charges by the day they were recorded.
 */
import { and, eq, gte, lt, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { RefundStatus } from '../domain/refunds.js';
import type { Db } from './client.js';
import { charges, creditNotes, payouts, refunds } from './schema.js';

const dayOf = (col: AnyColumn): SQL<string> => sql<string>`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD')`;
const total = (expr: SQL | AnyColumn) => sql<number>`coalesce(sum(${expr}), 0)`.mapWith(Number);
const within = (col: AnyColumn, start: Date, end: Date) => and(gte(col, start), lt(col, end));

export interface ReconciliationRows {
  creditNotes: { day: string; currency: string; amount: number }[];
  /** Store credit apart (`store`): its principal (what was credited) and bonus. Money refunds: principal = amount, bonus 0. */
  refunds: { day: string; currency: string; status: RefundStatus; store: boolean; principal: number; bonus: number }[];
  payouts: { day: string; currency: string; fee: number; delivery: number; shortfall: number }[];
  charges: { day: string; currency: string; amount: number }[];
}

export async function reconciliationRows(db: Db, start: Date, end: Date): Promise<ReconciliationRows> {
  const noteDay = dayOf(creditNotes.issuedAt);
  const refundDay = dayOf(refunds.createdAt);
  const store = sql<boolean>`(${refunds.slot} = 'store_credit')`;
  const payoutDay = dayOf(payouts.createdAt);
  const chargeDay = dayOf(charges.createdAt);
  // A store-credit refund pays out principal + bonus in one; the payout row says how much of it is bonus.
  const bonus = sql`case when ${refunds.slot} = 'store_credit' then coalesce(${payouts.bonus}, 0) else 0 end`;
  const [notes, refunded, paidOut, charged] = await Promise.all([
    db
      .select({ day: noteDay, currency: creditNotes.currency, amount: total(creditNotes.amount) })
      .from(creditNotes)
      .where(within(creditNotes.issuedAt, start, end))
      .groupBy(noteDay, creditNotes.currency),
    db
      .select({
        day: refundDay,
        currency: refunds.currency,
        status: refunds.status,
        store,
        principal: total(sql`${refunds.amount} - ${bonus}`),
        bonus: total(bonus),
      })
      .from(refunds)
      .leftJoin(payouts, and(eq(payouts.caseId, refunds.caseId), eq(payouts.purpose, refunds.purpose)))
      .where(within(refunds.createdAt, start, end))
      .groupBy(refundDay, refunds.currency, refunds.status, store),
    db
      .select({
        day: payoutDay,
        currency: payouts.currency,
        fee: total(payouts.fee),
        delivery: total(payouts.delivery),
        shortfall: total(payouts.shortfall),
      })
      .from(payouts)
      .where(within(payouts.createdAt, start, end))
      .groupBy(payoutDay, payouts.currency),
    db
      .select({ day: chargeDay, currency: charges.currency, amount: total(charges.amount) })
      .from(charges)
      .where(within(charges.createdAt, start, end))
      .groupBy(chargeDay, charges.currency),
  ]);
  return { creditNotes: notes, refunds: refunded, payouts: paidOut, charges: charged };
}
