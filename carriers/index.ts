/** The carriers that push tracking webhooks, by the name in `POST /v1/webhooks/carriers/{carrier}`. PostNord is polled instead (./postnord.ts). */
import { CARRIERS, type Carrier } from '../domain/carrier-status.js';
import { aftership } from './aftership.js';
import type { CarrierAdapter } from './carrier.js';
import { easypost } from './easypost.js';
import { generic } from './generic.js';

export const WEBHOOK_CARRIERS: Readonly<Record<Carrier, CarrierAdapter>> = { easypost, aftership, generic };

/** The adapter for a webhook carrier name, or undefined for one we do not know. */
export function carrierAdapter(name: string): CarrierAdapter | undefined {
  return (CARRIERS as readonly string[]).includes(name) ? WEBHOOK_CARRIERS[name as Carrier] : undefined;
}

export type { CarrierAdapter, HeaderReader, Refusal, TrackingEvent } from './carrier.js';
export { InvalidCarrierEvent, TIMESTAMP_TOLERANCE_MS } from './carrier.js';
export { aftership, verifyAfterShip } from './aftership.js';
export { easypost, verifyEasyPost } from './easypost.js';
export { generic, GenericTrackingEvent, verifyStandardWebhook } from './generic.js';
export { fetchTracking, mapPostNordStatus, parseTracking, PostNordError, POSTNORD_STATUSES, type PostNordEvent, type PostNordTracking } from './postnord.js';
