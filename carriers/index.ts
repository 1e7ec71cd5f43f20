/**
 * The carriers, by name. Webhook carriers push to `POST /v1/webhooks/carriers/{carrier}`; label
 * carriers issue return labels (`local` always, `postnord` when configured) and, without a push API,
 * are polled.
 */
import { CARRIERS, type Carrier } from '../domain/carrier-status.js';
import { aftership } from './aftership.js';
import type { LabelCarrierAdapter, WebhookCarrierAdapter } from './carrier.js';
import { easypost } from './easypost.js';
import { generic } from './generic.js';
import { local } from './local.js';
import { postnordCarrier, type PostNordSettings } from './postnord.js';

export const WEBHOOK_CARRIERS: Readonly<Record<Carrier, WebhookCarrierAdapter>> = { easypost, aftership, generic };

/** The adapter for a webhook carrier name, or undefined for one we do not know. */
export function carrierAdapter(name: string): WebhookCarrierAdapter | undefined {
  return (CARRIERS as readonly string[]).includes(name) ? WEBHOOK_CARRIERS[name as Carrier] : undefined;
}

/** Settings of the carriers that need any; a carrier without settings is not available. */
export interface CarrierSettings {
  postnord?: PostNordSettings;
}

export const LABEL_CARRIERS = ['local', 'postnord'] as const;
export type LabelCarrier = (typeof LABEL_CARRIERS)[number];

/** The label carrier `name` with these settings; undefined when it is not configured here. */
export function labelCarrier(name: string, settings: CarrierSettings): LabelCarrierAdapter | undefined {
  if (name === 'local') return local;
  if (name === 'postnord' && settings.postnord) return postnordCarrier(settings.postnord);
  return undefined;
}

export type {
  CarrierAdapter,
  HeaderReader,
  LabelCarrierAdapter,
  LabelRequest,
  NumberSeries,
  Refusal,
  TrackingEvent,
  WebhookCarrierAdapter,
} from './carrier.js';
export { InvalidCarrierEvent, LabelRangeExhausted, TIMESTAMP_TOLERANCE_MS } from './carrier.js';
export { aftership, verifyAfterShip } from './aftership.js';
export { easypost, verifyEasyPost } from './easypost.js';
export { generic, GenericTrackingEvent, verifyStandardWebhook } from './generic.js';
export { local, newLocalTrackingNumber } from './local.js';
export {
  fetchTracking,
  isS10ItemId,
  mapPostNordStatus,
  nordicTime,
  parseTracking,
  postnordCarrier,
  PostNordError,
  POSTNORD_STATUSES,
  s10ItemId,
  type PostNordEvent,
  type PostNordSettings,
  type PostNordTracking,
} from './postnord.js';
