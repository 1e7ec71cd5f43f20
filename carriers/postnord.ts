/**
 * PostNord as a label carrier: return labels carry item ids from the shop's range
 * (postnord/item-ids.ts), and parcels are polled through track-and-trace
 * (postnord/track-and-trace.ts, read by postnord/tracking.ts, mapped by postnord/statuses.ts).
 */
import { LabelRangeExhausted, type LabelCarrierAdapter, type TrackingEvent } from './carrier.js';
import { s10ItemId } from './postnord/item-ids.js';
import { mapPostNordStatus } from './postnord/statuses.js';
import { fetchTracking } from './postnord/track-and-trace.js';
import { postNordEventId } from './postnord/tracking.js';

export { isS10ItemId, s10CheckDigit, s10ItemId } from './postnord/item-ids.js';
export { nordicTime } from './postnord/nordic-time.js';
export { mapPostNordStatus, POSTNORD_STATUSES } from './postnord/statuses.js';
export { fetchTracking, POSTNORD_TIMEOUT_MS, trackingUrl } from './postnord/track-and-trace.js';
export {
  parseTracking,
  postNordEventId,
  PostNordError,
  type PostNordEvent,
  type PostNordTracking,
} from './postnord/tracking.js';

export interface PostNordSettings {
  apiUrl: string;
  apiKey: string;
  /** How often a waiting parcel is polled (ISO 8601 duration). */
  pollEvery: string;
  /** The shop's item-id range: prefix letters, issuing country, first and last serial. */
  itemPrefix: string;
  itemCountry: string;
  serialFrom: number;
  serialTo: number;
}

export function postnordCarrier(settings: PostNordSettings): LabelCarrierAdapter {
  return {
    name: 'postnord',
    pollEvery: settings.pollEvery,
    async createLabel({ serials }) {
      // Counted per range (prefix + first serial): a new range starts from its own first number, and
      // extending the last serial of the current one keeps counting.
      const series = `postnord:${settings.itemPrefix}${settings.serialFrom}`;
      const size = settings.serialTo - settings.serialFrom + 1;
      if ((await serials.issued(series)) >= size)
        throw new LabelRangeExhausted(
          `the PostNord item-id range ${settings.itemPrefix} ${settings.serialFrom}-${settings.serialTo} is used up; ask PostNord for a new one and set POSTNORD_ITEM_RANGE`,
        );
      const n = await serials.next(series);
      if (n > size)
        throw new LabelRangeExhausted(
          `the PostNord item-id range ${settings.itemPrefix} ${settings.serialFrom}-${settings.serialTo} is used up`,
        );
      return { trackingNumber: s10ItemId(settings.itemPrefix, settings.serialFrom + n - 1, settings.itemCountry) };
    },
    async track(trackingNumber): Promise<TrackingEvent[]> {
      const tracking = await fetchTracking(settings.apiUrl, settings.apiKey, trackingNumber);
      return tracking.events.map((e) => ({
        eventId: postNordEventId(trackingNumber, e),
        trackingNumber,
        status: e.status || e.eventCode,
        occurredAt: e.occurredAt,
        location: e.location,
        mapped: e.mapped,
      }));
    },
    mapStatus: (status) => mapPostNordStatus(status, status),
  };
}
