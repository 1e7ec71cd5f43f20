/** The HTTP API: composes the routers, authentication, problem+json errors and the OpenAPI document. */
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { CaseNotOpened, type NotOpenedReason } from '../cases/open-case.js';
import { accessControl, type AuthEnv } from './auth.js';
import { auditTrail } from './audit.js';
import { docsRoutes } from './docs.js';
import { limitBody, methodNotAllowed, rateLimits } from './limits.js';
import { createMetrics } from './metrics.js';
import { problem, ProblemError } from './problem.js';
import type { ApiDeps } from './router.js';
import { withStandardResponses } from './schemas.js';
import { analyticsRoutes } from './routes/analytics.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { auditRoutes } from './routes/audit.js';
import { campaignRoutes } from './routes/campaigns.js';
import { caseDeadlineRoutes } from './routes/case-deadline.js';
import { unsubscribeRoutes } from './routes/unsubscribe.js';
import { carrierWebhookRoutes } from './routes/carrier-webhooks.js';
import { creditNoteRoutes } from './routes/credit-notes.js';
import { reportRoutes } from './routes/reports.js';
import { customerRoutes } from './routes/customers.js';
import { customsRoutes } from './routes/customs.js';
import { emailTemplateRoutes } from './routes/email-templates.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { healthRoutes } from './routes/health.js';
import { labelRoutes } from './routes/labels.js';
import { metricsRoutes } from './routes/metrics.js';
import { orderRoutes } from './routes/orders.js';
import { paymentWebhookRoutes } from './routes/payment-webhooks.js';
import { policyRoutes } from './routes/policies.js';
import { portalRoutes } from './routes/portal.js';
import { portalPageRoutes } from './routes/portal-page.js';
import { preIssuedLabelRoutes } from './routes/pre-issued-labels.js';
import { productRoutes } from './routes/products.js';
import { refundRoutes } from './routes/refunds.js';
import { returnRoutes } from './routes/returns.js';
import { scanRoutes } from './routes/scans.js';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.js';

export type { ApiDeps } from './router.js';

/** How the API answers each reason a case was not opened (POST /v1/returns, a scan of a pre-issued label). */
const NOT_OPENED: Record<NotOpenedReason, { status: ContentfulStatusCode; slug?: string }> = {
  invalid: { status: 422 },
  'policy-violation': { status: 422, slug: 'policy-violation' },
  'idempotency-conflict': { status: 409, slug: 'idempotency-conflict' },
  'no-such-label': { status: 404 },
  'not-started': { status: 503 },
};

export function createApp(deps: ApiDeps & { logger?: Logger; temporalUiUrl?: string }) {
  const app = new OpenAPIHono<AuthEnv>();

  app.onError((err, c) => {
    if (err instanceof ProblemError) return problem(c, err.status, err.detail, err.errors, err.slug);
    if (err instanceof CaseNotOpened) {
      const { status, slug } = NOT_OPENED[err.reason];
      return problem(
        c,
        status,
        err.message,
        err.fields?.map((f) => ({ ...f, in: 'body' as const })),
        slug,
      );
    }
    if (err instanceof HTTPException) {
      // Hono's own 4xx (malformed JSON, wrong content type) keep their status but speak problem+json.
      if (err.status === 415) {
        const detail = 'send the body as application/json';
        return problem(c, 415, `${err.message || 'unsupported media type'}: ${detail}`, [
          { field: 'content-type', detail, in: 'header' },
        ]);
      }
      return problem(c, err.status as 400, err.message || 'bad request', [
        { field: '(body)', detail: err.message, in: 'body' },
      ]);
    }
    deps.logger?.error({ err, path: c.req.path }, 'unhandled error');
    return problem(c, 500, 'an unexpected error occurred; it has been logged');
  });
  app.notFound((c) => problem(c, 404, `no route for ${c.req.method} ${c.req.path}`));

  const metrics = createMetrics(deps.db);
  const limits = rateLimits(deps.limits);
  app.use('*', metrics.middleware);
  // shared/API.md "Limits (all routes)": 405 for an undeclared method, rate limits, 1 MiB bodies.
  app.use(
    '*',
    methodNotAllowed(() => app.routes),
    limits.byIp,
    limits.failedAuth,
    limitBody(),
  );
  // Who may do what: the table of api/access.ts, for every request (the audit log wraps it).
  const access = accessControl(deps.db, deps.adminApiKey);
  app.use('*', auditTrail(deps.db, deps.logger), access.gate);
  app.route('/', healthRoutes(deps));
  app.route('/', metricsRoutes(metrics.registry));
  app.route('/', docsRoutes());
  app.route('/', dashboardRoutes({ temporalUiUrl: deps.temporalUiUrl, namespace: deps.temporal.options.namespace }));
  app.route('/', portalPageRoutes(deps));
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'returns-orchestrator',
      version: '1.0.0',
      description:
        'Returns and exchanges, each run as one durable Temporal workflow. Errors are application/problem+json (RFC 9457).',
    },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'an API key',
  });

  // Signed by the carrier, not by API key: mounted before authentication, which it never reaches.
  app.route('/', carrierWebhookRoutes(deps));
  app.route('/', paymentWebhookRoutes(deps));
  app.use('/v1/*', access.authorize);
  app.use('/v1/*', limits.byKey);
  app.route('/', apiKeyRoutes(deps));
  app.route('/', auditRoutes(deps));
  app.route('/', orderRoutes(deps));
  app.route('/', productRoutes(deps));
  app.route('/', policyRoutes(deps));
  app.route('/', portalRoutes(deps));
  app.route('/', returnRoutes(deps));
  app.route('/', caseDeadlineRoutes(deps));
  app.route('/', labelRoutes(deps));
  app.route('/', preIssuedLabelRoutes(deps));
  app.route('/', customsRoutes(deps));
  app.route('/', scanRoutes(deps));
  app.route('/', creditNoteRoutes(deps));
  app.route('/', refundRoutes(deps));
  app.route('/', reportRoutes(deps));
  app.route('/', analyticsRoutes(deps));
  app.route('/', campaignRoutes(deps));
  app.route('/', unsubscribeRoutes(deps));
  app.route('/', emailTemplateRoutes(deps));
  app.route('/', customerRoutes(deps));
  app.route('/', webhookEndpointRoutes(deps));
  // Every operation declares what every route can answer (auth, validation, limits).
  withStandardResponses(app.openAPIRegistry.definitions);
  return app;
}
