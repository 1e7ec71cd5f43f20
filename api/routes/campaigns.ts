/**
 * Marketing follow-up campaigns: `POST /v1/campaigns` starts one (a Temporal workflow, and a
 * Temporal Schedule when it has a `schedule`), `GET` follows it, pause/resume/cancel control it.
 * The stored status rules what the workflow does; a signal only wakes it to look. The parts are in
 * api/routes/campaigns/.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { campaignById, campaignsMessageCounts, listCampaigns } from '../../db/campaigns.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { IdParam, jsonBody, jsonResponse, problemResponse } from '../schemas.js';
import { controlCampaign, type Control } from './campaigns/control.js';
import { CampaignBody, CampaignView } from './campaigns/schemas.js';
import { startCampaign } from './campaigns/start.js';
import { campaignViewOf } from './campaigns/view.js';

export { campaignScheduleId } from './campaigns/schedule.js';

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

export function campaignRoutes({ db, temporal, taskQueue }: ApiDeps) {
  const router = newRouter()
    .openapi(start, async (c) => {
      const id = await startCampaign({ db, temporal, taskQueue }, c.req.valid('json'), c.get('principal').name);
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
          campaignViewOf(
            db,
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
      return c.json(await campaignViewOf(db, row), 200);
    });
  return router
    .openapi(controlRoute('pause', 'Pause a campaign: nothing more is sent until it is resumed'), async (c) =>
      c.json(await controlCampaign({ db, temporal }, 'pause', c.req.valid('param').id), 200),
    )
    .openapi(controlRoute('resume', 'Resume a paused campaign'), async (c) =>
      c.json(await controlCampaign({ db, temporal }, 'resume', c.req.valid('param').id), 200),
    )
    .openapi(controlRoute('cancel', 'Cancel a campaign (and its schedule): nothing more is sent'), async (c) =>
      c.json(await controlCampaign({ db, temporal }, 'cancel', c.req.valid('param').id), 200),
    );
}
