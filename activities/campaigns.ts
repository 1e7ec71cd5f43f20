/**
 * Sending a campaign. The audience is chosen in the database a page at a time (one pending row per
 * consenting customer without an open case, keyed by campaign + customer); batches are claimed,
 * re-checked (consent, open case, the CAMPAIGN_FREQUENCY_CAP_DAYS cap across campaigns) and sent a
 * few at a time. The stored status rules: nothing is sent unless the campaign is `running`.
 */
import { Context } from '@temporalio/activity';
import { randomUUID } from 'node:crypto';
import {
  campaignById,
  changeCampaignStatus,
  claimPendingMessages,
  markMessage,
  recipientsOf,
  recordAudienceSize,
  selectAudiencePage,
  type CampaignRow,
  type Recipient,
} from '../db/campaigns.js';
import {
  CAMPAIGN_AUDIENCE_PAGE,
  CAMPAIGN_FREQUENCY_CAP_DAYS,
  CAMPAIGN_SEND_CONCURRENCY,
  type CampaignStatus,
  type Segment,
} from '../domain/campaigns.js';
import { campaignMail } from '../emails/campaign/message.js';
import { unsubscribeUrl } from '../links/customer-links.js';
import type { ActivityDeps } from './deps.js';

const DAY_MS = 86_400_000;

export interface CampaignState {
  status: CampaignStatus;
  ratePerMinute: number | null;
}

export interface AudiencePage extends CampaignState {
  /** The last segment member looked at; null: the segment is done (or the campaign is not running). */
  last: string | null;
  scanned: number;
  added: number;
}

export interface SentBatch extends CampaignState {
  /** Messages handled (sent, skipped or failed); 0 with `running`: nothing left after `after`. */
  processed: number;
  sent: number;
  /** The cursor for the next batch. */
  last: string | null;
}

/** This attempt's claim on the messages it sends: a retry of the same activity gets the same one. */
function claimToken(): string {
  try {
    const { workflowExecution, activityId } = Context.current().info;
    return `claim:${workflowExecution?.runId ?? randomUUID()}:${activityId}`;
  } catch {
    return `claim:${randomUUID()}`; // called outside a worker (tests of the activity alone)
  }
}

/** Runs `job` over `items`, at most `limit` at once. */
async function eachBounded<T>(items: readonly T[], limit: number, job: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await job(items[next++] as T);
  });
  await Promise.all(lanes);
}

export function campaignActivities({
  db,
  mail,
  brand,
  publicUrl,
  linkSecret,
}: Pick<ActivityDeps, 'db' | 'mail' | 'brand' | 'publicUrl' | 'linkSecret'>) {
  async function campaignOf(campaignId: string): Promise<CampaignRow> {
    const c = await campaignById(db, campaignId);
    if (!c) throw new Error(`campaign ${campaignId} not found`);
    return c;
  }
  const stateOf = (c: CampaignRow): CampaignState => ({ status: c.status, ratePerMinute: c.ratePerMinute });

  async function selectPage(o: { campaignId: string; after: string | null; asOf?: number; reopen?: boolean }) {
    if (o.reopen && o.after === null) await changeCampaignStatus(db, o.campaignId, ['completed'], 'running');
    const c = await campaignOf(o.campaignId);
    if (c.status !== 'running') return { ...stateOf(c), last: null, scanned: 0, added: 0 };
    const segment = c.segment as Segment;
    // The first run counts days back from the campaign's start, a scheduled re-run from its own.
    const since = new Date((o.asOf ?? c.createdAt.getTime()) - segment.days * DAY_MS);
    const page = await selectAudiencePage(db, {
      campaignId: c.id,
      segment,
      since,
      after: o.after,
      limit: CAMPAIGN_AUDIENCE_PAGE,
    });
    if (page.last === null) await recordAudienceSize(db, c.id);
    return { ...stateOf(c), ...page };
  }

  async function sendBatch(o: { campaignId: string; after: string | null; limit: number }): Promise<SentBatch> {
    const c = await campaignOf(o.campaignId);
    if (c.status !== 'running') return { ...stateOf(c), processed: 0, sent: 0, last: o.after };
    const claimed = await claimPendingMessages(db, { ...o, claim: claimToken() });
    const recipients = new Map((await recipientsOf(db, c.id, claimed)).map((r) => [r.id, r]));
    let sent = 0;
    await eachBounded(claimed, CAMPAIGN_SEND_CONCURRENCY, async (customerId) => {
      const why = skipReason(recipients.get(customerId));
      if (why) return markMessage(db, c.id, customerId, 'skipped', why);
      const customer = recipients.get(customerId) as Recipient;
      try {
        await mail.send(
          campaignMail(c, customer, { brand, unsubscribeUrl: unsubscribeUrl(publicUrl, linkSecret, customer.id) }),
        );
      } catch (err) {
        return markMessage(db, c.id, customerId, 'failed', (err as Error).message.slice(0, 500));
      }
      sent++;
      await markMessage(db, c.id, customerId, 'sent', null);
    });
    // The status as it is after the batch: a pause during it shows at once.
    const now = await campaignOf(o.campaignId);
    return { ...stateOf(now), processed: claimed.length, sent, last: claimed.at(-1) ?? o.after };
  }

  return {
    /** The next page of the audience into pending messages; a retry inserts nothing twice. */
    selectCampaignAudiencePage: selectPage,

    /** Sends the next batch of pending messages after `after` (only while the campaign is running). */
    sendCampaignMessages: sendBatch,

    /** The stored status and rate (a paused run looks here; scheduled runs get no signal). */
    async campaignState({ campaignId }: { campaignId: string }): Promise<CampaignState> {
      return stateOf(await campaignOf(campaignId));
    },

    async finishCampaign({ campaignId }: { campaignId: string }): Promise<void> {
      await changeCampaignStatus(db, campaignId, ['running'], 'completed');
    },

    /** Workflows started before paging (patch `campaign-paged-v1`): the whole audience at once. */
    async selectCampaignAudience({ campaignId }: { campaignId: string }): Promise<{ total: number }> {
      let after: string | null = null;
      do after = (await selectPage({ campaignId, after })).last;
      while (after !== null);
      return { total: (await campaignOf(campaignId)).audienceSize ?? 0 };
    },

    /** Workflows started before paging: the next batch of what is pending. */
    async sendCampaignBatch({ campaignId, limit }: { campaignId: string; limit: number }) {
      const batch = await sendBatch({ campaignId, after: null, limit });
      return { processed: batch.processed };
    },
  };
}

function skipReason(r: Recipient | undefined): string | null {
  if (!r?.email) return 'no e-mail address';
  if (!r.consent) return 'unsubscribed';
  if (r.openCase) return 'has an open case';
  if (r.recentCampaign) return `contacted by campaign ${r.recentCampaign} within ${CAMPAIGN_FREQUENCY_CAP_DAYS} days`;
  return null;
}
