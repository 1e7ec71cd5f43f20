/** All activities, bound to their dependencies. Workflows import the type only. */
import type { ActivityDeps } from './deps.js';
import { campaignActivities } from './campaigns.js';
import { chargeActivities } from './charges.js';
import { creditNoteActivities } from './credit-notes.js';
import { emailActivities } from './email.js';
import { holdActivities } from './holds.js';
import { labelActivities } from './labels.js';
import { projectionActivities } from './projection.js';
import { reconcileActivities } from './reconcile.js';
import { refundActivities } from './refunds.js';
import { shipmentActivities } from './shipments.js';
import { stockActivities } from './stock.js';
import { trackingActivities } from './tracking.js';
import { webhookActivities } from './webhooks.js';

export type { ActivityDeps } from './deps.js';
export type { ProgressInput } from './projection.js';

export function createActivities(deps: ActivityDeps) {
  return {
    ...projectionActivities(deps),
    ...labelActivities(deps),
    ...emailActivities(deps),
    ...stockActivities(deps),
    ...creditNoteActivities(deps),
    ...refundActivities(deps),
    ...shipmentActivities(deps),
    ...chargeActivities(deps),
    ...holdActivities(deps),
    ...webhookActivities(deps),
    ...trackingActivities(deps),
    ...campaignActivities(deps),
    ...reconcileActivities(deps),
  };
}

export type CaseActivities = ReturnType<typeof createActivities>;
