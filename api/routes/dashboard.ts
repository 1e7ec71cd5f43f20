/**
 * The managers' web pages: `/dashboard` (search, work lists, charts, campaigns) and
 * `/dashboard/cases/:id` (one case and its actions), with their scripts and chart.js. Static pages:
 * all data comes from the JSON API with the manager's own key, so its roles and validation apply.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { DASHBOARD_API_CALLS } from '../../dashboard/api-calls.js';
import { casePageHtml } from '../../dashboard/case-page.js';
import { dashboardHtml } from '../../dashboard/overview-page.js';
import { casePageScript, overviewPageScript } from '../../dashboard/scripts.js';
import { chartJsSource } from '../../dashboard/vendor.js';
import { CASE_STATUSES, CHANNELS, METHODS } from '../../domain/case-status.js';
import { newRouter } from '../router.js';
import { Id } from '../schemas.js';

export { DASHBOARD_API_CALLS };

/** The pages load only their own scripts and talk only to this API. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
const PAGE_HEADERS = { 'content-security-policy': CSP, 'cache-control': 'no-cache' };
const SCRIPT_HEADERS = { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' };

const html = { 200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } } };

const page = createRoute({
  method: 'get',
  path: '/dashboard',
  tags: ['Operations'],
  summary: "The managers' web page: search, stuck cases, decisions, inspections, parcels, charts, campaigns",
  description: "A static page; its data comes from the JSON API with the manager's own API key, entered on the page.",
  responses: html,
});
const casePage = createRoute({
  method: 'get',
  path: '/dashboard/cases/{id}',
  tags: ['Operations'],
  summary: "One case's page: lines, parcels, money, e-mails, timeline, policy, why it is stuck, and its actions",
  request: { params: z.object({ id: Id }) },
  responses: html,
});

export interface DashboardOptions {
  /** The Temporal Web UI (TEMPORAL_UI_URL) for the case's workflow link. */
  temporalUiUrl?: string;
  namespace?: string;
}

export function dashboardRoutes(opts: DashboardOptions = {}) {
  const overview = dashboardHtml({ statuses: CASE_STATUSES, methods: METHODS, channels: CHANNELS });
  const caseHtml = casePageHtml({
    url: (opts.temporalUiUrl ?? 'http://localhost:8233').replace(/\/+$/, ''),
    namespace: opts.namespace ?? 'default',
  });
  return (
    newRouter()
      .openapi(page, (c) => c.html(overview, 200, PAGE_HEADERS))
      // The case id is read by the script from the path: the page itself is the same for every case.
      .openapi(casePage, (c) => c.html(caseHtml, 200, PAGE_HEADERS))
      .get('/dashboard/app.js', (c) => c.body(overviewPageScript, 200, SCRIPT_HEADERS))
      .get('/dashboard/case.js', (c) => c.body(casePageScript, 200, SCRIPT_HEADERS))
      .get('/dashboard/vendor/chart.js', async (c) =>
        c.body(await chartJsSource(), 200, { ...SCRIPT_HEADERS, 'cache-control': 'public, max-age=86400' }),
      )
  );
}
