/** Sign-in to the portal: an order number and its e-mail give a portal token for that order. */
import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { customerById } from '../../../db/customers.js';
import { orders } from '../../../db/schema.js';
import { countAsFailedAuthentication } from '../../limits.js';
import { customerLanguage, issuePortalToken, sameEmail, signInLimiter } from '../../portal-session.js';
import { ProblemError } from '../../problem.js';
import { newRouter } from '../../router.js';
import { Id, jsonBody, jsonResponse, problemResponse } from '../../schemas.js';
import { Language, tags, type Portal } from './shared.js';

const tooMany = {
  ...problemResponse('too many sign-ins from this address or for this order number: retry later'),
  headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' as const } } },
};

const SessionBody = z
  .object({
    orderId: Id.openapi({ description: 'the order number', example: 'O-10042' }),
    // Not checked as an address: anything else than the order's e-mail is the same 404.
    email: z.string().min(1).max(320).openapi({ example: 'kari@example.no' }),
  })
  .openapi('PortalSignIn');
const Session = z
  .object({
    token: z.string().openapi({ description: 'send as `Authorization: Bearer <token>`; bound to this order' }),
    expiresAt: z.string(),
    orderId: z.string(),
    locale: Language.openapi({ description: "the customer's language (from the order's locale)" }),
  })
  .openapi('PortalSession');

const signInRoute = createRoute({
  method: 'post',
  path: '/v1/portal/sessions',
  tags,
  summary: 'Sign in to the portal with an order number and its e-mail (no API key)',
  description:
    'A wrong order number and a wrong e-mail get the same 404. Limited per client IP (with failed ' +
    'authentications) and per order number.',
  request: { body: jsonBody(SessionBody) },
  responses: {
    201: jsonResponse(Session, 'signed in: a token for this order, valid one hour'),
    404: problemResponse('no order with this number and e-mail'),
    429: tooMany,
  },
});

const NOT_SIGNED_IN = 'no order with this number and e-mail';

export function sessionRoutes({ db, secret }: Portal) {
  const limitSignIns = signInLimiter();
  return newRouter().openapi(signInRoute, async (c) => {
    const { orderId, email } = c.req.valid('json');
    limitSignIns(c, orderId);
    const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
    const customer = order ? await customerById(db, order.customerId) : undefined;
    if (!order || !customer || !sameEmail(customer.email, email)) {
      countAsFailedAuthentication(c);
      throw new ProblemError(404, NOT_SIGNED_IN, undefined, 'portal-sign-in');
    }
    const token = issuePortalToken(secret, order.id);
    return c.json({ ...token, orderId: order.id, locale: customerLanguage(customer.locale) }, 201);
  });
}
