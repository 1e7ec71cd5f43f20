/**
 * Outbound webhooks to the shop: deliveries are enqueued with the timeline entry that raises them
 * (same transaction, one per endpoint and event), then each is delivered by its own workflow
 * (workflows/webhook-delivery.ts) through `deliverWebhook`, signed per Standard Webhooks.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { returnCases, webhookDeliveries, webhookEndpoints } from '../db/schema.js';
import { subscribesTo, webhookEventFor } from '../domain/webhook-events.js';
import type { webhookDelivery } from '../workflows/webhook-delivery.js';
import type { ActivityDeps } from './deps.js';
import { postWebhook, type HostResolver } from './webhook-targets.js';

export const webhookDeliveryWorkflowId = (deliveryId: string): string => `WebhookDelivery:${deliveryId}`;

/** How long one delivery attempt may take before it counts as failed. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** How much of an endpoint's answer is read (the status decides; the rest is cut off). */
export const RESPONSE_LIMIT_BYTES = 64 * 1024;

/** `v1,<base64 HMAC-SHA256>` of `${id}.${timestamp}.${body}`, keyed by the secret after `whsec_`. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

/**
 * Inserts a pending delivery for each enabled endpoint subscribed to the event a timeline entry
 * raises; call inside the transaction that inserted the entry. Returns the new deliveries' ids.
 */
export async function enqueueWebhookDeliveries(
  tx: Db,
  e: { caseId: string; eventKey: string; type: string; at: string; detail: Record<string, unknown>; status?: string },
): Promise<string[]> {
  const type = webhookEventFor(e.type);
  if (!type) return [];
  const endpoints = await tx
    .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
    .from(webhookEndpoints)
    .where(isNull(webhookEndpoints.disabledAt));
  const subscribed = endpoints.filter((ep) => subscribesTo(ep.events, type));
  if (subscribed.length === 0) return [];
  // The case's status after the entry (entries that move the case carry it; others leave it as it was).
  const status =
    e.status ??
    (await tx.select({ status: returnCases.status }).from(returnCases).where(eq(returnCases.id, e.caseId)))[0]
      ?.status ??
    null;
  const payload = { type, timestamp: e.at, data: { caseId: e.caseId, ...e.detail, status } };
  const rows = await tx
    .insert(webhookDeliveries)
    .values(
      subscribed.map((ep) => ({
        id: `whd_${randomBytes(12).toString('base64url')}`,
        endpointId: ep.id,
        eventType: type,
        eventKey: `${e.caseId}:${e.eventKey}`,
        payload,
        status: 'pending',
      })),
    )
    .onConflictDoNothing({ target: [webhookDeliveries.endpointId, webhookDeliveries.eventKey] })
    .returning({ id: webhookDeliveries.id });
  return rows.map((r) => r.id);
}

/** The still pending deliveries of one event (to start them again after a crash). */
export async function pendingDeliveries(db: Db, caseId: string, eventKey: string): Promise<string[]> {
  const rows = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.eventKey, `${caseId}:${eventKey}`), eq(webhookDeliveries.status, 'pending')));
  return rows.map((r) => r.id);
}

/** Starts one delivery workflow per id; a start that already happened is no error. */
export async function startWebhookDeliveries(
  temporal: Client,
  taskQueue: string,
  deliveryIds: string[],
): Promise<void> {
  for (const deliveryId of deliveryIds) {
    try {
      await temporal.workflow.start<typeof webhookDelivery>('webhookDelivery', {
        workflowId: webhookDeliveryWorkflowId(deliveryId),
        taskQueue,
        args: [{ deliveryId }],
        // A finished delivery is never started again.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
}

export interface DeliveryOptions {
  /** Resolves endpoint host names (default: the system resolver); tests inject their own. */
  resolve?: HostResolver;
  /** Default DELIVERY_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Default RESPONSE_LIMIT_BYTES. */
  maxResponseBytes?: number;
}

export function webhookActivities(
  { db, allowPrivateWebhookTargets }: Pick<ActivityDeps, 'db' | 'allowPrivateWebhookTargets'>,
  options: DeliveryOptions = {},
) {
  return {
    /**
     * One attempt: POSTs the event to the endpoint, at an address checked now (unless private
     * targets are allowed), following no redirect; a non-2xx answer, a refused address or a network
     * error throws (the workflow retries).
     */
    async deliverWebhook({ deliveryId }: { deliveryId: string }): Promise<'delivered' | 'skipped'> {
      const [row] = await db
        .select({ delivery: webhookDeliveries, endpoint: webhookEndpoints })
        .from(webhookDeliveries)
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
        .where(eq(webhookDeliveries.id, deliveryId));
      if (!row || row.delivery.status !== 'pending') return 'skipped';
      if (row.endpoint.disabledAt) {
        await db
          .update(webhookDeliveries)
          .set({ status: 'failed', lastError: 'endpoint disabled' })
          .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, 'pending')));
        return 'skipped';
      }
      const body = JSON.stringify(row.delivery.payload);
      const timestamp = Math.floor(Date.now() / 1000);
      let error: string;
      try {
        const { status } = await postWebhook(row.endpoint.url, {
          headers: {
            'content-type': 'application/json',
            'webhook-id': deliveryId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signWebhook(row.endpoint.secret, deliveryId, timestamp, body),
          },
          body,
          allowPrivate: allowPrivateWebhookTargets,
          resolve: options.resolve,
          timeoutMs: options.timeoutMs ?? DELIVERY_TIMEOUT_MS,
          maxResponseBytes: options.maxResponseBytes ?? RESPONSE_LIMIT_BYTES,
        });
        if (status >= 200 && status < 300) {
          await db
            .update(webhookDeliveries)
            .set({ status: 'delivered', deliveredAt: new Date(), attempts: sql`${webhookDeliveries.attempts} + 1` })
            .where(eq(webhookDeliveries.id, deliveryId));
          return 'delivered';
        }
        error = status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
      } catch (err) {
        error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      }
      await db
        .update(webhookDeliveries)
        .set({ attempts: sql`${webhookDeliveries.attempts} + 1`, lastError: error.slice(0, 1000) })
        .where(eq(webhookDeliveries.id, deliveryId));
      throw new Error(`webhook ${deliveryId} to ${row.endpoint.url} failed: ${error}`);
    },

    /** The retries ran out: the delivery stays failed (its last error and attempts are kept). */
    async markWebhookFailed({ deliveryId, error }: { deliveryId: string; error?: string }): Promise<void> {
      await db
        .update(webhookDeliveries)
        .set({
          status: 'failed',
          ...(error && { lastError: sql`coalesce(${webhookDeliveries.lastError}, ${error.slice(0, 1000)})` }),
        })
        .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, 'pending')));
    },
  };
}
