/**
 * Which case a parcel belongs to, by its (normalized) tracking number: the case's own label first,
 * else one of its further parcels. One prepared statement, and only what carrier events need (id,
 * status): a webhook pays one round trip and no planning for it.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { preparedFor } from './prepared.js';
import { caseParcels, returnCases } from './schema.js';

export interface ParcelOwner {
  id: string;
  status: string;
}

const ownerQuery = preparedFor((db: Db) => {
  const tn = sql.placeholder('trackingNumber');
  // Tracking numbers are unique in each table: at most one row from each branch, the label's first.
  const label = db
    .select({ id: returnCases.id, status: returnCases.status, rank: sql<number>`0`.as('rank') })
    .from(returnCases)
    .where(eq(returnCases.trackingNumber, tn));
  const parcel = db
    .select({ id: returnCases.id, status: returnCases.status, rank: sql<number>`1`.as('rank') })
    .from(caseParcels)
    .innerJoin(returnCases, eq(returnCases.id, caseParcels.caseId))
    .where(eq(caseParcels.trackingNumber, tn));
  return label
    .unionAll(parcel)
    .orderBy(sql`rank`)
    .limit(1)
    .prepare('parcel_owner');
});

export async function parcelOwner(db: Db, trackingNumber: string): Promise<ParcelOwner | undefined> {
  const [row] = await ownerQuery(db).execute({ trackingNumber });
  return row && { id: row.id, status: row.status };
}
