/**
 * The carrier event inbox. Every tracking event we accept, pushed by a webhook or found by polling,
 * is stored once per (carrier, event id) before it has any effect, then told to the case whose
 * parcel it is. An event for a tracking number no case has yet is kept, and told when the label
 * appears (`tellKeptEvents`). Telling twice is harmless: the case workflow keeps the first report of
 * each kind and ignores reports that would move it backwards.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { and, asc, eq, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import { carrierEvents } from '../db/schema.js';
import type { MappedStatus } from '../domain/carrier-status.js';
import { normalizeTrackingNumber } from '../domain/tracking-number.js';
import { caseWorkflowId, parcelInTransit, parcelReceived } from '../workflows/messages.js';

/** An event's inbox columns, without the carrier's payload (never read back on the hot path). */
export type CarrierEventRow = Omit<typeof carrierEvents.$inferSelect, 'payload' | 'receivedAt'>;

export interface IncomingEvent {
  carrier: string;
  eventId: string;
  trackingNumber: string;
  status: string;
  mapped: MappedStatus;
  occurredAt: Date | null;
  location?: string;
  payload: object;
  caseId?: string | null;
}

const rowColumns = {
  id: carrierEvents.id,
  carrier: carrierEvents.carrier,
  eventId: carrierEvents.eventId,
  trackingNumber: carrierEvents.trackingNumber,
  status: carrierEvents.status,
  mapped: carrierEvents.mapped,
  occurredAt: carrierEvents.occurredAt,
  location: carrierEvents.location,
  caseId: carrierEvents.caseId,
  appliedAt: carrierEvents.appliedAt,
};

const insertEvent = preparedFor((db: Db) =>
  db
    .insert(carrierEvents)
    .values({
      carrier: sql.placeholder('carrier'),
      eventId: sql.placeholder('eventId'),
      trackingNumber: sql.placeholder('trackingNumber'),
      status: sql.placeholder('status'),
      mapped: sql.placeholder('mapped'),
      // Raw, not through the column's encoder (which cannot take null): an ISO string or null.
      occurredAt: sql`${sql.placeholder('occurredAt')}::timestamptz`,
      location: sql.placeholder('location'),
      payload: sql.placeholder('payload'),
      caseId: sql.placeholder('caseId'),
    })
    .onConflictDoNothing()
    .returning(rowColumns)
    .prepare('carrier_event_insert'),
);

const storedEvent = preparedFor((db: Db) =>
  db
    .select(rowColumns)
    .from(carrierEvents)
    .where(
      and(eq(carrierEvents.carrier, sql.placeholder('carrier')), eq(carrierEvents.eventId, sql.placeholder('eventId'))),
    )
    .prepare('carrier_event_by_id'),
);

/** Stores the event unless (carrier, event id) is already in; answers the stored row either way. */
export async function storeCarrierEvent(
  db: Db,
  e: IncomingEvent,
): Promise<{ row: CarrierEventRow; duplicate: boolean }> {
  const [inserted] = await insertEvent(db).execute({
    carrier: e.carrier,
    eventId: e.eventId,
    trackingNumber: normalizeTrackingNumber(e.trackingNumber),
    status: e.status,
    mapped: e.mapped,
    occurredAt: e.occurredAt?.toISOString() ?? null,
    location: e.location ?? null,
    payload: e.payload,
    caseId: e.caseId ?? null,
  });
  if (inserted) return { row: inserted, duplicate: false };
  const [existing] = await storedEvent(db).execute({ carrier: e.carrier, eventId: e.eventId });
  if (!existing) throw new Error(`carrier event ${e.carrier}/${e.eventId} neither inserted nor found`);
  return { row: existing, duplicate: true };
}

/** Records which case an event belongs to (once): for events that are not, or cannot be, applied. */
export async function linkToCase(db: Db, row: CarrierEventRow, caseId: string): Promise<void> {
  if (!row.caseId) await db.update(carrierEvents).set({ caseId }).where(eq(carrierEvents.id, row.id));
}

/**
 * Tells the case's workflow what the event means (in transit, or delivered = receipt) and marks the
 * event applied. `info` events are only linked to the case. False when the case's workflow has ended.
 */
export async function tellCase(db: Db, temporal: Client, row: CarrierEventRow, caseId: string): Promise<boolean> {
  if (row.mapped === 'info') {
    await linkToCase(db, row, caseId);
    return false;
  }
  const handle = temporal.workflow.getHandle(caseWorkflowId(caseId));
  const location = row.location ?? undefined;
  try {
    if (row.mapped === 'delivered') {
      await handle.signal(parcelReceived, {
        trackingNumber: row.trackingNumber,
        scannedBy: `carrier:${row.carrier}`,
        ...(location ? { location } : {}),
      });
    } else {
      await handle.signal(parcelInTransit, {
        trackingNumber: row.trackingNumber,
        carrier: row.carrier,
        status: row.status,
        occurredAt: row.occurredAt?.toISOString(),
        ...(location ? { location } : {}),
      });
    }
  } catch (err) {
    // The case ended meanwhile: the report stays recorded, not applied.
    if (err instanceof WorkflowNotFoundError) {
      await linkToCase(db, row, caseId);
      return false;
    }
    throw err;
  }
  await db.update(carrierEvents).set({ appliedAt: new Date(), caseId }).where(eq(carrierEvents.id, row.id));
  return true;
}

/**
 * The label with `trackingNumber` now belongs to `caseId`: the events kept for it (received before
 * the label was on record) are told to the case, oldest first. Answers how many were told.
 */
export async function tellKeptEvents(
  db: Db,
  temporal: Client,
  caseId: string,
  trackingNumber: string,
): Promise<number> {
  const tn = normalizeTrackingNumber(trackingNumber);
  await db
    .update(carrierEvents)
    .set({ caseId })
    .where(and(eq(carrierEvents.trackingNumber, tn), isNull(carrierEvents.caseId), eq(carrierEvents.mapped, 'info')));
  const kept = await db
    .select()
    .from(carrierEvents)
    .where(
      and(
        eq(carrierEvents.trackingNumber, tn),
        isNull(carrierEvents.appliedAt),
        ne(carrierEvents.mapped, 'info'),
        or(isNull(carrierEvents.caseId), eq(carrierEvents.caseId, caseId)),
      ),
    )
    .orderBy(sql`${carrierEvents.occurredAt} asc nulls first`, asc(carrierEvents.id));
  let told = 0;
  for (const row of kept) if (await tellCase(db, temporal, row, caseId)) told++;
  return told;
}
