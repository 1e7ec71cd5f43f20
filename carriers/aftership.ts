/** AfterShip: `aftership-hmac-sha256: <base64 HMAC-SHA256(secret, raw body)>`; body `{event, event_id, ts, msg}`; `ts` older than 5 minutes is refused. */
import { z } from '@hono/zod-openapi';
import { mapCarrierStatus } from '../domain/carrier-status.js';
import {
  hmac,
  isBase64,
  parseWith,
  sameMac,
  TIMESTAMP_TOLERANCE_MS,
  validDate,
  type WebhookCarrierAdapter,
} from './carrier.js';

export function verifyAfterShip(secret: string, raw: string, header: string | undefined): boolean {
  const sig = header?.trim() ?? '';
  if (!sig || !isBase64(sig)) return false;
  return sameMac(hmac(secret, raw), Buffer.from(sig, 'base64'));
}

const AfterShipEvent = z.object({
  event: z.string(),
  event_id: z.string().min(1),
  ts: z.number().int(),
  msg: z
    .object({
      tracking_number: z.string().min(1),
      slug: z.string().nullish(),
      tag: z.string().min(1),
      subtag: z.string().nullish(),
      checkpoints: z
        .array(
          z
            .object({
              checkpoint_time: z.string().nullish(),
              location: z.string().nullish(),
              city: z.string().nullish(),
            })
            .passthrough(),
        )
        .nullish(),
    })
    .passthrough(),
});

export const aftership: WebhookCarrierAdapter = {
  name: 'aftership',
  verify(secret, raw, headers) {
    return verifyAfterShip(secret, raw, headers('aftership-hmac-sha256'))
      ? null
      : { kind: 'invalid-signature', detail: 'missing or invalid aftership-hmac-sha256 signature' };
  },
  checkFreshness(body, now) {
    const ts = (body as { ts?: unknown } | null)?.ts;
    if (typeof ts !== 'number' || Math.abs(now.getTime() - ts * 1000) > TIMESTAMP_TOLERANCE_MS) {
      return { kind: 'stale-event', detail: 'the event ts is missing or more than 5 minutes off', field: 'ts' };
    }
    return null;
  },
  parse(body) {
    const e = parseWith(AfterShipEvent, body);
    if (e.event !== 'tracking_update') return null;
    const last = e.msg.checkpoints?.at(-1);
    return {
      eventId: e.event_id,
      trackingNumber: e.msg.tracking_number,
      status: e.msg.tag,
      occurredAt: validDate(last?.checkpoint_time) ?? new Date(e.ts * 1000),
      location: last?.location ?? last?.city ?? undefined,
    };
  },
  mapStatus: (status) => mapCarrierStatus('aftership', status),
};
