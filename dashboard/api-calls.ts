/**
 * Every JSON API operation the dashboard's scripts call (a test checks each exists in the OpenAPI
 * document): the pages hold no data of their own and go through the API with the manager's key.
 */
export const DASHBOARD_API_CALLS = [
  { method: 'get', path: '/v1/returns' },
  { method: 'get', path: '/v1/returns/{id}' },
  { method: 'get', path: '/v1/reports/in-transit' },
  { method: 'post', path: '/v1/returns/{id}/approval' },
  { method: 'post', path: '/v1/returns/{id}/cancel' },
  { method: 'post', path: '/v1/returns/{id}/deadline' },
  { method: 'post', path: '/v1/returns/{id}/inspection' },
  { method: 'post', path: '/v1/returns/{id}/label/resend' },
  { method: 'post', path: '/v1/refunds/{id}/retry' },
  { method: 'get', path: '/v1/analytics/returns' },
  { method: 'get', path: '/v1/analytics/daily' },
  { method: 'get', path: '/v1/campaigns' },
  { method: 'get', path: '/v1/campaigns/{id}' },
] as const;
