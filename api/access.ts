/**
 * Who may call what, in one place: every operation (`METHOD /path`, the path as the OpenAPI
 * template of /openapi.json) → the roles that may call it, or `public` (no key), or `any role`
 * (any valid key). `admin` may do everything that is not public. The access middleware
 * (api/auth.ts) looks every request up here; an operation missing from the table is denied, so a
 * new route without roles fails (test/api/access.test.ts walks /openapi.json against this table).
 */
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Role } from '../domain/roles.js';

export type Access = 'public' | 'any role' | readonly Exclude<Role, 'admin'>[];

const ADMIN_ONLY: Access = [];
const FINANCE: Access = ['finance', 'manager'];
const CASE_READERS: Access = ['customer_service', 'portal', 'warehouse', 'manager'];
const CASE_OPENERS: Access = ['customer_service', 'portal', 'manager'];

export const ACCESS: Readonly<Record<string, Access>> = {
  // Operations: probes, metrics (expose to the scraper only), the docs and the dashboard page.
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /openapi.json': 'public',
  'GET /docs': 'public',
  'GET /docs/init.js': 'public',
  'GET /docs/assets/{file}': 'public',
  'GET /dashboard': 'public',
  'GET /dashboard/app.js': 'public',
  'GET /dashboard/cases/{id}': 'public',
  'GET /dashboard/case.js': 'public',
  'GET /dashboard/vendor/chart.js': 'public',
  // The customers' portal page and its assets (its data: the portal API below, with the customer's token).
  'GET /portal': 'public',
  'GET /portal/app.js': 'public',
  'GET /portal/app.css': 'public',
  'GET /portal/texts/{lang}': 'public',
  // Signed by the carrier or the payment provider, not by API key.
  'POST /v1/webhooks/carriers/generic': 'public',
  'POST /v1/webhooks/carriers/easypost': 'public',
  'POST /v1/webhooks/carriers/aftership': 'public',
  'POST /v1/webhooks/carriers/{carrier}': 'public',
  'POST /v1/webhooks/payments/stripe': 'public',
  'POST /v1/webhooks/payments/adyen': 'public',
  'POST /v1/webhooks/payments/vipps_mobilepay': 'public',
  'POST /v1/webhooks/payments/{provider}': 'public',

  // The customer portal: no API key; the routes verify the customer's signed portal token themselves.
  'POST /v1/portal/sessions': 'public',
  'GET /v1/portal/order': 'public',
  'POST /v1/portal/returns': 'public',
  'GET /v1/portal/returns/{id}': 'public',
  'GET /v1/portal/returns/{id}/label': 'public',
  'GET /v1/portal/returns/{id}/label/qr.svg': 'public',

  'POST /v1/api-keys': ADMIN_ONLY,
  'GET /v1/api-keys': ADMIN_ONLY,
  'DELETE /v1/api-keys/{id}': ADMIN_ONLY,
  'GET /v1/audit': ADMIN_ONLY,

  'POST /v1/orders': CASE_OPENERS,
  'GET /v1/orders/{id}': 'any role',
  'POST /v1/orders/{id}/return-label': CASE_OPENERS,
  'GET /v1/orders/{id}/return-label/{trackingNumber}': CASE_READERS,
  'PUT /v1/products/{sku}': ['manager'],
  'GET /v1/products/{sku}': 'any role',
  'PUT /v1/policies/{market}': ['manager'],
  'GET /v1/policies/{market}': 'any role',
  'GET /v1/customers/{id}': ['customer_service', 'portal', 'manager', 'finance'],
  // Consent as the customer gives it: to customer service, through the shop's portal, or a manager.
  'PATCH /v1/customers/{id}': ['customer_service', 'portal', 'manager'],
  // The blocklist is the managers'; customer service sees why a customer's case waits.
  'POST /v1/customers/{id}/flags': ['manager'],
  'GET /v1/customers/{id}/flags': ['customer_service', 'manager'],
  'DELETE /v1/customers/{id}/flags/{flagId}': ['manager'],

  'POST /v1/returns': CASE_OPENERS,
  'GET /v1/returns': CASE_READERS,
  'GET /v1/returns/{id}': CASE_READERS,
  // Managers record an inspection on the warehouse's behalf (the dashboard's case page).
  'POST /v1/returns/{id}/inspection': ['warehouse', 'manager'],
  'POST /v1/returns/{id}/deadline': ['manager'],
  'POST /v1/returns/{id}/cancel': ['customer_service', 'manager'],
  'POST /v1/returns/{id}/approval': ['manager'],
  'POST /v1/returns/{id}/parcels': CASE_OPENERS,
  'POST /v1/returns/{id}/label/resend': CASE_OPENERS,
  'GET /v1/returns/{id}/label': CASE_READERS,
  'GET /v1/returns/{id}/customs': ['customer_service', 'warehouse', 'manager', 'portal'],
  'POST /v1/scans': ['warehouse'],

  'GET /v1/credit-notes/{number}': ['customer_service', 'manager', 'portal', 'finance'],
  'GET /v1/refunds': FINANCE,
  'GET /v1/refunds/{id}': FINANCE,
  'POST /v1/refunds/{id}/retry': FINANCE,
  'POST /v1/refunds/{id}/settle-manually': FINANCE,

  'GET /v1/reports/in-transit': ['warehouse', 'manager'],
  'GET /v1/reports/returns': ['warehouse', 'manager'],
  'GET /v1/reports/reconciliation': ['manager', 'finance'],
  'GET /v1/analytics/returns': ['manager'],
  'GET /v1/analytics/daily': ['manager'],
  // Customer e-mail previews (sample data only): the people who word and brand the e-mails.
  'GET /v1/email-templates/{kind}/preview': ['marketing'],
  'POST /v1/campaigns': ['marketing'],
  'GET /v1/campaigns': ['marketing', 'manager'],
  'GET /v1/campaigns/{id}': ['marketing', 'manager'],
  'POST /v1/campaigns/{id}/pause': ['marketing'],
  'POST /v1/campaigns/{id}/resume': ['marketing'],
  'POST /v1/campaigns/{id}/cancel': ['marketing'],
  // The signed link in campaign e-mails (RFC 8058 one-click included): the token is the authority.
  'GET /v1/unsubscribe': 'public',
  'POST /v1/unsubscribe': 'public',

  'POST /v1/webhook-endpoints': ['manager'],
  'GET /v1/webhook-endpoints': ['manager'],
  'DELETE /v1/webhook-endpoints/{id}': ['manager'],
};

/** May `role` call an operation of this access? (`public` and `any role`: everyone with a valid key.) */
export function allows(access: Access, role: Role): boolean {
  return access === 'public' || access === 'any role' || role === 'admin' || access.includes(role);
}

export interface Operation {
  /** `METHOD /path/{param}`: the key of ACCESS. */
  key: string;
  method: string;
  /** The OpenAPI path template. */
  template: string;
  /** The path parameters, decoded. */
  params: Record<string, string>;
}

/** `/v1/returns/:id{[a-z]+}` (Hono) → `/v1/returns/{id}` (OpenAPI). */
export const openApiTemplate = (honoPath: string) => honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?\??/g, '{$1}');

/**
 * The operation the router dispatches this request to: the first matched route registered for a
 * method (middleware registered with `use`/`all` does not count); undefined when none matched (a 404).
 */
export function operationOf(c: Context): Operation | undefined {
  const route = matchedRoutes(c).find((r) => r.method !== 'ALL');
  if (!route) return undefined;
  const template = openApiTemplate(route.path);
  return { key: `${route.method} ${template}`, method: route.method, template, params: paramsOf(template, c.req.path) };
}

function paramsOf(template: string, path: string): Record<string, string> {
  const names = template.split('/');
  const values = path.split('/');
  const params: Record<string, string> = {};
  names.forEach((segment, i) => {
    const name = /^\{(.+)\}$/.exec(segment)?.[1];
    const value = values[i];
    if (!name || value === undefined) return;
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      params[name] = value;
    }
  });
  return params;
}
