/** The shop's outbound webhook subscriptions: events delivered signed per Standard Webhooks. */
import { createRoute, z } from '@hono/zod-openapi';
import { randomBytes } from 'node:crypto';
import { webhookUrlRefusal } from '../../activities/webhook-targets.js';
import { newWebhookSecret } from '../../activities/webhooks.js';
import {
  disableWebhookEndpoint,
  insertWebhookEndpoint,
  listWebhookEndpoints,
  type WebhookEndpointRow,
} from '../../db/webhook-endpoints.js';
import { ALL_EVENTS, WEBHOOK_EVENT_TYPES } from '../../domain/webhook-events.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { IdParam, jsonBody, jsonResponse, problemResponse } from '../schemas.js';

const EventType = z
  .enum([...WEBHOOK_EVENT_TYPES, ALL_EVENTS])
  .openapi({ description: `an event type, or "${ALL_EVENTS}" for all` });

const CreateEndpoint = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'an http or https URL' })
      .max(2000)
      .openapi({
        example: 'https://shop.example/webhooks/returns',
        description:
          'must resolve to public addresses only (no loopback, private, link-local, unique-local or internal host names) ' +
          'unless the operator allows private targets; checked again at each delivery. Redirects are not followed.',
      }),
    events: z.array(EventType).min(1, 'at least one event type').max(50),
  })
  .openapi('CreateWebhookEndpoint');

const EndpointView = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
  })
  .openapi('WebhookEndpoint');

const CreatedEndpoint = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    secret: z.string().openapi({ description: 'whsec_…: the signing secret (Standard Webhooks), shown once' }),
  })
  .openapi('CreatedWebhookEndpoint');

const create = createRoute({
  method: 'post',
  path: '/v1/webhook-endpoints',
  tags: ['Webhook endpoints'],
  summary: 'Subscribe a URL to case events (admin, manager)',
  description:
    `Events: ${WEBHOOK_EVENT_TYPES.join(', ')} (or "${ALL_EVENTS}"). Each is POSTed as JSON {type, timestamp, data} with the ` +
    'Standard Webhooks headers webhook-id, webhook-timestamp and webhook-signature, and retried with backoff until a 2xx answer.',
  security: bearer,
  request: { body: jsonBody(CreateEndpoint) },
  responses: {
    201: jsonResponse(CreatedEndpoint, 'created; the secret is shown only here'),
    401: problemResponse('no valid key'),
    403: problemResponse('not an admin or manager'),
    422: problemResponse('invalid body, or a url whose host is not public'),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/webhook-endpoints',
  tags: ['Webhook endpoints'],
  summary: 'The webhook endpoints, newest first, without their secrets (admin, manager)',
  security: bearer,
  responses: {
    200: jsonResponse(z.object({ items: z.array(EndpointView) }), 'the endpoints'),
    401: problemResponse('no valid key'),
    403: problemResponse('not an admin or manager'),
  },
});

const disable = createRoute({
  method: 'delete',
  path: '/v1/webhook-endpoints/{id}',
  tags: ['Webhook endpoints'],
  summary: 'Disable a webhook endpoint: no further events are sent to it (admin, manager)',
  security: bearer,
  request: { params: IdParam },
  responses: {
    204: { description: 'disabled' },
    401: problemResponse('no valid key'),
    403: problemResponse('not an admin or manager'),
    404: problemResponse('no such endpoint'),
  },
});

const view = (e: WebhookEndpointRow) => ({
  id: e.id,
  url: e.url,
  events: e.events,
  createdAt: e.createdAt.toISOString(),
  disabledAt: e.disabledAt?.toISOString() ?? null,
});

export function webhookEndpointRoutes({ db, allowPrivateWebhookTargets, resolveWebhookHost }: ApiDeps) {
  return newRouter()
    .openapi(create, async (c) => {
      const { url, events } = c.req.valid('json');
      if (!allowPrivateWebhookTargets) {
        const refusal = await webhookUrlRefusal(url, resolveWebhookHost);
        if (refusal) {
          throw new ProblemError(
            422,
            'invalid body: url',
            [{ field: 'url', detail: refusal, in: 'body' }],
            'validation',
          );
        }
      }
      const id = `we_${randomBytes(12).toString('base64url')}`;
      const secret = newWebhookSecret();
      const unique = [...new Set(events)];
      await insertWebhookEndpoint(db, { id, url, events: unique, secret });
      return c.json({ id, url, events: unique, secret }, 201);
    })
    .openapi(list, async (c) => {
      return c.json({ items: (await listWebhookEndpoints(db)).map(view) }, 200);
    })
    .openapi(disable, async (c) => {
      const { id } = c.req.valid('param');
      if (!(await disableWebhookEndpoint(db, id))) throw new ProblemError(404, `no webhook endpoint ${id}`);
      return c.body(null, 204);
    });
}
