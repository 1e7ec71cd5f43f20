/**
 * Polling carriers without a push API (PostNord): every event found goes through the same inbox as
 * webhook events, keyed by (carrier, derived event id), and is told to the case once.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { eq } from 'drizzle-orm';
import { labelCarrier } from '../carriers/index.js';
import { caseParcels, returnCases } from '../db/schema.js';
import { AWAITING_PARCEL_STATUSES } from '../domain/case-status.js';
import { storeCarrierEvent, tellCase } from '../tracking/inbox.js';
import type { ActivityDeps } from './deps.js';

export interface PollResult {
  /** Tracking numbers asked about. */
  polled: number;
  /** Events not seen before. */
  newEvents: number;
  /** Events told to the case (in transit, delivered). */
  told: number;
}

export function trackingActivities({ db, temporal, carriers }: Pick<ActivityDeps, 'db' | 'temporal' | 'carriers'>) {
  return {
    /** Asks the carrier about each of the case's parcels that it tracks by polling. */
    async pollCarrier({ caseId }: { caseId: string }): Promise<PollResult> {
      const [c] = await db.select().from(returnCases).where(eq(returnCases.id, caseId));
      if (!c) throw ApplicationFailure.nonRetryable(`case ${caseId} not found`);
      const parcels = await db.select().from(caseParcels).where(eq(caseParcels.caseId, caseId));
      const labels = [
        ...(c.trackingNumber && c.labelCarrier ? [{ carrier: c.labelCarrier, trackingNumber: c.trackingNumber }] : []),
        ...parcels.map((p) => ({ carrier: p.carrier, trackingNumber: p.trackingNumber })),
      ];
      const result: PollResult = { polled: 0, newEvents: 0, told: 0 };
      for (const label of labels) {
        const adapter = labelCarrier(label.carrier, carriers);
        if (!adapter?.track) continue;
        result.polled++;
        const events = await adapter.track(label.trackingNumber);
        for (const event of events) {
          const mapped = event.mapped ?? adapter.mapStatus(event.status);
          const { row, duplicate } = await storeCarrierEvent(db, {
            ...event,
            carrier: adapter.name,
            mapped,
            payload: { ...event, occurredAt: event.occurredAt?.toISOString() ?? null },
            caseId,
          });
          if (!duplicate) result.newEvents++;
          // Like a webhook: only a case still waiting for its parcel is told; later reports are recorded.
          if (!row.appliedAt && AWAITING_PARCEL_STATUSES.has(c.status) && (await tellCase(db, temporal, row, caseId)))
            result.told++;
        }
      }
      return result;
    },
  };
}
