/**
 * POST /v1/returns/:id/deadline: a manager gives what the case waits for now (approval, parcel or
 * inspection) more time; the workflow moves its timer and records who and why.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { parseDuration } from '../../domain/duration.js';
import { extendDeadline } from '../../workflows/messages.js';
import { updateCase } from '../case-updates.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { CaseViewSchema, IdParam, jsonBody, jsonResponse, problemResponse } from '../schemas.js';
import { caseView } from './returns.js';

/** At most a year at a time: an extension is a decision about this wait, not a way to park a case. */
const MAX_EXTENSION_MS = 366 * 24 * 3600 * 1000;
const EXTENSION_PATTERN =
  /^(?:P(?:[1-9]|[1-9]\d|[12]\d\d|3[0-5]\d|36[0-6])D|P(?:[1-9]|[1-4]\d|5[0-2])W|PT(?:[1-9]\d{0,2}|[1-7]\d{3}|8[0-6]\d\d|87[0-7]\d|878[0-4])H|PT[1-9]\d{0,4}M|PT[1-9]\d{0,6}S)$/;
const DeadlineBody = z
  .object({
    extendBy: z
      .string()
      // Days, weeks or hours, positive and at most a year, stated in the document (not only refused).
      .regex(EXTENSION_PATTERN, 'days (P1D–P366D), weeks (P1W–P52W), hours (PT1H–PT8784H), minutes or seconds')
      .refine((v) => {
        const ms = parseDuration(v);
        return ms !== undefined && ms > 0 && ms <= MAX_EXTENSION_MS;
      }, 'must be a positive ISO 8601 duration of at most a year, e.g. P7D or PT12H')
      .openapi({ example: 'P7D' }),
    reason: z.string().trim().min(1).max(2000),
  })
  .openapi('DeadlineExtension');

const deadlineRoute = createRoute({
  method: 'post',
  path: '/v1/returns/{id}/deadline',
  tags: ['Cases'],
  summary: 'Extend the deadline of what the case waits for now (approval, parcel or inspection); clears `stuck`',
  description:
    'The new deadline is `extendBy` past the current one, or past now when that already passed. The case ' +
    'waits on until then; recorded on the timeline (`deadline.extended`) with who asked and why.',
  security: bearer,
  request: { params: IdParam, body: jsonBody(DeadlineBody) },
  responses: {
    200: jsonResponse(CaseViewSchema, 'the case with its new deadline'),
    404: problemResponse('no such case'),
    409: problemResponse('the case waits for nothing whose deadline can be extended'),
    422: problemResponse('invalid body (names the field)'),
  },
});

export function caseDeadlineRoutes(deps: ApiDeps) {
  const { db, temporal } = deps;
  return newRouter().openapi(deadlineRoute, async (c) => {
    const { id } = c.req.valid('param');
    await caseView(db, id);
    const body = c.req.valid('json');
    const { keyId, name } = c.get('principal');
    await updateCase(temporal, id, extendDeadline, {
      extendBy: body.extendBy,
      reason: body.reason,
      extendedBy: name,
      extendedByKeyId: keyId,
    });
    // The update answers once its timeline entry (and the case's new deadline) is written.
    return c.json(await caseView(db, id), 200);
  });
}
