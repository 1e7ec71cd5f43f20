import { createRoute, z } from '@hono/zod-openapi';
import { dashboardHtml, dashboardScript } from '../../dashboard/page.js';
import { newRouter } from '../router.js';

/** The page loads only its own script and talks only to this API. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

const page = createRoute({
  method: 'get',
  path: '/dashboard',
  tags: ['Operations'],
  summary: "The managers' web page: stuck cases, decisions to take, parcels to inspect, parcels on their way",
  description: "A static page; its data comes from the JSON API with the manager's own API key, entered on the page.",
  responses: { 200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } } },
});

export function dashboardRoutes() {
  return newRouter()
    .openapi(page, (c) => c.html(dashboardHtml, 200, { 'content-security-policy': CSP, 'cache-control': 'no-cache' }))
    .get('/dashboard/app.js', (c) =>
      c.body(dashboardScript, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }),
    );
}
