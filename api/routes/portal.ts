/**
 * The customer portal's API (shared/API.md "The customer portal"): sign-in by order number and
 * e-mail, then, with the portal token, the order with what is still returnable, a return or an
 * exchange opened through the same path as every channel (cases/open-case.ts), and the case with
 * its label — for the token's order only. Answers are the customer-safe subset: no internal notes,
 * no policy snapshot, no provider references. The routes are in api/routes/portal/.
 */
import { newRouter, type ApiDeps } from '../router.js';
import { labelRoutes } from './portal/label.js';
import { orderRoutes } from './portal/order.js';
import { returnsRoutes } from './portal/returns.js';
import { sessionRoutes } from './portal/session.js';
import { portal } from './portal/shared.js';

export { NEXT_STEPS } from './portal/case-view.js';

export function portalRoutes(deps: ApiDeps) {
  const shared = portal(deps);
  const router = newRouter();
  router.openAPIRegistry.registerComponent('securitySchemes', 'portalToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'a portal token from POST /v1/portal/sessions (or an e-mail link), bound to one order',
  });
  return router
    .route('/', sessionRoutes(shared))
    .route('/', orderRoutes(shared))
    .route('/', returnsRoutes(shared))
    .route('/', labelRoutes(shared));
}
