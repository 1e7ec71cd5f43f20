/**
 * Starting a campaign: its row, its first run, and its schedule when it has one. Either Temporal
 * step failing undoes what would otherwise look like a campaign that runs.
 */
import { randomBytes } from 'node:crypto';
import type { z } from '@hono/zod-openapi';
import { changeCampaignStatus, deleteCampaign, insertCampaign } from '../../../db/campaigns.js';
import type { Segment } from '../../../domain/campaigns.js';
import type { campaign } from '../../../workflows/campaign.js';
import { campaignWorkflowId } from '../../../workflows/messages.js';
import type { ApiDeps } from '../../router.js';
import { toProblem } from '../../temporal-errors.js';
import { createSchedule } from './schedule.js';
import type { CampaignBody } from './schemas.js';

/** The new campaign's id. */
export async function startCampaign(
  { db, temporal, taskQueue }: Pick<ApiDeps, 'db' | 'temporal' | 'taskQueue'>,
  body: z.infer<typeof CampaignBody>,
  createdBy: string,
): Promise<string> {
  const id = `CMP-${randomBytes(8).toString('hex')}`;
  const segment: Segment = { kind: body.segment.kind, days: body.segment.days };
  await insertCampaign(db, {
    id,
    name: body.name,
    segment,
    subject: body.subject ?? body.name,
    template: body.template,
    status: 'running',
    ratePerMinute: body.ratePerMinute ?? null,
    schedule: body.schedule ?? null,
    createdBy,
  });
  try {
    await temporal.workflow.start<typeof campaign>('campaign', {
      workflowId: campaignWorkflowId(id),
      taskQueue,
      args: [{ campaignId: id }],
    });
  } catch (err) {
    // Nothing will send it: withdraw the campaign rather than leave it "running" forever.
    await deleteCampaign(db, id);
    throw toProblem(err);
  }
  if (body.schedule) {
    try {
      await createSchedule(temporal, taskQueue, id, body.schedule);
    } catch (err) {
      // The first run goes on; without its schedule the campaign is a one-off, and says so.
      await changeCampaignStatus(db, id, ['running'], 'cancelled');
      throw toProblem(err);
    }
  }
  return id;
}
