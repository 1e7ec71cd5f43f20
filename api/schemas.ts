/** Zod schemas shared by several routes; the same schemas validate requests and make /openapi.json. */
import { z } from '@hono/zod-openapi';
import { CaseViewSchema as CaseView } from '../domain/case-view.js';
import { ACCESS } from './access.js';
import { ProblemError } from './problem.js';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), detail: z.string(), in: z.string().optional() })).optional(),
  })
  .openapi('Problem');

export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

export const MinorUnits = z
  .number()
  .int()
  .safe()
  .openapi({ description: 'integer amount in minor units', example: 49900 });
export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code such as NOK')
  .openapi({ example: 'NOK' });
export const Timestamp = z.iso
  .datetime({ offset: true })
  // There is no year 0 in PostgreSQL (nor in ISO 8601 practice): refuse it rather than fail in the database.
  .refine((s) => new Date(s).getUTCFullYear() >= 1, 'a date from year 1 on')
  .openapi({ example: '2026-11-01T10:00:00Z' });
export const Id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

/** The case view (declared once in domain/case-view.ts), named for /openapi.json. */
export const CaseViewSchema = CaseView.openapi('CaseView');

/** `{id}` in a path: a case, an order, a campaign, a webhook endpoint. */
export const IdParam = z.object({ id: Id.openapi({ param: { name: 'id', in: 'path' } }) });

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A half-open period [from, to) from query timestamps; `to` must be after `from` (400 naming it). */
export function queryPeriod(from: string, to: string): { start: Date; end: Date } {
  const start = new Date(from);
  const end = new Date(to);
  if (end <= start)
    throw new ProblemError(400, '`to` must be after `from`', [
      { field: 'to', detail: 'must be after from', in: 'query' },
    ]);
  return { start, end };
}

/** What a route says about itself that decides which standard answers it can give. */
interface RouteShape {
  method: string;
  path: string;
  security?: unknown[];
  request?: { body?: unknown; params?: unknown; query?: unknown; headers?: unknown };
  responses: Record<string, unknown>;
}

/**
 * The answers any route can give besides its own (shared/API.md "Limits (all routes)", the
 * validation hook in router.ts, authentication): 429 everywhere; 401 and 403 behind an API key;
 * 400 for bad path, query or header parameters (and malformed JSON); 413, 415 and 422 with a body.
 */
export function standardResponses(route: Omit<RouteShape, 'responses'>): Record<number, object | undefined> {
  const secured = (route.security?.length ?? 0) > 0;
  const { body, params, query, headers } = route.request ?? {};
  return {
    ...(params || query || headers || body
      ? { 400: problemResponse('invalid path, query or header parameters, or a body that is not JSON') }
      : {}),
    ...(secured
      ? {
          401: problemResponse('missing, unknown or revoked API key'),
          403: problemResponse("the key's role may not do this"),
        }
      : {}),
    ...(body
      ? {
          413: problemResponse('the request body is above 1 MiB'),
          415: problemResponse('the body is not sent as application/json'),
          422: problemResponse('the body is not valid: `errors` names each field'),
        }
      : {}),
    ...(query
      ? {
          // Node's HTTP server answers it itself, before the app, when the request line passes 16 KiB.
          431: { description: 'the request line (a query parameter) or the headers are above 16 KiB' },
        }
      : {}),
    429: {
      ...problemResponse('too many requests (or failed authentications) from this key or address: retry later'),
      headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' as const } } },
    },
  };
}

/**
 * Merges standardResponses into every registered operation (a route's own description of a status
 * wins). Every `/v1/` route except the carrier and payment webhooks sits behind authentication:
 * it declares the bearer scheme whether or not its createRoute said so.
 */
export function withStandardResponses(definitions: readonly { type: string; route?: unknown }[]) {
  for (const def of definitions) {
    if (def.type !== 'route') continue;
    const route = def.route as RouteShape;
    // Public operations (api/access.ts) take no API key: the document says so (`security: []`).
    const isPublic = ACCESS[`${route.method.toUpperCase()} ${route.path}`] === 'public';
    const authenticated = route.path.startsWith('/v1/') && !isPublic;
    if (authenticated && !route.security?.length) route.security = [{ bearer: [] }];
    if (isPublic && !route.security?.length) route.security = [];
    route.responses = { ...standardResponses(route), ...route.responses };
  }
}
