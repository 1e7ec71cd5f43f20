/**
 * Credit-note numbers come from one sequence: under concurrent issuing (and retries of the same
 * step) every note gets exactly one number, with no gaps and no duplicates.
 */
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditNoteActivities } from '../../activities/credit-notes.js';
import type { Database } from '../../db/client.js';
import { creditNotes, customers, orderLines, orders, returnCases } from '../../db/schema.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { openTestDatabase, uid } from '../support/stack.js';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

async function seedCases(n: number): Promise<string[]> {
  const db = database.db;
  const customerId = uid('CUS');
  const orderId = uid('ORD');
  await db
    .insert(customers)
    .values({ id: customerId, email: 'a@example.no', name: 'A', locale: 'nb-NO', country: 'NO' });
  const placedAt = new Date();
  const body = {
    id: orderId,
    customer: { id: customerId, email: 'a@example.no', name: 'A', locale: 'nb-NO', country: 'NO' },
    currency: 'NOK',
    placedAt: placedAt.toISOString(),
    lines: [],
  };
  await db.insert(orders).values({ id: orderId, customerId, currency: 'NOK', placedAt, bodyHash: 'x', body });
  await db
    .insert(orderLines)
    .values({ orderId, id: 'L1', sku: 'S', name: 'S', quantity: n, unitPrice: 10_000, vatRate: 25 });
  const ids = Array.from({ length: n }, () => uid('RET'));
  await db.insert(returnCases).values(
    ids.map((id) => ({
      id,
      orderId,
      customerId,
      method: 'return_to_stock' as const,
      channel: 'portal' as const,
      status: 'inspected' as const,
      currency: 'NOK',
      policy: DEFAULT_POLICY,
    })),
  );
  return ids;
}

const draft = (amount: number) => ({
  currency: 'NOK',
  amount,
  vat: Math.round(amount / 5),
  lines: [
    {
      orderLineId: 'L1',
      sku: 'S',
      quantity: 1,
      paid: amount,
      restockingFeePercent: 0,
      restockingFee: 0,
      amount,
      vatRate: 25,
      vat: Math.round(amount / 5),
    },
  ],
});

describe('credit-note numbering', () => {
  it('numbers concurrent notes without gaps or duplicates, and a retried step keeps its number', async () => {
    const { issueCreditNote } = creditNoteActivities({ db: database.db });
    const ids = await seedCases(24);
    // Every case issues its note three times at once: the first attempt and two "retries".
    const issued = await Promise.all(
      ids.flatMap((caseId, i) =>
        [0, 1, 2].map(() =>
          issueCreditNote({ caseId, purpose: 'return_credit', draft: draft(1000 + i) }).catch((e: Error) => e),
        ),
      ),
    );
    // A concurrent duplicate may lose the unique race and fail; Temporal retries it, and the retry must find the note.
    const retried = await Promise.all(
      ids.map((caseId, i) => issueCreditNote({ caseId, purpose: 'return_credit', draft: draft(1000 + i) })),
    );
    const rows = await database.db.select().from(creditNotes).where(inArray(creditNotes.caseId, ids));
    expect(rows).toHaveLength(ids.length);
    for (const [i, caseId] of ids.entries()) {
      const row = rows.find((r) => r.caseId === caseId)!;
      expect(retried[i]!.number).toBe(row.number);
      expect(row.amount).toBe(1000 + i);
    }
    expect(issued.filter((r) => !(r instanceof Error)).length).toBeGreaterThanOrEqual(ids.length);

    // Across the whole table the sequence has no holes: numbers 1..max, each once.
    const all = await database.db.select({ seq: creditNotes.seq, number: creditNotes.number }).from(creditNotes);
    const seqs = all.map((r) => r.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
    expect(all.every((r) => r.number === `CN-${String(r.seq).padStart(6, '0')}`)).toBe(true);
    const [one] = await database.db.select().from(creditNotes).where(eq(creditNotes.caseId, ids[0]!));
    expect(one!.lines).toEqual(draft(1000).lines);
  });
});

describe('credit never exceeds what was paid', () => {
  it('caps a later note on a line that earlier notes already credited', async () => {
    const { issueCreditNote } = creditNoteActivities({ db: database.db });
    const [a, b, c] = await seedCases(3); // the line: 3 units × 100.00 paid = 300.00
    expect((await issueCreditNote({ caseId: a!, purpose: 'credit_only', draft: draft(25_000) }))!.amount).toBe(25_000);
    const capped = await issueCreditNote({ caseId: b!, purpose: 'return_credit', draft: draft(10_000) });
    expect(capped!.amount).toBe(5_000);
    const [row] = await database.db.select().from(creditNotes).where(eq(creditNotes.caseId, b!));
    expect(row!.vat).toBe(1_000);
    expect((row!.lines as { cappedFrom?: number }[])[0]!.cappedFrom).toBe(10_000);
    expect(await issueCreditNote({ caseId: c!, purpose: 'return_credit', draft: draft(10_000) })).toBeNull();
  });
});
