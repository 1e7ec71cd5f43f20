/** EasyPost: `X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256(secret, raw body)>`; body an Event `{id, description, result: Tracker}`. */
import { z } from '@hono/zod-openapi';
import { mapCarrierStatus } from '../domain/carrier-status.js';
import { hmac, isHex, parseWith, sameMac, validDate, type WebhookCarrierAdapter } from './carrier.js';

export function verifyEasyPost(secret: string, raw: string, header: string | undefined): boolean {
  const match = /^hmac-sha256-hex=(.+)$/i.exec(header?.trim() ?? '');
  if (!match || !isHex(match[1]!)) return false;
  return sameMac(hmac(secret, raw), Buffer.from(match[1]!, 'hex'));
}

const EasyPostEvent = z.object({
  id: z.string().min(1),
  description: z.string(),
  result: z
    .object({
      tracking_code: z.string().min(1),
      status: z.string().min(1),
      updated_at: z.string().nullish(),
      tracking_details: z
        .array(
          z
            .object({
              datetime: z.string().nullish(),
              status: z.string().nullish(),
              tracking_location: z
                .object({ city: z.string().nullish(), country: z.string().nullish() })
                .passthrough()
                .nullish(),
            })
            .passthrough(),
        )
        .nullish(),
    })
    .passthrough(),
});

export const easypost: WebhookCarrierAdapter = {
  name: 'easypost',
  verify(secret, raw, headers) {
    return verifyEasyPost(secret, raw, headers('x-hmac-signature'))
      ? null
      : { kind: 'invalid-signature', detail: 'missing or invalid X-Hmac-Signature' };
  },
  parse(body) {
    const e = parseWith(EasyPostEvent, body);
    if (!e.description.startsWith('tracker.')) return null;
    const last = e.result.tracking_details?.at(-1);
    const loc = last?.tracking_location;
    return {
      eventId: e.id,
      trackingNumber: e.result.tracking_code,
      status: e.result.status,
      occurredAt: validDate(last?.datetime) ?? validDate(e.result.updated_at),
      location: [loc?.city, loc?.country].filter(Boolean).join(', ') || undefined,
    };
  },
  mapStatus: (status) => mapCarrierStatus('easypost', status),
};
