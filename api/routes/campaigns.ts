/** Marketing follow-up campaigns: `POST /v1/campaigns` starts one (a Temporal workflow), `GET` follows it. */
import { randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { campaignById, campaignMessageCounts, deleteCampaign, insertCampaign } from '../../db/campaigns.js';
import { DEFAULT_SEGMENT_DAYS, SEGMENT_KINDS, type Segment } from '../../domain/campaigns.js';
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
    status: z.enum(['running', 'paused', 'cancelled', 'completed']),
    segment: z.object({ kind: z.enum(SEGMENT_KINDS), days: z.number().int() }),
    total: z.number().int(),
    sent: z.number().int(),
    skipped: z
      .number()
      .int()
      .openapi({ description: 'no e-mail address, or contacted by another campaign within 7 days' }),
    failed: z.number().int(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Campaign');

const start = createRoute({
  method: 'post',
  path: '/v1/campaigns',
  tags: ['Marketing'],
  summary: 'Start a follow-up campaign to a segment of customers after returns',
  security: bearer,
  request: { body: jsonBody(CampaignBody) },
  responses: {
    202: jsonResponse(z.object({ id: z.string() }), 'accepted: the campaign sends in the background'),
    422: problemResponse('invalid body (names the field)'),
    503: problemResponse('Temporal is unreachable: nothing was started'),
  },
});
const get = createRoute({
  method: 'get',
  path: '/v1/campaigns/{id}',
  tags: ['Marketing'],
  summary: 'A campaign and its counts',
  security: bearer,
  request: { params: IdParam },
  responses: { 200: jsonResponse(CampaignView, 'the campaign'), 404: problemResponse('no such campaign') },
});

export function campaignRoutes({ db, temporal, taskQueue }: ApiDeps) {
  return newRouter()
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
      return c.json({ id }, 202);
    })
    .openapi(get, async (c) => {
      const { id } = c.req.valid('param');
      const row = await campaignById(db, id);
      if (!row) throw new ProblemError(404, `no campaign ${id}`);
      const counts = await campaignMessageCounts(db, id);
      const n = (s: string) => counts.find((x) => x.status === s)?.n ?? 0;
      return c.json(
        {
          id: row.id,
          name: row.name,
          status: row.status,
          segment: row.segment,
          total: counts.reduce((sum, x) => sum + x.n, 0),
          sent: n('sent'),
          skipped: n('skipped'),
          failed: n('failed'),
          createdAt: row.createdAt.toISOString(),
          finishedAt: row.finishedAt?.toISOString() ?? null,
        },
        200,
      );
    });
}
