/** Status and wait names exactly as the public API (shared/API.md) spells them. */
export const CASE_STATUSES = [
  'requested',
  'awaiting_approval',
  'awaiting_parcel',
  'in_transit',
  'received',
  'inspected',
  'completed',
  'cancelled',
  'expired',
  'rejected',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const WAITING_FOR = ['approval', 'parcel', 'receipt', 'inspection', 'refund'] as const;
export type WaitingFor = (typeof WAITING_FOR)[number];

export const METHODS = ['return_to_stock', 'credit_only', 'exchange', 'exchange_without_return'] as const;
export type ReturnMethod = (typeof METHODS)[number];

export const CHANNELS = ['customer_service', 'portal', 'store', 'mail'] as const;
export type Channel = (typeof CHANNELS)[number];

export const CONDITIONS = ['new', 'opened', 'damaged', 'defective'] as const;
export type Condition = (typeof CONDITIONS)[number];

export const DISPOSITIONS = ['restock', 'refurbish', 'scrap'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** A case in one of these states no longer moves. */
export const FINAL_STATUSES: ReadonlySet<CaseStatus> = new Set(['completed', 'cancelled', 'expired', 'rejected']);

/** Cases in these states no longer claim their order lines' quantity. */
export const RELEASING_STATUSES: readonly CaseStatus[] = ['cancelled', 'expired', 'rejected'];

/** The workflow still waits for the parcel: a scan or a carrier report is acted on (later ones are only recorded). */
export const AWAITING_PARCEL_STATUSES: ReadonlySet<string> = new Set(['requested', 'awaiting_parcel', 'in_transit']);

export function isFinal(status: CaseStatus): boolean {
  return FINAL_STATUSES.has(status);
}
