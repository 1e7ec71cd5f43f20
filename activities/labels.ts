/**
 * Return labels, from the carrier the case's policy names (`labelCarrier`, default the built-in
 * `local`). A tracking number is issued once per (case, parcel); a retry finds it and answers the
 * same label. Carrier events kept for the number before the label was on record are told to the
 * case as soon as it is.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { labelCarrier, LabelRangeExhausted, type LabelCarrierAdapter, type NumberSeries } from '../carriers/index.js';
import { caseParcels, labelNumberSeries, returnCases } from '../db/schema.js';
import type { Policy } from '../domain/policy.js';
import { tellKeptEvents } from '../tracking/inbox.js';
import type { ActivityDeps } from './deps.js';

export interface Label {
  carrier: string;
  trackingNumber: string;
  url: string;
  /** Set for carriers without a push API: how often the case polls them while the parcel is on its way. */
  pollEvery?: string;
}

/** Why a label could not be issued on this worker; retried, so configuring the carrier unblocks the case. */
export const CARRIER_NOT_CONFIGURED = 'CarrierNotConfigured';
/** The carrier's number range is used up; retried, so extending the range unblocks the case. */
export const LABEL_RANGE_EXHAUSTED = 'LabelRangeExhausted';

export function labelActivities({
  db,
  publicUrl,
  temporal,
  carriers,
}: Pick<ActivityDeps, 'db' | 'publicUrl' | 'temporal' | 'carriers'>) {
  function adapterFor(name: string): LabelCarrierAdapter {
    const adapter = labelCarrier(name, carriers);
    if (!adapter)
      throw ApplicationFailure.retryable(
        `label carrier ${name} is not configured on this worker (see README, carriers)`,
        CARRIER_NOT_CONFIGURED,
      );
    return adapter;
  }

  const serials: NumberSeries = {
    // One atomic upsert, so concurrent labels never share a number.
    async next(series) {
      const [row] = await db
        .insert(labelNumberSeries)
        .values({ series, issued: 1 })
        .onConflictDoUpdate({ target: labelNumberSeries.series, set: { issued: sql`${labelNumberSeries.issued} + 1` } })
        .returning();
      return row!.issued;
    },
    async issued(series) {
      const [row] = await db.select().from(labelNumberSeries).where(eq(labelNumberSeries.series, series));
      return row?.issued ?? 0;
    },
  };

  /** The carrier's label; a used-up number range is retried (as its own error type) until someone extends it. */
  async function createLabel(adapter: LabelCarrierAdapter, caseId: string, parcelNo: number): Promise<string> {
    try {
      return (await adapter.createLabel({ caseId, parcelNo, serials })).trackingNumber;
    } catch (err) {
      if (err instanceof LabelRangeExhausted) throw ApplicationFailure.retryable(err.message, LABEL_RANGE_EXHAUSTED);
      throw err;
    }
  }

  async function answer(caseId: string, carrier: string, trackingNumber: string, url: string): Promise<Label> {
    await tellKeptEvents(db, temporal, caseId, trackingNumber);
    const pollEvery = labelCarrier(carrier, carriers)?.pollEvery;
    return { carrier, trackingNumber, url, ...(pollEvery ? { pollEvery } : {}) };
  }

  return {
    async issueReturnLabel({ caseId }: { caseId: string }): Promise<Label> {
      const url = `${publicUrl}/v1/returns/${encodeURIComponent(caseId)}/label`;
      const [before] = await db.select().from(returnCases).where(eq(returnCases.id, caseId));
      if (!before) throw new Error(`case ${caseId} not found`);
      // A case opened by scanning a pre-issued label already has its number.
      if (!before.trackingNumber) {
        const adapter = adapterFor((before.policy as Policy).labelCarrier ?? 'local');
        const trackingNumber = await createLabel(adapter, caseId, 1);
        await db
          .update(returnCases)
          .set({ labelCarrier: adapter.name, trackingNumber, labelUrl: url })
          .where(and(eq(returnCases.id, caseId), isNull(returnCases.trackingNumber)));
      }
      const [row] = await db.select().from(returnCases).where(eq(returnCases.id, caseId));
      if (!row?.trackingNumber) throw new Error(`case ${caseId} has no label`);
      return answer(caseId, row.labelCarrier ?? 'local', row.trackingNumber, row.labelUrl ?? url);
    },

    /** One more parcel label for a case (parcel 2, 3, …), from the case's carrier; the same parcel number always gets the same label. */
    async issueParcelLabel({ caseId, parcelNo }: { caseId: string; parcelNo: number }): Promise<Label> {
      const url = `${publicUrl}/v1/returns/${encodeURIComponent(caseId)}/label?parcel=${parcelNo}`;
      const parcel = () =>
        db
          .select()
          .from(caseParcels)
          .where(and(eq(caseParcels.caseId, caseId), eq(caseParcels.parcelNo, parcelNo)));
      if ((await parcel()).length === 0) {
        const [owner] = await db.select().from(returnCases).where(eq(returnCases.id, caseId));
        if (!owner) throw new Error(`case ${caseId} not found`);
        const adapter = adapterFor(owner.labelCarrier ?? (owner.policy as Policy).labelCarrier ?? 'local');
        const trackingNumber = await createLabel(adapter, caseId, parcelNo);
        await db
          .insert(caseParcels)
          .values({ caseId, parcelNo, carrier: adapter.name, trackingNumber, labelUrl: url })
          .onConflictDoNothing({ target: [caseParcels.caseId, caseParcels.parcelNo] });
      }
      const [row] = await parcel();
      if (!row) throw new Error(`parcel ${parcelNo} of case ${caseId} not found`);
      return answer(caseId, row.carrier, row.trackingNumber, row.labelUrl);
    },
  };
}
