/**
 * PostNord publishes no push API: its track-and-trace endpoint is polled. `fetchTracking` GETs
 * `{baseUrl}/rest/shipment/v5/trackandtrace/findByIdentifier.json?id=<tn>&locale=en&apikey=<key>`
 * and answers the events (oldest first) and what they mean for a return case.
 *
 * Status mapping (the event's `status`, upper-cased; unknown ones are `info`, like every carrier):
 *   CREATED, INFORMED (EDI pre-advice: label made, parcel not yet handed over)      → info
 *   EN_ROUTE (with PostNord, on its way)                                             → in_transit
 *   AVAILABLE_FOR_DELIVERY (at the delivery terminal / out for delivery to us)       → in_transit
 *   AVAILABLE_FOR_DELIVERY_PAR_LOC (waiting at a service point, not with us)         → info
 *   DELIVERED (to the receiver, i.e. our warehouse)                                  → delivered
 *   DELIVERY_IMPOSSIBLE, DELIVERY_REFUSED, EXPECTED_DELAY, RETURNED, STOPPED, OTHER  → info
 * An event without a usable `status` falls back to its `eventCode` when that is one of the codes
 * below (our assumption about PostNord's codes, not from their documentation); otherwise `info`.
 *
 * `state` is the most advanced mapped state over all events (delivered > in_transit > info): a later
 * informational event, such as an expected delay, does not make a moving parcel "not moving" again,
 * just as the case workflow keeps the first carrier report of each kind.
 */
import { createHash } from 'node:crypto';
import type { MappedStatus } from '../domain/carrier-status.js';
import { LabelRangeExhausted, type LabelCarrierAdapter, type TrackingEvent } from './carrier.js';

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

const RANK: Record<MappedStatus, number> = { info: 0, in_transit: 1, delivered: 2 };

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

export const POSTNORD_TIMEOUT_MS = 10_000;

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

const NORDIC_TIME_ZONE = 'Europe/Stockholm';
const zoneParts = new Intl.DateTimeFormat('en-US', {
  timeZone: NORDIC_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** How far Stockholm's wall clock is ahead of UTC at instant `utcMs` (1 h in winter, 2 h in summer). */
function stockholmOffsetMs(utcMs: number): number {
  const p = Object.fromEntries(zoneParts.formatToParts(new Date(utcMs)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(utcMs / 1000) * 1000;
}

/**
 * PostNord sends local (Swedish/Danish/Norwegian) wall-clock time without an offset, e.g.
 * `2026-11-02T08:15:00` = 07:15 UTC. Read it in Europe/Stockholm, whatever the server's zone; a time
 * with an offset or `Z` is taken as given.
 */
export function nordicTime(eventTime: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(eventTime.trim());
  if (!m) {
    const d = new Date(eventTime);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // The offset at the guessed instant, corrected once for the hours around a DST switch.
  let utc = wall - stockholmOffsetMs(wall);
  utc = wall - stockholmOffsetMs(utc);
  return Number.isNaN(utc) ? null : new Date(utc);
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

/** The track-and-trace URL (the API key is a query parameter: never log it). */
export function trackingUrl(baseUrl: string, apiKey: string, trackingNumber: string): string {
  const query = new URLSearchParams({ id: trackingNumber, locale: 'en', apikey: apiKey });
  return `${baseUrl.replace(/\/+$/, '')}/rest/shipment/v5/trackandtrace/findByIdentifier.json?${query}`;
}

/**
 * Polls PostNord for one tracking number. A 404 means PostNord does not know the number (yet): no
 * events. Other failures (non-2xx, timeout, a body that is not a tracking answer) throw
 * {@link PostNordError}, for the caller's retry policy.
 */
export async function fetchTracking(
  baseUrl: string,
  apiKey: string,
  trackingNumber: string,
  { timeoutMs = POSTNORD_TIMEOUT_MS }: { timeoutMs?: number } = {},
): Promise<PostNordTracking> {
  let res: Response;
  try {
    res = await fetch(trackingUrl(baseUrl, apiKey, trackingNumber), {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new PostNordError(
      timedOut ? `PostNord did not answer within ${timeoutMs} ms` : `PostNord request failed: ${String(err)}`,
    );
  }
  if (res.status === 404) {
    await res.body?.cancel();
    return { trackingNumber, events: [], latest: undefined, state: 'info' };
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new PostNordError(`PostNord answered ${res.status}`, res.status);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new PostNordError('PostNord answered with a body that is not JSON', res.status);
  }
  return parseTracking(trackingNumber, body);
}

// ---------------------------------------------------------------------------------------------
// Labels: item ids from the number range PostNord assigns the shop, in the UPU S10 format that
// PostNord's track-and-trace accepts: 2 letters, 8 serial digits, a check digit, the country.

const S10_WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7];

/** The S10 check digit of an 8-digit serial (UPU S10 standard, mod 11). */
export function s10CheckDigit(serial: string): number {
  if (!/^\d{8}$/.test(serial)) throw new Error(`S10 serial must be 8 digits: ${serial}`);
  const sum = S10_WEIGHTS.reduce((acc, w, i) => acc + w * Number(serial[i]), 0);
  const check = 11 - (sum % 11);
  return check === 10 ? 0 : check === 11 ? 5 : check;
}

/** An S10 item id, e.g. `s10ItemId('RR', 12345678, 'SE')` → `RR123456785SE`. */
export function s10ItemId(prefix: string, serial: number, country: string): string {
  if (!Number.isInteger(serial) || serial < 0 || serial > 99_999_999)
    throw new RangeError(`S10 serial out of range: ${serial}`);
  const digits = String(serial).padStart(8, '0');
  return `${prefix}${digits}${s10CheckDigit(digits)}${country}`;
}

/** Whether `id` is a well-formed S10 item id with a correct check digit. */
export function isS10ItemId(id: string): boolean {
  const m = /^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$/.exec(id);
  return m !== null && s10CheckDigit(m[2]!) === Number(m[3]);
}

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

/** One event's inbox key: PostNord sends no event id, so it is derived from what identifies the event. */
export function postNordEventId(trackingNumber: string, e: PostNordEvent): string {
  // Not the location: PostNord may enrich it later, and the same event must keep its id.
  const digest = createHash('sha256')
    .update([trackingNumber, e.eventTime, e.eventCode, e.status].join('\u001f'))
    .digest('hex');
  return `${trackingNumber}:${digest.slice(0, 24)}`;
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
