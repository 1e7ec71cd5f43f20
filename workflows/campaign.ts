/**
 * One marketing campaign: fix the audience, send in batches, mark it completed. Each step is an
 * idempotent activity keyed by campaign (+ customer), so a worker crash resends nothing.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';

export interface CampaignInput {
  campaignId: string;
}

export const CAMPAIGN_BATCH_SIZE = 50;

const acts = proxyActivities<CaseActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function campaign({ campaignId }: CampaignInput): Promise<{ total: number }> {
  const { total } = await acts.selectCampaignAudience({ campaignId });
  while ((await acts.sendCampaignBatch({ campaignId, limit: CAMPAIGN_BATCH_SIZE })).processed > 0) {
    // next batch
  }
  await acts.finishCampaign({ campaignId });
  return { total };
}
