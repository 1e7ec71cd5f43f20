/** Credit notes as issued (activities/credit-notes.ts issues them). */
import { eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { creditNotes } from './schema.js';

export async function creditNoteByNumber(db: Db, number: string) {
  const [row] = await db.select().from(creditNotes).where(eq(creditNotes.number, number));
  return row;
}
