/**
 * Payment provider notifications: `POST /v1/webhooks/payments/{provider}` for `stripe`, `adyen` and
 * `vipps_mobilepay` (Klarna sends no refund notifications; its refunds are settled by their answer
 * or a status lookup). Authenticated by the provider's own signature over the raw body, with the
 * secret from `PAYMENT_WEBHOOK_SECRET_<PROVIDER>` — never by API key. Each notification is kept once
 * per (provider, event id) in `payment_events`; one that settles a pending refund updates it and
 * tells the case's workflow (`refundUpdated`) before the event is committed, so a failure to tell
 * leaves nothing behind and the provider's redelivery does it all again. A redelivery of a kept
 * event changes nothing; a notification about a refund we do not know is kept and answered 2xx.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { applyRefundNotification, type NotificationResult } from '../../db/refunds.js';
import type { PaymentProviderName } from '../../domain/refunds.js';
import { adyenProvider } from '../../payments/adyen.js';
import { InvalidSignature, type PaymentProvider, type RefundNotification } from '../../payments/provider.js';
import { stripeProvider } from '../../payments/stripe.js';
import { vippsMobilePayProvider } from '../../payments/vipps-mobilepay.js';
import { paymentWebhookSecret } from '../../runtime/config.js';
import { caseWorkflowId, refundUpdated } from '../../workflows/messages.js';
import { ProblemError } from '../problem.js';
import { newRouter, type ApiDeps } from '../router.js';
import { jsonResponse, problemResponse } from '../schemas.js';
import { toProblem } from '../temporal-errors.js';

export const WEBHOOK_PAYMENT_PROVIDERS = [
  'stripe',
  'adyen',
  'vipps_mobilepay',
] as const satisfies readonly PaymentProviderName[];
type WebhookProvider = (typeof WEBHOOK_PAYMENT_PROVIDERS)[number];
const isWebhookProvider = (p: string): p is WebhookProvider =>
  (WEBHOOK_PAYMENT_PROVIDERS as readonly string[]).includes(p);

type Parse = NonNullable<PaymentProvider['parseNotification']>;

/**
 * The adapter that verifies and parses a provider's notifications: the configured one (ApiDeps
 * `payments`), else one without API settings — parsing needs only the secret (and, for Vipps
 * MobilePay, the merchant serial number the events are filtered by).
 */
function parserFor(deps: ApiDeps, provider: WebhookProvider): Parse {
  const configured = deps.payments?.[provider];
  if (configured?.parseNotification) return (...args) => configured.parseNotification!(...args);
  const fallback: PaymentProvider =
    provider === 'stripe'
      ? stripeProvider({ apiKey: '' })
      : provider === 'adyen'
        ? adyenProvider({ apiKey: '', merchantAccount: '', checkoutUrl: '' })
        : vippsMobilePayProvider({
            clientId: '',
            clientSecret: '',
            subscriptionKey: '',
            merchantSerialNumber: process.env.VIPPS_MERCHANT_SERIAL_NUMBER?.trim() ?? '',
          });
  return (...args) => fallback.parseNotification!(...args);
}

function secretFor(deps: ApiDeps, provider: WebhookProvider): string | undefined {
  const secrets = deps.paymentSecrets ?? process.env;
  return paymentWebhookSecret(provider, secrets) ?? (deps.paymentSecrets?.[provider]?.trim() || undefined);
}

// ---------------------------------------------------------------------------------------------
// OpenAPI (the handler reads the raw body itself: the signatures are over the exact bytes)

const NotificationResultSchema = z.object({
  eventId: z.string(),
  refundId: z.string().nullable(),
  outcome: z.enum(['settled', 'recorded', 'duplicate', 'unknown']).openapi({
    description:
      'settled: a pending refund took the final status; recorded: kept, nothing to change; duplicate: delivered before; unknown: no refund of ours',
  }),
});
const PaymentEventsAccepted = z
  .object({ provider: z.enum(WEBHOOK_PAYMENT_PROVIDERS), notifications: z.array(NotificationResultSchema) })
  .openapi('PaymentEventsAccepted');

const commonResponses = {
  413: problemResponse('the body is above 1 MiB'),
  401: problemResponse('missing or invalid signature: nothing stored'),
  404: problemResponse('no notifications for this provider'),
  503: problemResponse(
    'no secret configured for this provider (PAYMENT_WEBHOOK_SECRET_<PROVIDER>), or Temporal unavailable: nothing stored',
  ),
};
const EFFECT =
  'A notification that settles a pending refund (succeeded or failed) updates it and wakes its case; a redelivery changes nothing; one about a refund we do not know is kept and answered 2xx.';

const docs = [
  createRoute({
    method: 'post',
    path: '/v1/webhooks/payments/stripe',
    tags: ['Payment webhooks'],
    summary: 'Stripe events about refunds',
    description: `A Stripe Event (\`refund.created\`, \`refund.updated\`, \`refund.failed\`, \`charge.refund.updated\`; others are acknowledged and ignored), signed with \`Stripe-Signature: t=…,v1=…\` (HMAC-SHA256 over \`{t}.{raw body}\` with the endpoint secret \`whsec_…\` from \`PAYMENT_WEBHOOK_SECRET_STRIPE\`; at most 5 minutes off). The event id is \`id\`. ${EFFECT}`,
    request: {
      headers: z.object({
        'stripe-signature': z
          .string()
          .openapi({ example: 't=1795456096,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd' }),
      }),
      body: {
        required: true,
        content: {
          'application/json': { schema: z.object({}).passthrough().openapi({ description: 'a Stripe Event' }) },
        },
      },
    },
    responses: { 200: jsonResponse(PaymentEventsAccepted, 'received'), ...commonResponses },
  }),
  createRoute({
    method: 'post',
    path: '/v1/webhooks/payments/adyen',
    tags: ['Payment webhooks'],
    summary: 'Adyen standard notifications (REFUND, REFUND_FAILED, REFUNDED_REVERSED)',
    description: `\`{live, notificationItems:[{NotificationRequestItem:{…}}]}\`; every item carries \`additionalData.hmacSignature\` (HMAC-SHA256 with the hex HMAC key from \`PAYMENT_WEBHOOK_SECRET_ADYEN\`); one bad item refuses the delivery. Answered \`[accepted]\` (text/plain), as Adyen requires. ${EFFECT}`,
    request: {
      body: {
        required: true,
        content: {
          'application/json': { schema: z.object({}).passthrough().openapi({ description: 'an Adyen notification' }) },
        },
      },
    },
    responses: {
      200: {
        description: 'received',
        content: { 'text/plain': { schema: z.string().openapi({ example: '[accepted]' }) } },
      },
      ...commonResponses,
    },
  }),
  createRoute({
    method: 'post',
    path: '/v1/webhooks/payments/vipps_mobilepay',
    tags: ['Payment webhooks'],
    summary: 'Vipps MobilePay Webhooks API events (epayments.payment.refunded.v1)',
    description: `Signed per the Webhooks API: \`x-ms-content-sha256\` (base64 SHA-256 of the body) and \`Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=…\` over method, path and query, date, host and content hash, with the registration's secret from \`PAYMENT_WEBHOOK_SECRET_VIPPS_MOBILEPAY\`. ${EFFECT}`,
    request: {
      headers: z.object({ 'x-ms-date': z.string(), 'x-ms-content-sha256': z.string(), authorization: z.string() }),
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({}).passthrough().openapi({ description: 'a Vipps MobilePay payment event' }),
          },
        },
      },
    },
    responses: { 200: jsonResponse(PaymentEventsAccepted, 'received'), ...commonResponses },
  }),
];

// ---------------------------------------------------------------------------------------------
// The route

/** Tells the case; a case that no longer runs has nothing to wait for (the refund row stands). */
async function tellCase(
  temporal: Client,
  caseId: string,
  refundId: string,
  status: 'succeeded' | 'failed' | 'pending',
  reason: string | null,
) {
  try {
    await temporal.workflow.getHandle(caseWorkflowId(caseId)).signal(refundUpdated, { refundId, status, reason });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return;
    throw toProblem(err);
  }
}

/** The verified body as kept with the event (every provider here sends JSON). */
function jsonOf(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function paymentWebhookRoutes(deps: ApiDeps) {
  const { db, temporal } = deps;
  const router = newRouter();
  for (const route of docs) router.openAPIRegistry.registerPath(route);

  // A body above 1 MiB is refused (413) for every route by the app (api/limits.ts).
  router.post('/v1/webhooks/payments/:provider', async (c) => {
    const name = c.req.param('provider');
    if (!isWebhookProvider(name)) {
      throw new ProblemError(
        404,
        `no payment notifications for ${name}; known: ${WEBHOOK_PAYMENT_PROVIDERS.join(', ')} (Klarna refunds settle by their answer or a status lookup)`,
      );
    }
    const secret = secretFor(deps, name);
    if (!secret)
      throw new ProblemError(
        503,
        `payment notifications from ${name} are not configured (set PAYMENT_WEBHOOK_SECRET_${name.toUpperCase()})`,
      );

    // The signature is over the exact bytes: verified by the adapter before anything is parsed.
    const raw = await c.req.text();
    const url = new URL(c.req.url);
    let notifications: RefundNotification[];
    try {
      notifications = parserFor(deps, name)(raw, (h) => c.req.header(h), secret, {
        method: c.req.method,
        pathAndQuery: `${url.pathname}${url.search}`,
      });
    } catch (err) {
      if (err instanceof InvalidSignature) throw new ProblemError(401, err.message, undefined, 'invalid-signature');
      throw err;
    }

    const results: { eventId: string; refundId: string | null; outcome: NotificationResult['kind'] }[] = [];
    for (const n of notifications) {
      const result = await db.transaction(async (tx) => {
        const r = await applyRefundNotification(tx, name, {
          eventId: n.eventId,
          providerReference: n.outcome.providerReference ?? n.providerReference,
          ...(n.idempotencyKey ? { idempotencyKey: n.idempotencyKey } : {}),
          ...(n.refundId ? { refundId: n.refundId } : {}),
          status: n.outcome.status,
          reason: n.outcome.status === 'succeeded' ? null : (n.outcome.reason ?? null),
          payload: { notification: { ...n }, body: jsonOf(raw) },
        });
        // Before the commit: if the case cannot be told, the event is not kept and a redelivery retries.
        if (r.kind === 'settled')
          await tellCase(temporal, r.refund.caseId, r.refund.id, r.refund.status, r.refund.failureReason);
        return r;
      });
      results.push({
        eventId: n.eventId,
        refundId: result.kind === 'duplicate' || result.kind === 'unknown' ? null : result.refund.id,
        outcome: result.kind,
      });
    }

    // Adyen stops resending only on this exact body.
    if (name === 'adyen') return c.text('[accepted]', 200);
    return c.json({ provider: name, notifications: results }, 200);
  });
  return router;
}
