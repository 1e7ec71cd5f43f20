/**
 * What a PostNord event means for a return case. By the event's `status`, upper-cased (unknown
 * ones are `info`, like every carrier):
 *   CREATED, INFORMED (EDI pre-advice: label made, parcel not yet handed over)      → info
 *   EN_ROUTE (with PostNord, on its way)                                             → in_transit
 *   AVAILABLE_FOR_DELIVERY (at the delivery terminal / out for delivery to us)       → in_transit
 *   AVAILABLE_FOR_DELIVERY_PAR_LOC (waiting at a service point, not with us)         → info
 *   DELIVERED (to the receiver, i.e. our warehouse)                                  → delivered
 *   DELIVERY_IMPOSSIBLE, DELIVERY_REFUSED, EXPECTED_DELAY, RETURNED, STOPPED, OTHER  → info
 * An event without a usable `status` falls back to its `eventCode` when that is one of the codes
 * below (our assumption about PostNord's codes, not from their documentation); otherwise `info`.
 */
import type { MappedStatus } from '../../domain/carrier-status.js';

export const POSTNORD_STATUSES = [
  'CREATED',
  'INFORMED',
  'EN_ROUTE',
  'AVAILABLE_FOR_DELIVERY',
  'AVAILABLE_FOR_DELIVERY_PAR_LOC',
  'DELIVERED',
  'DELIVERY_IMPOSSIBLE',
  'DELIVERY_REFUSED',
  'EXPECTED_DELAY',
  'RETURNED',
  'STOPPED',
  'OTHER',
] as const;

const STATUS: Record<(typeof POSTNORD_STATUSES)[number], MappedStatus> = {
  CREATED: 'info',
  INFORMED: 'info',
  EN_ROUTE: 'in_transit',
  AVAILABLE_FOR_DELIVERY: 'in_transit',
  AVAILABLE_FOR_DELIVERY_PAR_LOC: 'info',
  DELIVERED: 'delivered',
  DELIVERY_IMPOSSIBLE: 'info',
  DELIVERY_REFUSED: 'info',
  EXPECTED_DELAY: 'info',
  RETURNED: 'info',
  STOPPED: 'info',
  OTHER: 'info',
};

/** Fallback by event code, only when the event carries no known status. */
const EVENT_CODE: Record<string, MappedStatus> = {
  EDI_RECEIVED: 'info',
  SHIPMENT_INFORMED: 'info',
  ITEM_RECEIVED: 'in_transit',
  EN_ROUTE: 'in_transit',
  ARRIVED_AT_TERMINAL: 'in_transit',
  DEPARTED_FROM_TERMINAL: 'in_transit',
  OUT_FOR_DELIVERY: 'in_transit',
  DELIVERED: 'delivered',
  DELIVERED_TO_RECEIVER: 'delivered',
};

/** How far along each mapped state is: a parcel's state is its most advanced event's. */
export const RANK: Record<MappedStatus, number> = { info: 0, in_transit: 1, delivered: 2 };

const norm = (s: string | undefined) =>
  (s ?? '')
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');

/** What one PostNord event means for a case: by `status`, else by `eventCode`, else `info`. */
export function mapPostNordStatus(status: string | undefined, eventCode?: string): MappedStatus {
  const s = norm(status);
  if (Object.hasOwn(STATUS, s)) return STATUS[s as keyof typeof STATUS];
  const code = norm(eventCode);
  return Object.hasOwn(EVENT_CODE, code) ? EVENT_CODE[code]! : 'info';
}
