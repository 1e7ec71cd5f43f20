/**
 * A track-and-trace answer read into events (oldest first) and the parcel's state: the most
 * advanced mapped state over all events (delivered > in_transit > info). A later informational
 * event, such as an expected delay, does not make a moving parcel "not moving" again, just as the
 * case workflow keeps the first carrier report of each kind.
 */
import { createHash } from 'node:crypto';
import type { MappedStatus } from '../../domain/carrier-status.js';
import { nordicTime } from './nordic-time.js';
import { mapPostNordStatus, RANK } from './statuses.js';

export interface PostNordEvent {
  /** As sent (PostNord sends local time without an offset, e.g. `2026-11-02T08:15:00`). */
  eventTime: string;
  occurredAt: Date | null;
  eventCode: string;
  eventDescription: string;
  status: string;
  mapped: MappedStatus;
  location?: string;
}

export interface PostNordTracking {
  trackingNumber: string;
  /** Oldest first; events without a readable time come first, in the order sent. */
  events: PostNordEvent[];
  /** The newest event, if any. */
  latest: PostNordEvent | undefined;
  /** The most advanced mapped state over all events; `info` with no events. */
  state: MappedStatus;
}

export class PostNordError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'PostNordError';
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function toEvent(raw: unknown): PostNordEvent {
  const e = obj(raw);
  const loc = obj(e.location);
  const location =
    str(loc.displayName) ||
    [str(loc.name) || str(loc.city), str(loc.countryCode) || str(loc.country)].filter(Boolean).join(', ');
  const eventTime = str(e.eventTime);
  const t = eventTime ? nordicTime(eventTime) : null;
  const status = str(e.status);
  const eventCode = str(e.eventCode);
  return {
    eventTime,
    occurredAt: t && !Number.isNaN(t.getTime()) ? t : null,
    eventCode,
    eventDescription: str(e.eventDescription),
    status,
    mapped: mapPostNordStatus(status, eventCode),
    ...(location ? { location } : {}),
  };
}

/** Parses a track-and-trace answer: `{TrackingInformationResponse: {shipments}}` or a top-level `{shipments}`. */
export function parseTracking(trackingNumber: string, body: unknown): PostNordTracking {
  const root = obj(body);
  const wrapped = root.TrackingInformationResponse ?? root.trackingInformationResponse;
  const shipments = wrapped !== undefined ? obj(wrapped).shipments : root.shipments;
  if (!Array.isArray(shipments)) throw new PostNordError('PostNord answered without a shipments array');
  const raw = shipments.flatMap((s) => asArray(obj(s).items).flatMap((i) => asArray(obj(i).events)));
  const events = raw
    .map(toEvent)
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.occurredAt?.getTime() ?? -Infinity) - (b.e.occurredAt?.getTime() ?? -Infinity) || a.i - b.i)
    .map(({ e }) => e);
  const state = events.reduce<MappedStatus>((best, e) => (RANK[e.mapped] > RANK[best] ? e.mapped : best), 'info');
  return { trackingNumber, events, latest: events.at(-1), state };
}

/** One event's inbox key: PostNord sends no event id, so it is derived from what identifies the event. */
export function postNordEventId(trackingNumber: string, e: PostNordEvent): string {
  // Not the location: PostNord may enrich it later, and the same event must keep its id.
  const digest = createHash('sha256')
    .update([trackingNumber, e.eventTime, e.eventCode, e.status].join('\u001f'))
    .digest('hex');
  return `${trackingNumber}:${digest.slice(0, 24)}`;
}
