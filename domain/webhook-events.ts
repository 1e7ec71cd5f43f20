/**
 * Outbound webhook event types the shop can subscribe to, and which timeline entry raises each.
 * Pure: shared by the API (validation), the projection (enqueueing) and tests.
 */

/** Timeline type → webhook event type. Timeline entries not listed raise no webhook. */
const BY_TIMELINE_TYPE = {
  'case.started': 'return.created',
  'parcel.in_transit': 'return.in_transit',
  'parcel.received': 'return.received',
  inspected: 'return.inspected',
  completed: 'return.completed',
  cancelled: 'return.cancelled',
  expired: 'return.expired',
  'credit_note.issued': 'credit_note.issued',
  'replacement.shipped': 'shipment.created',
  'charge.recorded': 'charge.recorded',
  'refund.succeeded': 'refund.succeeded',
  'refund.failed': 'refund.failed',
} as const satisfies Record<string, string>;

export type WebhookEventType = (typeof BY_TIMELINE_TYPE)[keyof typeof BY_TIMELINE_TYPE];

export const WEBHOOK_EVENT_TYPES = Object.values(BY_TIMELINE_TYPE) as [WebhookEventType, ...WebhookEventType[]];

/** Subscribes to every event type. */
export const ALL_EVENTS = '*';

/** The webhook event a timeline entry raises, if any. */
export function webhookEventFor(timelineType: string): WebhookEventType | undefined {
  return Object.hasOwn(BY_TIMELINE_TYPE, timelineType)
    ? BY_TIMELINE_TYPE[timelineType as keyof typeof BY_TIMELINE_TYPE]
    : undefined;
}

/** Whether an endpoint subscribed to `subscribed` (event types or "*") wants `type`. */
export function subscribesTo(subscribed: unknown, type: WebhookEventType): boolean {
  return Array.isArray(subscribed) && (subscribed.includes(ALL_EVENTS) || subscribed.includes(type));
}
