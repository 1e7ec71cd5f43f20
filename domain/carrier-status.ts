/**
 * What a carrier's tracking status means for a return case. Pure: shared by the webhook route and
 * its unit test. `in_transit` moves a case waiting for its parcel to in_transit; `delivered`
 * (to our warehouse) counts as receipt, like a dock scan; `info` is recorded only.
 */
export const CARRIERS = ['easypost', 'aftership', 'generic'] as const;
export type Carrier = (typeof CARRIERS)[number];

export type MappedStatus = 'in_transit' | 'delivered' | 'info';

export const EASYPOST_STATUSES = [
  'pre_transit',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'available_for_pickup',
  'return_to_sender',
  'failure',
  'cancelled',
  'error',
  'unknown',
] as const;

export const AFTERSHIP_TAGS = [
  'InfoReceived',
  'InTransit',
  'OutForDelivery',
  'AttemptFail',
  'Delivered',
  'AvailableForPickup',
  'Exception',
  'Expired',
  'Pending',
] as const;

export const GENERIC_STATUSES = [
  'in_transit',
  'out_for_delivery',
  'delivered',
  'exception',
  'returned_to_sender',
] as const;

const EASYPOST: Record<(typeof EASYPOST_STATUSES)[number], MappedStatus> = {
  pre_transit: 'info', // label created, not yet handed over
  in_transit: 'in_transit',
  out_for_delivery: 'in_transit',
  delivered: 'delivered',
  // At a pickup point, not with us: still on its way as far as the case is concerned.
  available_for_pickup: 'info',
  return_to_sender: 'info', // going back to the customer, not to us
  failure: 'info',
  cancelled: 'info',
  error: 'info',
  unknown: 'info',
};

const AFTERSHIP: Record<(typeof AFTERSHIP_TAGS)[number], MappedStatus> = {
  InfoReceived: 'info',
  InTransit: 'in_transit',
  OutForDelivery: 'in_transit',
  AttemptFail: 'info',
  Delivered: 'delivered',
  AvailableForPickup: 'info',
  Exception: 'info',
  Expired: 'info',
  Pending: 'info',
};

const GENERIC: Record<(typeof GENERIC_STATUSES)[number], MappedStatus> = {
  in_transit: 'in_transit',
  out_for_delivery: 'in_transit',
  delivered: 'delivered',
  exception: 'info',
  returned_to_sender: 'info',
};

const TABLES: Record<Carrier, Record<string, MappedStatus>> = {
  easypost: EASYPOST,
  aftership: AFTERSHIP,
  generic: GENERIC,
};

export const isCarrier = (s: string): s is Carrier => (CARRIERS as readonly string[]).includes(s);

/** Unknown or new statuses are recorded only: they never move a case. */
export function mapCarrierStatus(carrier: Carrier, status: string): MappedStatus {
  const table = TABLES[carrier];
  return Object.hasOwn(table, status) ? table[status]! : 'info';
}
