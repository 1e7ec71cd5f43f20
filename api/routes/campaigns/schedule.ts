/**
 * A campaign's Temporal Schedule: the re-runs for new members of the segment. It follows the
 * campaign's stored status (paused, resumed, deleted on cancel).
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { parseCampaignSchedule, type CampaignStatus } from '../../../domain/campaigns.js';
import type { campaign } from '../../../workflows/campaign.js';
import { campaignWorkflowId } from '../../../workflows/messages.js';
import { ProblemError } from '../../problem.js';
import { toProblem } from '../../temporal-errors.js';

export const campaignScheduleId = (campaignId: string) => `campaign-${campaignId}`;

export async function createSchedule(temporal: Client, taskQueue: string, id: string, schedule: string) {
  const parsed = parseCampaignSchedule(schedule);
  if (!parsed) throw new ProblemError(422, 'invalid schedule');
  await temporal.schedule.create({
    scheduleId: campaignScheduleId(id),
    spec: 'cron' in parsed ? { cronExpressions: [parsed.cron] } : { intervals: [{ every: parsed.everyMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'campaign',
      // Temporal adds the run's time to the id: each re-run is a workflow of its own.
      workflowId: `${campaignWorkflowId(id)}:scheduled`,
      taskQueue,
      args: [{ campaignId: id, rerun: true }] as Parameters<typeof campaign>,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  });
}

/** Brings the schedule in line with the campaign's new status; a schedule already gone is fine. */
export async function applyToSchedule(temporal: Client, id: string, to: CampaignStatus) {
  const handle = temporal.schedule.getHandle(campaignScheduleId(id));
  try {
    if (to === 'paused') await handle.pause('campaign paused');
    else if (to === 'running') await handle.unpause('campaign resumed');
    else if (to === 'cancelled') await handle.delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw toProblem(err);
  }
}
