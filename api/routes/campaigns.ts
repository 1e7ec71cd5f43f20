/**
 * Marketing follow-up campaigns: `POST /v1/campaigns` starts one (a Temporal workflow, and a
 * Temporal Schedule when it has a `schedule`), `GET` follows it, pause/resume/cancel control it.
 * The stored status rules what the workflow does; a signal only wakes it to look.
 */
import { randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import {
  campaignById,
  campaignMessageCounts,
  campaignsMessageCounts,
  changeCampaignStatus,
  deleteCampaign,
  insertCampaign,
  listCampaigns,
  type CampaignRow,
} from '../../db/campaigns.js';
import {
  CAMPAIGN_CONTROL_SIGNAL,
  CAMPAIGN_FREQUENCY_CAP_DAYS,
  CAMPAIGN_STATUSES,
  DEFAULT_SEGMENT_DAYS,
  SEGMENT_KINDS,
  campaignProgress,
  parseCampaignSchedule,
  type CampaignStatus,
  type Segment,
} from '../../domain/campaigns.js';
import type { campaign } from '../../workflows/campaign.js';
import { campaignWorkflowId } from '../../workflows/messages.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { IdParam, jsonBody, jsonResponse, problemResponse } from '../schemas.js';
import { toProblem } from '../temporal-errors.js';

const CampaignBody = z
  .object({
    name: z.string().trim().min(1).max(200).regex(/\S/, 'must not be blank'),
    segment: z.object({
      kind: z.enum(SEGMENT_KINDS),
      days: z
        .number()
        .int()
        .min(1)
        .max(3650)
        .default(DEFAULT_SEGMENT_DAYS)
        .openapi({ description: 'cases completed within this many days' }),
    }),
    // Its example is the object's (a property example alone makes schemathesis draw the rest).
    template: z.string().min(1).max(20_000).openapi({
      description: 'the e-mail text; `{{name}}` and `{{email}}` are filled in',
    }),
    subject: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/\S/, 'must not be blank')
      .optional()
      .openapi({ description: 'default: the campaign name' }),
    ratePerMinute: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .nullable()
      .optional()
      .openapi({ description: 'e-mails per minute at most; default: no limit' }),
    schedule: z
      .string()
      .trim()
      .max(200)
      .refine(
        (s) => parseCampaignSchedule(s) !== undefined,
        'a five-field cron expression or an ISO 8601 interval (P1D)',
      )
      .optional()
      .openapi({
        description:
          're-run for new members of the segment: a cron expression (`0 9 * * 1`) or an ISO 8601 interval (`P1D`); nobody gets the campaign twice',
      }),
  })
  .openapi('CampaignInput', {
    example: {
      name: 'Win-back November',
      segment: { kind: SEGMENT_KINDS[0], days: DEFAULT_SEGMENT_DAYS },
      template: 'Hello {{name}}, we miss you: 10 % off your next order.',
    },
  });

const CampaignView = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    segment: z.object({ kind: z.enum(SEGMENT_KINDS), days: z.number().int() }),
    ratePerMinute: z.number().int().nullable(),
    schedule: z.string().nullable(),
    total: z.number().int().openapi({ description: 'consenting segment members selected so far' }),
    sent: z.number().int(),
    skipped: z
      .number()
      .int()
      .openapi({
        description: `unsubscribed, an open case, no e-mail address, or contacted by another campaign within ${CAMPAIGN_FREQUENCY_CAP_DAYS} days`,
      }),
    failed: z.number().int(),
    pending: z.number().int().openapi({ description: 'selected, not sent yet' }),
    progress: z.number().min(0).max(1).openapi({ description: 'share of the selected audience handled, 0–1' }),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Campaign');

const start = createRoute({
  method: 'post',
  path: '/v1/campaigns',
  tags: ['Marketing'],
  summary: 'Start a follow-up campaign to the consenting customers of a segment',
  security: bearer,
  request: { body: jsonBody(CampaignBody) },
  responses: {
    202: jsonResponse(z.object({ id: z.string() }), 'accepted: the campaign sends in the background'),
    422: problemResponse('invalid body (names the field)'),
    503: problemResponse('Temporal is unreachable: nothing was started'),
  },
});
const list = createRoute({
  method: 'get',
  path: '/v1/campaigns',
  tags: ['Marketing'],
  summary: 'The newest campaigns with their progress',
  security: bearer,
  responses: { 200: jsonResponse(z.object({ items: z.array(CampaignView) }), 'the campaigns, newest first') },
});
const get = createRoute({
  method: 'get',
  path: '/v1/campaigns/{id}',
  tags: ['Marketing'],
  summary: 'A campaign, its counts and progress',
  security: bearer,
  request: { params: IdParam },
  responses: { 200: jsonResponse(CampaignView, 'the campaign'), 404: problemResponse('no such campaign') },
});

type Control = 'pause' | 'resume' | 'cancel';
const controlRoute = (action: Control, summary: string) =>
  createRoute({
    method: 'post',
    path: `/v1/campaigns/{id}/${action}`,
    tags: ['Marketing'],
    summary,
    security: bearer,
    request: { params: IdParam },
    responses: {
      200: jsonResponse(CampaignView, 'the campaign as it is now'),
      404: problemResponse('no such campaign'),
      409: problemResponse('not possible in the campaign’s status'),
    },
  });

/** Which statuses each control leaves from; a completed campaign with a schedule is between runs. */
function transition(action: Control, row: CampaignRow): { from: CampaignStatus[]; to: CampaignStatus } {
  const between = row.schedule ? (['completed'] as CampaignStatus[]) : [];
  if (action === 'pause') return { from: ['running', ...between], to: 'paused' };
  if (action === 'resume') return { from: ['paused'], to: 'running' };
  return { from: ['running', 'paused', ...between], to: 'cancelled' };
}

export const campaignScheduleId = (campaignId: string) => `campaign-${campaignId}`;

async function createSchedule(temporal: Client, taskQueue: string, id: string, schedule: string) {
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
async function applyToSchedule(temporal: Client, id: string, to: CampaignStatus) {
  const handle = temporal.schedule.getHandle(campaignScheduleId(id));
  try {
    if (to === 'paused') await handle.pause('campaign paused');
    else if (to === 'running') await handle.unpause('campaign resumed');
    else if (to === 'cancelled') await handle.delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw toProblem(err);
  }
}

export function campaignRoutes({ db, temporal, taskQueue }: ApiDeps) {
  async function viewOf(row: CampaignRow, counts?: { status: string; n: number }[]) {
    const byStatus = counts ?? (await campaignMessageCounts(db, row.id));
    const n = (s: string) => byStatus.find((x) => x.status === s)?.n ?? 0;
    const total = byStatus.reduce((sum, x) => sum + x.n, 0);
    const pending = n('pending') + n('sending');
    return {
      id: row.id,
      name: row.name,
      status: row.status,
      segment: row.segment,
      ratePerMinute: row.ratePerMinute,
      schedule: row.schedule,
      total,
      sent: n('sent'),
      skipped: n('skipped'),
      failed: n('failed'),
      pending,
      progress: campaignProgress(total, pending, row.status),
      createdAt: row.createdAt.toISOString(),
      finishedAt: row.finishedAt?.toISOString() ?? null,
    };
  }

  const control = (action: Control) => async (id: string) => {
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
    return viewOf(changed);
  };

  const router = newRouter()
    .openapi(start, async (c) => {
      const body = c.req.valid('json');
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
        createdBy: c.get('principal').name,
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
      return c.json({ id }, 202);
    })
    .openapi(list, async (c) => {
      const rows = await listCampaigns(db, 100);
      const counts = await campaignsMessageCounts(
        db,
        rows.map((r) => r.id),
      );
      const items = await Promise.all(
        rows.map((r) =>
          viewOf(
            r,
            counts.filter((x) => x.campaignId === r.id),
          ),
        ),
      );
      return c.json({ items }, 200);
    })
    .openapi(get, async (c) => {
      const { id } = c.req.valid('param');
      const row = await campaignById(db, id);
      if (!row) throw new ProblemError(404, `no campaign ${id}`);
      return c.json(await viewOf(row), 200);
    });
  return router
    .openapi(controlRoute('pause', 'Pause a campaign: nothing more is sent until it is resumed'), async (c) =>
      c.json(await control('pause')(c.req.valid('param').id), 200),
    )
    .openapi(controlRoute('resume', 'Resume a paused campaign'), async (c) =>
      c.json(await control('resume')(c.req.valid('param').id), 200),
    )
    .openapi(controlRoute('cancel', 'Cancel a campaign (and its schedule): nothing more is sent'), async (c) =>
      c.json(await control('cancel')(c.req.valid('param').id), 200),
    );
}
