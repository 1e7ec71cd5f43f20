/**
 * Carrier tracking webhooks: `POST /v1/webhooks/carriers/{carrier}`. Authenticated by the carrier's
 * own signature over the raw body (never by API key), stored in the `carrier_events` inbox before
 * answering, then signalled to the case's workflow. A redelivered event hits the inbox key and has
 * no second effect; the workflow ignores reports that would move a case backwards.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  carrierAdapter,
  GenericTrackingEvent,
  InvalidCarrierEvent,
  type TrackingEvent,
  type WebhookCarrierAdapter,
} from '../../carriers/index.js';
import { parcelOwner } from '../../db/parcel-owner.js';
import { AWAITING_PARCEL_STATUSES } from '../../domain/case-status.js';
import { CARRIERS, type Carrier, type MappedStatus } from '../../domain/carrier-status.js';
import { linkToCase, storeCarrierEvent, tellCase } from '../../tracking/inbox.js';
import { ProblemError } from '../problem.js';
import { newRouter, type ApiDeps } from '../router.js';
import { jsonBody, jsonResponse, problemResponse } from '../schemas.js';
import { toProblem } from '../temporal-errors.js';

// The per-carrier code (signatures, payloads, status tables) lives in carriers/, one adapter each.
export {
  TIMESTAMP_TOLERANCE_MS,
  verifyAfterShip,
  verifyEasyPost,
  verifyStandardWebhook,
  GenericTrackingEvent,
} from '../../carriers/index.js';

/** Parses with the adapter; a signed body that is not a valid event is a 422 problem. */
function parseEvent(
  adapter: WebhookCarrierAdapter,
  body: unknown,
  headers: (name: string) => string | undefined,
): TrackingEvent | null {
  try {
    return adapter.parse(body, headers);
  } catch (err) {
    if (!(err instanceof InvalidCarrierEvent)) throw err;
    const errors = err.issues.map((i) => ({ ...i, in: 'body' as const }));
    throw new ProblemError(422, err.message, errors, 'validation');
  }
}

// ---------------------------------------------------------------------------------------------
// OpenAPI (the handler below reads the raw body itself: the signature is over the exact bytes)

const CarrierEventAccepted = z
  .object({
    carrier: z.enum(CARRIERS),
    eventId: z.string(),
    trackingNumber: z.string().nullable(),
    status: z.string().nullable(),
    mapped: z.enum(['in_transit', 'delivered', 'info']).nullable(),
    caseId: z.string().nullable().openapi({ description: 'null while no case has this tracking number' }),
    applied: z.boolean().openapi({ description: "true once the case's workflow was told" }),
    duplicate: z.boolean().openapi({ description: 'the same event was delivered before; nothing changed' }),
    stored: z.boolean().openapi({ description: 'false only for events that are not tracking updates' }),
  })
  .openapi('CarrierEventAccepted');

const commonResponses = {
  200: jsonResponse(CarrierEventAccepted, 'the same event was delivered before: no second effect'),
  202: jsonResponse(
    CarrierEventAccepted,
    'stored in the inbox (and signalled to the case when one has the tracking number)',
  ),
  401: problemResponse('missing or invalid signature, or a stale timestamp: nothing stored'),
  422: problemResponse('signed, but not a valid event'),
  503: problemResponse('no shared secret configured for this carrier (CARRIER_WEBHOOK_SECRET_<CARRIER>)'),
};
const STATUS_NOTE =
  'In transit → the case moves to `in_transit` (waiting for receipt); delivered (to our warehouse) counts as receipt, like a dock scan; other statuses are recorded only. Reports that would move a case backwards are recorded, not applied.';

const docs = [
  createRoute({
    method: 'post',
    path: '/v1/webhooks/carriers/generic',
    tags: ['Carrier webhooks'],
    summary: 'Tracking update in the generic format, signed per Standard Webhooks',
    description: `For carriers without their own scheme (Bring, nShift/Consignor) and integration layers. Signed per the Standard Webhooks spec: \`webhook-signature: v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{raw body}">\` (several space-separated signatures allowed; any match passes), key = base64-decoded part of the secret after \`whsec_\` from \`CARRIER_WEBHOOK_SECRET_GENERIC\`; timestamps more than 5 minutes off are refused. The event id is \`webhook-id\`. ${STATUS_NOTE}`,
    request: {
      headers: z.object({
        'webhook-id': z.string().openapi({ example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' }),
        'webhook-timestamp': z.string().openapi({ description: 'unix seconds', example: '1795456096' }),
        'webhook-signature': z.string().openapi({ example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' }),
      }),
      body: jsonBody(GenericTrackingEvent),
    },
    responses: commonResponses,
  }),
  createRoute({
    method: 'post',
    path: '/v1/webhooks/carriers/easypost',
    tags: ['Carrier webhooks'],
    summary: 'EasyPost tracker events',
    description: `EasyPost's Event (\`{id, description: "tracker.updated", result: {tracking_code, status, tracking_details[]}}\`), signed with \`X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256(secret, raw body)>\`, secret from \`CARRIER_WEBHOOK_SECRET_EASYPOST\`. The event id is \`id\`. Statuses: pre_transit, in_transit, out_for_delivery, delivered, available_for_pickup, return_to_sender, failure, cancelled, error, unknown. ${STATUS_NOTE}`,
    request: {
      headers: z.object({
        'x-hmac-signature': z
          .string()
          .openapi({ example: 'hmac-sha256-hex=5b1c6e3a0f4d2b9c8e7a6f5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a291' }),
      }),
      body: {
        required: true,
        content: {
          'application/json': { schema: z.object({}).passthrough().openapi({ description: 'an EasyPost Event' }) },
        },
      },
    },
    responses: commonResponses,
  }),
  createRoute({
    method: 'post',
    path: '/v1/webhooks/carriers/aftership',
    tags: ['Carrier webhooks'],
    summary: 'AfterShip tracking_update events',
    description: `AfterShip's webhook (\`{event: "tracking_update", event_id, ts, msg: {tracking_number, slug, tag, subtag, checkpoints[]}}\`), signed with \`aftership-hmac-sha256: <base64 HMAC-SHA256(secret, raw body)>\`, secret from \`CARRIER_WEBHOOK_SECRET_AFTERSHIP\`. Events whose \`ts\` is more than 5 minutes old are refused. The event id is \`event_id\`. Tags: InfoReceived, InTransit, OutForDelivery, AttemptFail, Delivered, AvailableForPickup, Exception, Expired, Pending. ${STATUS_NOTE}`,
    request: {
      headers: z.object({
        'aftership-hmac-sha256': z.string().openapi({ example: 'Nm9ZQ2VhZGJlZWZjYWZlYmFiZWRlYWRiZWVmY2FmZWI=' }),
      }),
      body: {
        required: true,
        content: {
          'application/json': { schema: z.object({}).passthrough().openapi({ description: 'an AfterShip webhook' }) },
        },
      },
    },
    responses: commonResponses,
  }),
];

// ---------------------------------------------------------------------------------------------
// The route

function secretFor(deps: ApiDeps, carrier: Carrier): string | undefined {
  const secrets = deps.carrierSecrets ?? process.env;
  const value = secrets[`CARRIER_WEBHOOK_SECRET_${carrier.toUpperCase()}`] ?? deps.carrierSecrets?.[carrier];
  return value?.trim() || undefined;
}

export function carrierWebhookRoutes(deps: ApiDeps) {
  const { db, temporal } = deps;
  const router = newRouter();
  for (const route of docs) router.openAPIRegistry.registerPath(route);

  router.post('/v1/webhooks/carriers/:carrier', async (c) => {
    const name = c.req.param('carrier');
    const adapter = carrierAdapter(name);
    if (!adapter) throw new ProblemError(404, `no webhook for carrier ${name}; known: ${CARRIERS.join(', ')}`);
    const carrier = adapter.name as Carrier;
    const secret = secretFor(deps, carrier);
    if (!secret)
      throw new ProblemError(
        503,
        `carrier webhooks for ${carrier} are not configured (set CARRIER_WEBHOOK_SECRET_${carrier.toUpperCase()})`,
      );
    const headers = (h: string) => c.req.header(h);

    // The signature is over the exact bytes: verify before parsing anything.
    const raw = await c.req.text();
    const refused = adapter.verify(secret, raw, headers, new Date());
    if (refused) throw new ProblemError(401, refused.detail, undefined, refused.kind);

    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new ProblemError(400, 'the body is not JSON', [{ field: '(body)', detail: 'not JSON', in: 'body' }]);
    }
    const stale = adapter.checkFreshness?.(body, new Date());
    if (stale) {
      throw new ProblemError(
        401,
        stale.detail,
        stale.field ? [{ field: stale.field, detail: 'stale or missing', in: 'body' }] : undefined,
        stale.kind,
      );
    }

    const event = parseEvent(adapter, body, headers);
    if (!event) {
      return c.json(
        {
          carrier,
          eventId:
            c.req.header('webhook-id') ??
            String((body as Record<string, unknown>).id ?? (body as Record<string, unknown>).event_id ?? ''),
          trackingNumber: null,
          status: null,
          mapped: null,
          caseId: null,
          applied: false,
          duplicate: false,
          stored: false,
        },
        202,
      );
    }
    const mapped: MappedStatus = event.mapped ?? adapter.mapStatus(event.status);
    // The inbox first: stored before we answer, once per (carrier, event id). Stored before the case
    // lookup (its own statement, after the insert committed), so a label recorded meanwhile either is
    // found here or finds this event (tellKeptEvents).
    const { row, duplicate } = await storeCarrierEvent(db, { ...event, carrier, mapped, payload: body as object });
    const trackingNumber = row.trackingNumber;
    const found = await parcelOwner(db, trackingNumber);
    const caseId = row.caseId ?? found?.id ?? null;

    let applied = row.appliedAt !== null;
    // A redelivery of an event we could not tell before is retried: the workflow keeps only the first
    // report of each kind, so this has no second effect.
    if (!applied && found && AWAITING_PARCEL_STATUSES.has(found.status)) {
      try {
        applied = await tellCase(db, temporal, row, found.id);
      } catch (err) {
        throw toProblem(err);
      }
    } else if (found) {
      await linkToCase(db, row, found.id);
    }

    return c.json(
      {
        carrier,
        eventId: event.eventId,
        trackingNumber,
        status: row.status,
        mapped: row.mapped,
        caseId,
        applied,
        duplicate,
        stored: true,
      },
      duplicate ? 200 : 202,
    );
  });
  return router;
}
