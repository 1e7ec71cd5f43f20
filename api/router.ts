import { OpenAPIHono } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client.js';
import type { AuthEnv } from './auth.js';
import { problem, zodFieldErrors } from './problem.js';

export interface ApiDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  adminApiKey: string;
  /** How long POST /v1/returns and POST /v1/scans wait for the workflow's first step to show. */
  settleWaitMs?: number;
  /** What /readyz checks: each resolves when its dependency answers. */
  readiness: { database: () => Promise<void>; temporal: () => Promise<void> };
}

/** A router whose request validation answers with problem+json naming each bad field. */
export function newRouter() {
  return new OpenAPIHono<AuthEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const where = result.target === 'json' ? 'body' : result.target === 'param' ? 'path' : (result.target as 'query' | 'header');
      const errors = zodFieldErrors(result.error, where);
      const status = where === 'body' ? 422 : 400;
      return problem(c, status, `invalid ${where}: ${errors.map((e) => e.field).join(', ')}`, errors, 'validation');
    },
  });
}

export const bearer = [{ bearer: [] }];
