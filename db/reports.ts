/** What the warehouse reports read from the projection (api/routes/reports.ts tallies it). */
import { and, gte, inArray, isNotNull, lt } from 'drizzle-orm';
import type { CaseStatus } from '../domain/case-status.js';
import type { Db } from './client.js';
import { caseEvents, caseLines, returnCases } from './schema.js';

const ON_THE_WAY: CaseStatus[] = ['awaiting_parcel', 'in_transit'];

/** Cases whose labelled parcel is on its way to us, longest waiting first. */
export async function casesWithParcelOnTheWay(db: Db) {
  return db
    .select()
    .from(returnCases)
    .where(and(inArray(returnCases.status, ON_THE_WAY), isNotNull(returnCases.trackingNumber)))
    .orderBy(returnCases.waitingSince);
}

/** The `parcel.received` and `inspected` timeline entries in [start, end). */
export async function receiptsAndInspections(db: Db, start: Date, end: Date) {
  return db
    .select({ caseId: caseEvents.caseId, type: caseEvents.type })
    .from(caseEvents)
    .where(
      and(
        inArray(caseEvents.type, ['parcel.received', 'inspected']),
        gte(caseEvents.at, start),
        lt(caseEvents.at, end),
      ),
    );
}

export async function linesOfCases(db: Db, caseIds: string[]) {
  return caseIds.length ? db.select().from(caseLines).where(inArray(caseLines.caseId, caseIds)) : [];
}
