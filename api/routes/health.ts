import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, type ApiDeps } from '../router.js';
import { jsonResponse } from '../schemas.js';

const Health = z
  .object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()).optional() })
  .openapi('Health');

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['Operations'],
  summary: 'The process is up',
  responses: { 200: jsonResponse(Health, 'up') },
});
const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['Operations'],
  summary: 'Temporal and the database answer',
  responses: { 200: jsonResponse(Health, 'ready'), 503: jsonResponse(Health, 'a dependency does not answer') },
});

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);

export function healthRoutes({ readiness }: ApiDeps) {
  return newRouter()
    .openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(readyz, async (c) => {
      const entries = await Promise.all(
        Object.entries(readiness).map(async ([name, check]) => {
          try {
            await within(check(), 2000);
            return [name, 'ok'] as const;
          } catch (err) {
            return [name, (err as Error).message] as const;
          }
        }),
      );
      const checks = Object.fromEntries(entries);
      const ok = entries.every(([, v]) => v === 'ok');
      return c.json({ status: ok ? ('ok' as const) : ('unavailable' as const), checks }, ok ? 200 : 503);
    });
}
