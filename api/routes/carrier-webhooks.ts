/**
 * Carrier tracking webhooks: `POST /v1/webhooks/carriers/{carrier}`. Authenticated by the carrier's
 * own signature over the raw body (never by API key), stored in the `carrier_events` inbox before
 * answering, then signalled to the case's workflow. A redelivered event hits the inbox key and has
 * no second effect; the workflow ignores reports that would move a case backwards.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowNotFoundError } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { carrierEvents, caseParcels, returnCases } from '../../db/schema.js';
import { CARRIERS, isCarrier, mapCarrierStatus, type Carrier, type MappedStatus } from '../../domain/carrier-status.js';
import { caseWorkflowId, parcelInTransit, parcelReceived } from '../../workflows/messages.js';
import { ProblemError } from '../problem.js';
import { newRouter, type ApiDeps } from '../router.js';
import { jsonBody, jsonResponse, problemResponse } from '../schemas.js';
import { toProblem } from '../temporal-errors.js';

/** Signed timestamps (Standard Webhooks header, AfterShip `ts`) older or newer than this are refused. */
export const TIMESTAMP_TOLERANCE_MS = 5 * 60_000;

// ---------------------------------------------------------------------------------------------
// Signatures

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** Constant-time comparison of a computed MAC with the one sent (any encoding, decoded to bytes). */
function sameMac(expected: Buffer, given: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(expected, given);
}

const isHex = (s: string) => /^[0-9a-fA-F]*$/.test(s) && s.length % 2 === 0;
const isBase64 = (s: string) => /^[A-Za-z0-9+/]*={0,2}$/.test(s);

export function verifyEasyPost(secret: string, raw: string, header: string | undefined): boolean {
  const match = /^hmac-sha256-hex=(.+)$/i.exec(header?.trim() ?? '');
  if (!match || !isHex(match[1]!)) return false;
  return sameMac(hmac(secret, raw), Buffer.from(match[1]!, 'hex'));
}

export function verifyAfterShip(secret: string, raw: string, header: string | undefined): boolean {
  const sig = header?.trim() ?? '';
  if (!sig || !isBase64(sig)) return false;
  return sameMac(hmac(secret, raw), Buffer.from(sig, 'base64'));
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
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const expected = hmac(key, `${id}.${timestamp}.${raw}`);
  const matches = signature
    .split(' ')
    .filter(Boolean)
    .some((part) => {
      const [version, sig] = part.split(',', 2);
      return version === 'v1' && sig !== undefined && isBase64(sig) && sameMac(expected, Buffer.from(sig, 'base64'));
    });
  if (!matches) return 'bad_signature';
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp) * 1000) > TIMESTAMP_TOLERANCE_MS) return 'bad_timestamp';
  return 'ok';
}

// ---------------------------------------------------------------------------------------------
// Payloads

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
              tracking_location: z.object({ city: z.string().nullish(), country: z.string().nullish() }).passthrough().nullish(),
            })
            .passthrough(),
        )
        .nullish(),
    })
    .passthrough(),
});

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
        .array(z.object({ checkpoint_time: z.string().nullish(), location: z.string().nullish(), city: z.string().nullish() }).passthrough())
        .nullish(),
    })
    .passthrough(),
});

export const GenericTrackingEvent = z
  .object({
    type: z.literal('tracking.updated'),
    data: z.object({
      trackingNumber: z.string().min(1).max(100).openapi({ example: 'LR000000000042' }),
      status: z.enum(['in_transit', 'out_for_delivery', 'delivered', 'exception', 'returned_to_sender']),
      occurredAt: z.iso.datetime({ offset: true }).openapi({ example: '2026-11-02T08:15:00Z' }),
      location: z.string().max(200).optional().openapi({ example: 'Oslo terminal' }),
    }),
  })
  .openapi('GenericTrackingEvent');

/** One carrier event in our terms; `null` when the event is not a tracking update (acknowledged, not stored). */
interface TrackingEvent {
  eventId: string;
  trackingNumber: string;
  status: string;
  occurredAt: Date | null;
  location?: string;
}

const validDate = (s: string | null | undefined): Date | null => {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
};

function badBody(error: z.ZodError): ProblemError {
  const errors = error.issues.map((i) => ({ field: i.path.join('.') || '(body)', detail: i.message, in: 'body' as const }));
  return new ProblemError(422, `invalid body: ${errors.map((e) => e.field).join(', ')}`, errors, 'validation');
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw badBody(result.error);
  return result.data;
}

function normalise(carrier: Carrier, body: unknown, webhookId: string | undefined): TrackingEvent | null {
  switch (carrier) {
    case 'easypost': {
      const e = parse(EasyPostEvent, body);
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
    }
    case 'aftership': {
      const e = parse(AfterShipEvent, body);
      if (e.event !== 'tracking_update') return null;
      const last = e.msg.checkpoints?.at(-1);
      return {
        eventId: e.event_id,
        trackingNumber: e.msg.tracking_number,
        status: e.msg.tag,
        occurredAt: validDate(last?.checkpoint_time) ?? new Date(e.ts * 1000),
        location: last?.location ?? last?.city ?? undefined,
      };
    }
    case 'generic': {
      const type = (body as { type?: unknown } | null)?.type;
      if (typeof type === 'string' && type !== 'tracking.updated') return null;
      const e = parse(GenericTrackingEvent, body);
      return {
        eventId: webhookId!,
        trackingNumber: e.data.trackingNumber,
        status: e.data.status,
        occurredAt: validDate(e.data.occurredAt),
        location: e.data.location,
      };
    }
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
  202: jsonResponse(CarrierEventAccepted, 'stored in the inbox (and signalled to the case when one has the tracking number)'),
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
      headers: z.object({ 'x-hmac-signature': z.string().openapi({ example: 'hmac-sha256-hex=5b1c…' }) }),
      body: { required: true, content: { 'application/json': { schema: z.object({}).passthrough().openapi({ description: 'an EasyPost Event' }) } } },
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
      headers: z.object({ 'aftership-hmac-sha256': z.string().openapi({ example: 'Nm9ZQ2…=' }) }),
      body: { required: true, content: { 'application/json': { schema: z.object({}).passthrough().openapi({ description: 'an AfterShip webhook' }) } } },
    },
    responses: commonResponses,
  }),
];

// ---------------------------------------------------------------------------------------------
// The route

/** Cases the workflow still waits on a parcel for; later ones are not signalled (the report is recorded). */
const WAITING_FOR_PARCEL: string[] = ['requested', 'awaiting_parcel', 'in_transit'];

async function caseByTrackingNumber(db: ApiDeps['db'], trackingNumber: string) {
  const [direct] = await db.select({ id: returnCases.id, status: returnCases.status }).from(returnCases).where(eq(returnCases.trackingNumber, trackingNumber));
  if (direct) return direct;
  const [parcel] = await db.select({ caseId: caseParcels.caseId }).from(caseParcels).where(eq(caseParcels.trackingNumber, trackingNumber));
  if (!parcel) return undefined;
  const [row] = await db.select({ id: returnCases.id, status: returnCases.status }).from(returnCases).where(eq(returnCases.id, parcel.caseId));
  return row;
}

function secretFor(deps: ApiDeps, carrier: Carrier): string | undefined {
  const secrets = deps.carrierSecrets ?? process.env;
  const value = secrets[`CARRIER_WEBHOOK_SECRET_${carrier.toUpperCase()}`] ?? deps.carrierSecrets?.[carrier];
  return value?.trim() || undefined;
}

function verify(carrier: Carrier, secret: string, raw: string, c: Context): void {
  const unauthorized = (detail: string) => new ProblemError(401, detail, undefined, 'invalid-signature');
  switch (carrier) {
    case 'easypost':
      if (!verifyEasyPost(secret, raw, c.req.header('x-hmac-signature'))) throw unauthorized('missing or invalid X-Hmac-Signature');
      return;
    case 'aftership':
      if (!verifyAfterShip(secret, raw, c.req.header('aftership-hmac-sha256'))) throw unauthorized('missing or invalid aftership-hmac-sha256 signature');
      return;
    case 'generic': {
      const result = verifyStandardWebhook(secret, raw, {
        id: c.req.header('webhook-id'),
        timestamp: c.req.header('webhook-timestamp'),
        signature: c.req.header('webhook-signature'),
      });
      if (result === 'bad_signature') throw unauthorized('missing or invalid webhook-signature (Standard Webhooks)');
      if (result === 'bad_timestamp') throw unauthorized('webhook-timestamp is more than 5 minutes off');
      return;
    }
  }
}

export function carrierWebhookRoutes(deps: ApiDeps) {
  const { db, temporal } = deps;
  const router = newRouter();
  for (const route of docs) router.openAPIRegistry.registerPath(route);

  router.post('/v1/webhooks/carriers/:carrier', async (c) => {
    const carrier = c.req.param('carrier');
    if (!isCarrier(carrier)) throw new ProblemError(404, `no webhook for carrier ${carrier}; known: ${CARRIERS.join(', ')}`);
    const secret = secretFor(deps, carrier);
    if (!secret) throw new ProblemError(503, `carrier webhooks for ${carrier} are not configured (set CARRIER_WEBHOOK_SECRET_${carrier.toUpperCase()})`);

    // The signature is over the exact bytes: verify before parsing anything.
    const raw = await c.req.text();
    verify(carrier, secret, raw, c);

    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new ProblemError(400, 'the body is not JSON', [{ field: '(body)', detail: 'not JSON', in: 'body' }]);
    }
    if (carrier === 'aftership') {
      const ts = (body as { ts?: unknown } | null)?.ts;
      if (typeof ts !== 'number' || Math.abs(Date.now() - ts * 1000) > TIMESTAMP_TOLERANCE_MS) {
        throw new ProblemError(401, 'the event ts is missing or more than 5 minutes off', [{ field: 'ts', detail: 'stale or missing', in: 'body' }], 'stale-event');
      }
    }

    const event = normalise(carrier, body, c.req.header('webhook-id'));
    if (!event) {
      return c.json({ carrier, eventId: c.req.header('webhook-id') ?? String((body as Record<string, unknown>).id ?? (body as Record<string, unknown>).event_id ?? ''), trackingNumber: null, status: null, mapped: null, caseId: null, applied: false, duplicate: false, stored: false }, 202);
    }
    const trackingNumber = event.trackingNumber.trim().toUpperCase();
    const mapped: MappedStatus = mapCarrierStatus(carrier, event.status);
    const found = await caseByTrackingNumber(db, trackingNumber);

    // The inbox first: stored before we answer, once per (carrier, event id).
    const [inserted] = await db
      .insert(carrierEvents)
      .values({
        carrier,
        eventId: event.eventId,
        trackingNumber,
        status: event.status,
        mapped,
        occurredAt: event.occurredAt,
        payload: body as object,
        caseId: found?.id ?? null,
      })
      .onConflictDoNothing()
      .returning();
    const [existing] = inserted
      ? [inserted]
      : await db
          .select()
          .from(carrierEvents)
          .where(and(eq(carrierEvents.carrier, carrier), eq(carrierEvents.eventId, event.eventId)));
    if (!existing) throw new Error(`carrier event ${carrier}/${event.eventId} neither inserted nor found`);
    const row = existing;
    const duplicate = !inserted;
    const caseId = row.caseId ?? found?.id ?? null;

    let applied = row.appliedAt !== null;
    // A redelivery of an event we could not signal before is retried: the workflow keeps only the first
    // report of each kind, so this has no second effect.
    if (!applied && found && row.mapped !== 'info' && WAITING_FOR_PARCEL.includes(found.status)) {
      const handle = temporal.workflow.getHandle(caseWorkflowId(found.id));
      try {
        if (row.mapped === 'delivered') {
          await handle.signal(parcelReceived, { trackingNumber, scannedBy: `carrier:${carrier}`, location: event.location });
        } else {
          await handle.signal(parcelInTransit, {
            trackingNumber,
            carrier,
            status: event.status,
            occurredAt: event.occurredAt?.toISOString(),
            location: event.location,
          });
        }
        applied = true;
      } catch (err) {
        // The case ended meanwhile: the report stays recorded, not applied.
        if (!(err instanceof WorkflowNotFoundError)) throw toProblem(err);
      }
      if (applied) await db.update(carrierEvents).set({ appliedAt: new Date(), caseId: found.id }).where(eq(carrierEvents.id, row.id));
    } else if (!row.caseId && found) {
      await db.update(carrierEvents).set({ caseId: found.id }).where(eq(carrierEvents.id, row.id));
    }

    return c.json(
      { carrier, eventId: event.eventId, trackingNumber, status: row.status, mapped: row.mapped as MappedStatus, caseId, applied, duplicate, stored: true },
      duplicate ? 200 : 202,
    );
  });
  return router;
}
