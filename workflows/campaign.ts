/**
 * One marketing campaign: page through its audience (chosen in the database), send it in batches
 * under the rate limit, mark it completed. Every run handles a bounded number of customers and
 * steps, then continues as new with its cursor, so the history stays small for any audience size.
 * The stored status decides (pause, resume, cancel are written by the API); the signal only wakes
 * a waiting run early. Every step is an idempotent activity keyed by campaign + customer.
 */
import { condition, continueAsNew, defineSignal, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';
import {
  CAMPAIGN_CONTROL_SIGNAL,
  CAMPAIGN_CUSTOMERS_PER_RUN,
  CAMPAIGN_PAUSE_RECHECK_MS,
  CAMPAIGN_STEPS_PER_RUN,
  campaignBatchPauseMs,
  campaignBatchSize,
  type CampaignStatus,
} from '../domain/campaigns.js';

export interface CampaignInput {
  campaignId: string;
  /** A scheduled re-run: reopens a completed campaign and selects only who is new to it. */
  rerun?: boolean;
  /** Carried through continue-as-new. */
  phase?: 'select' | 'send';
  after?: string | null;
  /** Epoch ms the segment's `days` count back from (a re-run's own start). */
  asOf?: number;
  ratePerMinute?: number | null;
}

/** Wakes a waiting run to look at the stored status again (sent on pause, resume and cancel). */
export const campaignControlSignal = defineSignal(CAMPAIGN_CONTROL_SIGNAL);

/** Batches of workflows started before paging. */
export const CAMPAIGN_BATCH_SIZE = 50;

const acts = proxyActivities<CaseActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function campaign(input: CampaignInput): Promise<{ status: CampaignStatus }> {
  if (!patched('campaign-paged-v1')) return legacyCampaign(input);
  const { campaignId } = input;
  let woken = false;
  setHandler(campaignControlSignal, () => {
    woken = true;
  });
  /** Waits up to `ms`, or less when a control signal comes. */
  const waitOrWake = async (ms: number) => {
    const signalled = await condition(() => woken, ms);
    woken = false;
    return signalled;
  };

  const asOf = input.asOf ?? (input.rerun ? Date.now() : undefined);
  let phase = input.phase ?? 'select';
  let after = input.after ?? null;
  let reopen = input.rerun === true && input.phase === undefined;
  let state = { status: 'running' as CampaignStatus, ratePerMinute: input.ratePerMinute ?? null };
  let customers = 0;
  let steps = 0;

  for (;;) {
    if (customers >= CAMPAIGN_CUSTOMERS_PER_RUN || steps >= CAMPAIGN_STEPS_PER_RUN) {
      const next = { campaignId, rerun: input.rerun, phase, after, asOf, ratePerMinute: state.ratePerMinute };
      return continueAsNew<typeof campaign>(next);
    }
    steps++;
    if (state.status === 'cancelled' || state.status === 'completed') return { status: state.status };
    if (state.status === 'paused') {
      await waitOrWake(CAMPAIGN_PAUSE_RECHECK_MS);
      state = await acts.campaignState({ campaignId });
      continue;
    }
    if (phase === 'select') {
      const page = await acts.selectCampaignAudiencePage({ campaignId, after, reopen, ...(asOf ? { asOf } : {}) });
      reopen = false;
      state = page;
      if (page.status !== 'running') continue;
      customers += page.scanned;
      if (page.last === null) [phase, after] = ['send', null];
      else after = page.last;
      continue;
    }
    const startedAt = Date.now();
    const batch = await acts.sendCampaignMessages({ campaignId, after, limit: campaignBatchSize(state.ratePerMinute) });
    state = batch;
    if (batch.status !== 'running') continue;
    if (batch.processed === 0) {
      await acts.finishCampaign({ campaignId });
      return { status: 'completed' };
    }
    customers += batch.processed;
    after = batch.last;
    // The rate limit: wait out the rest of this batch's share of a minute (a control signal cuts in).
    const deadline = Date.now() + campaignBatchPauseMs(batch.ratePerMinute, batch.sent, Date.now() - startedAt);
    while (Date.now() < deadline) {
      if (!(await waitOrWake(deadline - Date.now()))) break;
      state = await acts.campaignState({ campaignId });
      if (state.status !== 'running') break;
    }
  }
}

/** As before paging, for histories started then. */
async function legacyCampaign({ campaignId }: CampaignInput): Promise<{ status: CampaignStatus }> {
  await acts.selectCampaignAudience({ campaignId });
  while ((await acts.sendCampaignBatch({ campaignId, limit: CAMPAIGN_BATCH_SIZE })).processed > 0) {
    // next batch
  }
  await acts.finishCampaign({ campaignId });
  return { status: 'completed' };
}
