/**
 * One interface for every carrier: create a return label, verify a pushed webhook's signature over
 * the raw body, parse it into a {@link TrackingEvent}, poll for events (carriers without a push API),
 * map the carrier's status to what it means for a return case. Each carrier implements the parts it
 * has. Adapters know nothing of HTTP frameworks or the database; callers turn their answers into
 * responses and rows.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from '@hono/zod-openapi';
import type { MappedStatus } from '../domain/carrier-status.js';

/** Signed timestamps (Standard Webhooks header, AfterShip `ts`) older or newer than this are refused. */
export const TIMESTAMP_TOLERANCE_MS = 5 * 60_000;

/** Reads a request header by (case-insensitive) name. */
export type HeaderReader = (name: string) => string | undefined;

/** One carrier event in our terms. */
export interface TrackingEvent {
  eventId: string;
  trackingNumber: string;
  status: string;
  occurredAt: Date | null;
  location?: string;
  /** Set when the adapter already knows the meaning (e.g. from a second field); else `mapStatus(status)`. */
  mapped?: MappedStatus;
}

/** What a carrier needs to issue one return parcel's tracking number. */
export interface LabelRequest {
  caseId: string;
  parcelNo: number;
  /** Number series, for carriers that hand the shop a range of numbers. */
  serials: NumberSeries;
}

/** Named counters: `next` answers 1, 2, 3, … (never the same twice); `issued` how many so far. */
export interface NumberSeries {
  next(series: string): Promise<number>;
  issued(series: string): Promise<number>;
}

/** The carrier's number range is used up: no label until it is extended. */
export class LabelRangeExhausted extends Error {
  override name = 'LabelRangeExhausted';
}

/** Why a request was refused: `detail` for the 401 problem; `field` names the body field when the body is at fault. */
export interface Refusal {
  detail: string;
  /** `invalid-signature` (headers) or `stale-event` (a signed body field). */
  kind: 'invalid-signature' | 'stale-event';
  field?: string;
}

export interface CarrierAdapter {
  readonly name: string;
  /** Unknown or new statuses map to `info`: they never move a case. */
  mapStatus(status: string): MappedStatus;
  /** Issues a return parcel's tracking number (carriers that print our labels). */
  createLabel?(request: LabelRequest): Promise<{ trackingNumber: string }>;
  /** Carriers without a push API: every event for the parcel so far, oldest first. Throws when the carrier cannot be asked now. */
  track?(trackingNumber: string): Promise<TrackingEvent[]>;
  /** How often `track` is worth calling while a parcel is on its way (ISO 8601 duration). */
  readonly pollEvery?: string;
  /** Checks the signature over the exact raw body. `null` = accepted. Runs before anything is parsed. */
  verify?(secret: string, rawBody: string, headers: HeaderReader, now: Date): Refusal | null;
  /** Optional check on the parsed (already authenticated) body, e.g. a signed timestamp. `null` = fresh. */
  checkFreshness?(body: unknown, now: Date): Refusal | null;
  /** The tracking update in the body; `null` when the event is not a tracking update (acknowledged, not stored). Throws {@link InvalidCarrierEvent}. */
  parse?(body: unknown, headers: HeaderReader): TrackingEvent | null;
}

/** A carrier that pushes signed tracking webhooks to `POST /v1/webhooks/carriers/{carrier}`. */
export type WebhookCarrierAdapter = CarrierAdapter & Required<Pick<CarrierAdapter, 'verify' | 'parse'>>;

/** A carrier that issues return labels. */
export type LabelCarrierAdapter = CarrierAdapter & Required<Pick<CarrierAdapter, 'createLabel'>>;

/** A signed body that is not a valid event (422). */
export class InvalidCarrierEvent extends Error {
  constructor(readonly issues: { field: string; detail: string }[]) {
    super(`invalid body: ${issues.map((i) => i.field).join(', ')}`);
    this.name = 'InvalidCarrierEvent';
  }
}

export function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success)
    throw new InvalidCarrierEvent(
      result.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', detail: i.message })),
    );
  return result.data;
}

export const validDate = (s: string | null | undefined): Date | null => {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
};

export const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** Constant-time comparison of a computed MAC with the one sent (any encoding, decoded to bytes). */
export function sameMac(expected: Buffer, given: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(expected, given);
}

export const isHex = (s: string) => /^[0-9a-fA-F]*$/.test(s) && s.length % 2 === 0;
export const isBase64 = (s: string) => /^[A-Za-z0-9+/]*={0,2}$/.test(s);
