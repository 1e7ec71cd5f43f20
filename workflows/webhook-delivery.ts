/**
 * Delivers one outbound webhook (a webhook_deliveries row) to the shop: attempts back off from a
 * second to ten minutes; after the last one the delivery is marked failed.
 */
import { ActivityFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';

export interface WebhookDeliveryInput {
  deliveryId: string;
}

export const WEBHOOK_MAX_ATTEMPTS = 20;

const { deliverWebhook } = proxyActivities<CaseActivities>({
  // Each attempt's HTTP call gives up after 10 s; the rest is the database.
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: WEBHOOK_MAX_ATTEMPTS,
  },
});

const { markWebhookFailed } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function webhookDelivery(input: WebhookDeliveryInput): Promise<'delivered' | 'skipped' | 'failed'> {
  try {
    return await deliverWebhook({ deliveryId: input.deliveryId });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    await markWebhookFailed({ deliveryId: input.deliveryId, error: (cause ?? (err as Error)).message });
    return 'failed';
  }
}
