/**
 * Credit notes, numbered from one sequence without gaps: the number is taken by a row-locking
 * upsert inside the transaction that inserts the note, so a failed insert gives the number back.
 */
import { and, eq, sql } from 'drizzle-orm';
import { capToCreditable, type CreditNoteDraft } from '../domain/settlement.js';
import { creditedAmounts } from '../db/claims.js';
import { creditNotes, orderLines, returnCases } from '../db/schema.js';
import type { ActivityDeps } from './deps.js';

export interface IssuedCreditNote {
  number: string;
  amount: number;
  currency: string;
}

export const formatCreditNoteNumber = (seq: number) => `CN-${String(seq).padStart(6, '0')}`;

export function creditNoteActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /** Returns null when nothing is left to credit on these lines (other notes already credited what was paid). */
    async issueCreditNote(input: {
      caseId: string;
      purpose: string;
      draft: CreditNoteDraft;
    }): Promise<IssuedCreditNote | null> {
      const note = await db.transaction(async (tx) => {
        const [existing] = await tx
          .select()
          .from(creditNotes)
          .where(and(eq(creditNotes.caseId, input.caseId), eq(creditNotes.purpose, input.purpose)));
        if (existing) return existing;
        const [c] = await tx.select().from(returnCases).where(eq(returnCases.id, input.caseId));
        if (!c) throw new Error(`case ${input.caseId} not found`);
        // Never credit a line beyond what was paid for it, across every case of the order: the
        // order's lines are locked so concurrent notes see each other.
        const paidLines = await tx.select().from(orderLines).where(eq(orderLines.orderId, c.orderId)).for('update');
        const credited = await creditedAmounts(tx as never, c.orderId);
        const room = new Map(paidLines.map((l) => [l.id, l.unitPrice * l.quantity - (credited.get(l.id) ?? 0)]));
        const { lines, amount, vat } = capToCreditable(input.draft, room);
        if (amount === 0) return null;
        const seqRows = await tx.execute<{ next: string | number }>(
          sql`insert into credit_note_sequence (id, next) values (1, 1)
              on conflict (id) do update set next = credit_note_sequence.next + 1
              returning next`,
        );
        const rows = (Array.isArray(seqRows) ? seqRows : (seqRows as { rows: { next: string | number }[] }).rows) as {
          next: string | number;
        }[];
        const seq = Number(rows[0]!.next);
        const [inserted] = await tx
          .insert(creditNotes)
          .values({
            seq,
            number: formatCreditNoteNumber(seq),
            caseId: input.caseId,
            purpose: input.purpose,
            orderId: c.orderId,
            customerId: c.customerId,
            amount,
            currency: input.draft.currency,
            vat,
            lines,
            issuedAt: new Date(),
          })
          .returning();
        return inserted!;
      });
      return note && { number: note.number, amount: note.amount, currency: note.currency };
    },
  };
}
