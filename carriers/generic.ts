/**
 * The generic format, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256("id.timestamp.body")>`, secret `whsec_<base64>`):
 * for Nordic carriers (Bring, nShift/Consignor) and integration layers. The event id is `webhook-id`.
 */
import { z } from '@hono/zod-openapi';
import { GENERIC_STATUSES, mapCarrierStatus } from '../domain/carrier-status.js';
import {
  hmac,
  isBase64,
  parseWith,
  sameMac,
  TIMESTAMP_TOLERANCE_MS,
  validDate,
  type WebhookCarrierAdapter,
} from './carrier.js';

/** The secret's key bytes (base64 after `whsec_`), decoded once: every delivery is signed with the same secret. */
let lastKey: { secret: string; key: Buffer } | undefined;
function signingKey(secret: string): Buffer {
  if (lastKey?.secret !== secret) {
    const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
    lastKey = { secret, key };
  }
  return lastKey.key;
}

/** Standard Webhooks: `v1,<base64 HMAC-SHA256("id.timestamp.body")>`, possibly several, space-separated. */
export function verifyStandardWebhook(
  secret: string,
  raw: string,
  headers: { id?: string; timestamp?: string; signature?: string },
  now = Date.now(),
): 'ok' | 'bad_signature' | 'bad_timestamp' {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return 'bad_signature';
  const expected = hmac(signingKey(secret), `${id}.${timestamp}.${raw}`);
  const matches = signature
    .split(' ')
    .filter(Boolean)
    .some((part) => {
      const [version, sig] = part.split(',', 2);
      return version === 'v1' && sig !== undefined && isBase64(sig) && sameMac(expected, Buffer.from(sig, 'base64'));
    });
  if (!matches) return 'bad_signature';
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp) * 1000) > TIMESTAMP_TOLERANCE_MS)
    return 'bad_timestamp';
  return 'ok';
}

export const GenericTrackingEvent = z
  .object({
    type: z.literal('tracking.updated'),
    data: z.object({
      trackingNumber: z.string().min(1).max(100).openapi({ example: 'LR000000000042' }),
      status: z.enum(GENERIC_STATUSES),
      occurredAt: z.iso.datetime({ offset: true }).openapi({ example: '2026-11-02T08:15:00Z' }),
      location: z.string().max(200).optional().openapi({ example: 'Oslo terminal' }),
    }),
  })
  .openapi('GenericTrackingEvent');

export const generic: WebhookCarrierAdapter = {
  name: 'generic',
  verify(secret, raw, headers, now) {
    const result = verifyStandardWebhook(
      secret,
      raw,
      { id: headers('webhook-id'), timestamp: headers('webhook-timestamp'), signature: headers('webhook-signature') },
      now.getTime(),
    );
    if (result === 'bad_signature')
      return { kind: 'invalid-signature', detail: 'missing or invalid webhook-signature (Standard Webhooks)' };
    if (result === 'bad_timestamp')
      return { kind: 'invalid-signature', detail: 'webhook-timestamp is more than 5 minutes off' };
    return null;
  },
  parse(body, headers) {
    const type = (body as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && type !== 'tracking.updated') return null;
    const e = parseWith(GenericTrackingEvent, body);
    return {
      // verify() only accepts requests that carry a webhook-id.
      eventId: headers('webhook-id')!,
      trackingNumber: e.data.trackingNumber,
      status: e.data.status,
      occurredAt: validDate(e.data.occurredAt),
      location: e.data.location,
    };
  },
  mapStatus: (status) => mapCarrierStatus('generic', status),
};
