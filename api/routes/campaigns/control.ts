/**
 * Pause, resume and cancel: the stored status changes first (it rules what the workflow does),
 * then the schedule follows and the first run is woken to look.
 */
import { campaignById, changeCampaignStatus, type CampaignRow } from '../../../db/campaigns.js';
import { CAMPAIGN_CONTROL_SIGNAL, type CampaignStatus } from '../../../domain/campaigns.js';
import { campaignWorkflowId } from '../../../workflows/messages.js';
import { ProblemError } from '../../problem.js';
import type { ApiDeps } from '../../router.js';
import { applyToSchedule } from './schedule.js';
import { campaignViewOf } from './view.js';

export type Control = 'pause' | 'resume' | 'cancel';

/** Which statuses each control leaves from; a completed campaign with a schedule is between runs. */
function transition(action: Control, row: CampaignRow): { from: CampaignStatus[]; to: CampaignStatus } {
  const between = row.schedule ? (['completed'] as CampaignStatus[]) : [];
  if (action === 'pause') return { from: ['running', ...between], to: 'paused' };
  if (action === 'resume') return { from: ['paused'], to: 'running' };
  return { from: ['running', 'paused', ...between], to: 'cancelled' };
}

/** The campaign after the control; 404 for an unknown one, 409 when its status does not allow it. */
export async function controlCampaign({ db, temporal }: Pick<ApiDeps, 'db' | 'temporal'>, action: Control, id: string) {
  const row = await campaignById(db, id);
  if (!row) throw new ProblemError(404, `no campaign ${id}`);
  const { from, to } = transition(action, row);
  const changed = await changeCampaignStatus(db, id, from, to);
  if (!changed) throw new ProblemError(409, `campaign ${id} is ${row.status}: cannot ${action} it`);
  if (row.schedule) await applyToSchedule(temporal, id, to);
  // Wake the first run if it waits; it reads the stored status (a finished one is fine to miss).
  await temporal.workflow
    .getHandle(campaignWorkflowId(id))
    .signal(CAMPAIGN_CONTROL_SIGNAL)
    .catch(() => undefined);
  return campaignViewOf(db, changed);
}
