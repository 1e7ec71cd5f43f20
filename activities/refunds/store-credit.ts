/** Our own ledger (`gift_card`): the amount goes (back) onto a store-credit code, once per refund. */
import { randomInt } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { storeCreditCode } from '../../domain/refunds.js';
import { payouts, storeCreditEntries } from '../../db/schema.js';
import type { ActivityDeps } from '../deps.js';
import type { RefundRecords, RefundRow, RefundState } from './records.js';

export function storeCreditLedger({ db }: Pick<ActivityDeps, 'db'>, { apply }: RefundRecords) {
  return async function creditLedger(row: RefundRow): Promise<RefundState> {
    const code =
      row.slot === 'store_credit'
        ? storeCreditCode((n) => randomInt(n))
        : (row.paymentReference ?? storeCreditCode((n) => randomInt(n)));
    const [payout] = await db
      .select()
      .from(payouts)
      .where(and(eq(payouts.caseId, row.caseId), eq(payouts.purpose, row.purpose)));
    const bonus = row.slot === 'store_credit' ? (payout?.bonus ?? 0) : 0;
    await db
      .insert(storeCreditEntries)
      .values({
        customerId: row.customerId,
        code,
        caseId: row.caseId,
        refundId: row.id,
        amount: row.amount,
        bonus,
        currency: row.currency,
      })
      .onConflictDoNothing();
    // The entry already there (an earlier attempt) keeps its code.
    const [entry] = await db.select().from(storeCreditEntries).where(eq(storeCreditEntries.refundId, row.id));
    return apply(row, { status: 'succeeded', providerReference: entry?.code ?? code });
  };
}
