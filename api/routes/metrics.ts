import { createRoute, z } from '@hono/zod-openapi';
import type { Registry } from 'prom-client';
import { newRouter } from '../router.js';

const metrics = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['Operations'],
  summary:
    'Prometheus metrics (HTTP traffic, cases by status, stuck cases, unmatched carrier events, webhook deliveries)',
  description: 'Unauthenticated like /healthz: expose it to your scraper only (network policy, ingress rule).',
  responses: {
    200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } },
  },
});

export function metricsRoutes(registry: Registry) {
  return newRouter().openapi(metrics, async (c) => {
    const body = await registry.metrics();
    return c.text(body, 200, { 'content-type': registry.contentType });
  });
}
