import { createRoute, z } from '@hono/zod-openapi';
import { abuseSignalsOf, activeFlagsOf, addFlag, clearFlag, flagsOf, flagView } from '../../db/abuse-signals.js';
import { customerById, customerHistory, setMarketingConsent } from '../../db/customers.js';
import { policyFor } from '../../db/policies.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { RefundViewSchema } from '../../domain/case-view.js';
import { CaseViewSchema, Id, IdParam, jsonBody, jsonResponse, problemResponse } from '../schemas.js';

const CustomerFlag = z
  .object({
    id: z.string(),
    kind: z.enum(['blocklist', 'serial_returner']),
    reason: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    clearedAt: z.string().nullable(),
    clearedBy: z.string().nullable(),
  })
  .openapi('CustomerFlag');

const AbuseSignals = z
  .object({
    returnsLast12Months: z
      .number()
      .int()
      .openapi({ description: 'return_to_stock and exchange cases opened, not cancelled or rejected' }),
    returnRateByValue: z.number().openapi({
      description: 'value of the returned lines / value ordered, orders placed in the 12 months (0–1, 4 decimals)',
    }),
    damagedOrMissingShare: z.number().openapi({
      description:
        'of the returns that ended: inspected damaged, or expired after the replacement went out first (0–1, 4 decimals)',
    }),
    serialReturner: z.boolean().openapi({
      description: "the policy's serialReturnerRate and serialReturnerMinCases are both reached",
    }),
  })
  .openapi('AbuseSignals');

const CustomerCard = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    locale: z.string(),
    country: z.string(),
    marketingConsent: z.boolean(),
    marketingConsentAt: z.string().nullable().openapi({ description: 'when the consent was last given or withdrawn' }),
    flags: z
      .array(CustomerFlag)
      .openapi({ description: "active flags: the customer's new goods-back cases wait for approval" }),
    abuseSignals: AbuseSignals,
    cases: z.array(CaseViewSchema.omit({ timeline: true })).openapi({ description: 'newest first' }),
    creditNotes: z.array(
      z.object({
        number: z.string(),
        caseId: z.string(),
        orderId: z.string(),
        amount: z.number().int(),
        currency: z.string(),
        vat: z.number().int(),
        issuedAt: z.string(),
      }),
    ),
    charges: z.array(
      z.object({
        caseId: z.string(),
        orderId: z.string(),
        amount: z.number().int(),
        currency: z.string(),
        reason: z.string(),
        purpose: z.string(),
        createdAt: z.string(),
      }),
    ),
    refunds: z.array(RefundViewSchema).openapi({ description: "the customer's refunds over all cases, oldest first" }),
    storeCredit: z
      .object({
        balance: z.number().int().openapi({ description: 'what the codes hold together, in `currency`' }),
        currency: z.string().nullable(),
        entries: z.array(
          z.object({
            code: z.string(),
            amount: z
              .number()
              .int()
              .openapi({ description: 'issued (positive, bonus included) or redeemed (negative)' }),
            bonus: z.number().int().openapi({ description: "the policy's bonus included in amount" }),
            currency: z.string(),
            caseId: z.string().nullable(),
            refundId: z.string().nullable(),
            createdAt: z.string(),
          }),
        ),
      })
      .openapi({ description: 'the store-credit ledger (refunds as store credit, refunds onto gift cards)' }),
  })
  .openapi('CustomerCard');

const get = createRoute({
  method: 'get',
  path: '/v1/customers/{id}',
  tags: ['Customers'],
  summary:
    'The customer card: consent, flags and abuse signals, cases, credit notes, charges, refunds and store credit',
  security: bearer,
  request: { params: IdParam },
  responses: { 200: jsonResponse(CustomerCard, 'the customer card'), 404: problemResponse('no such customer') },
});

const ConsentBody = z.object({ marketingConsent: z.boolean() }).openapi('CustomerUpdate');
const patch = createRoute({
  method: 'patch',
  path: '/v1/customers/{id}',
  tags: ['Customers'],
  summary: "Record the customer's marketing consent (given or withdrawn); answers the card",
  security: bearer,
  request: { params: IdParam, body: jsonBody(ConsentBody) },
  responses: { 200: jsonResponse(CustomerCard, 'the customer card'), 404: problemResponse('no such customer') },
});

const FlagBody = z.object({ reason: z.string().trim().min(1).max(1000) }).openapi('NewCustomerFlag');
const FlagParams = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' } }),
  flagId: Id.openapi({ param: { name: 'flagId', in: 'path' } }),
});
const addFlagRoute = createRoute({
  method: 'post',
  path: '/v1/customers/{id}/flags',
  tags: ['Customers'],
  summary:
    "Put the customer on the blocklist (manager): new return_to_stock and exchange cases wait for a manager's approval",
  security: bearer,
  request: { params: IdParam, body: jsonBody(FlagBody) },
  responses: { 201: jsonResponse(CustomerFlag, 'the flag'), 404: problemResponse('no such customer') },
});
const listFlags = createRoute({
  method: 'get',
  path: '/v1/customers/{id}/flags',
  tags: ['Customers'],
  summary: "The customer's flags, cleared ones included, oldest first",
  security: bearer,
  request: { params: IdParam },
  responses: {
    200: jsonResponse(z.object({ items: z.array(CustomerFlag) }), 'the flags'),
    404: problemResponse('no such customer'),
  },
});
const clearFlagRoute = createRoute({
  method: 'delete',
  path: '/v1/customers/{id}/flags/{flagId}',
  tags: ['Customers'],
  summary: 'Clear a flag (manager); cases opened from then on get their label at once',
  security: bearer,
  request: { params: FlagParams },
  responses: { 200: jsonResponse(CustomerFlag, 'the cleared flag'), 404: problemResponse('no such flag') },
});

type CustomerRow = NonNullable<Awaited<ReturnType<typeof customerById>>>;

export function customerRoutes({ db }: ApiDeps) {
  const existing = async (id: string) => {
    const customer = await customerById(db, id);
    if (!customer) throw new ProblemError(404, `no customer ${id}`);
    return customer;
  };
  const card = async (customer: CustomerRow) => {
    const { id } = customer;
    const [{ cases, notes, charged, refunded, storeCredit }, flags, abuseSignals] = await Promise.all([
      customerHistory(db, id),
      activeFlagsOf(db, id),
      policyFor(db, customer.country).then((policy) => abuseSignalsOf(db, id, policy)),
    ]);
    return {
      id: customer.id,
      email: customer.email,
      name: customer.name,
      locale: customer.locale,
      country: customer.country,
      marketingConsent: customer.marketingConsent,
      marketingConsentAt: customer.marketingConsentAt?.toISOString() ?? null,
      flags: flags.map(flagView),
      abuseSignals,
      cases,
      creditNotes: notes.map((n) => ({
        number: n.number,
        caseId: n.caseId,
        orderId: n.orderId,
        amount: n.amount,
        currency: n.currency,
        vat: n.vat,
        issuedAt: n.issuedAt.toISOString(),
      })),
      charges: charged.map((x) => ({
        caseId: x.caseId,
        orderId: x.orderId,
        amount: x.amount,
        currency: x.currency,
        reason: x.reason,
        purpose: x.purpose,
        createdAt: x.createdAt.toISOString(),
      })),
      refunds: refunded,
      storeCredit,
    };
  };
  return newRouter()
    .openapi(get, async (c) => c.json(await card(await existing(c.req.valid('param').id)), 200))
    .openapi(patch, async (c) => {
      const { id } = c.req.valid('param');
      const updated = await setMarketingConsent(db, id, c.req.valid('json').marketingConsent);
      if (!updated) throw new ProblemError(404, `no customer ${id}`);
      return c.json(await card(updated), 200);
    })
    .openapi(addFlagRoute, async (c) => {
      const { id } = c.req.valid('param');
      await existing(id);
      const flag = await addFlag(db, {
        customerId: id,
        kind: 'blocklist',
        reason: c.req.valid('json').reason,
        createdBy: c.get('principal').name,
      });
      return c.json(flagView(flag), 201);
    })
    .openapi(listFlags, async (c) => {
      const { id } = c.req.valid('param');
      await existing(id);
      return c.json({ items: (await flagsOf(db, id)).map(flagView) }, 200);
    })
    .openapi(clearFlagRoute, async (c) => {
      const { id, flagId } = c.req.valid('param');
      const flag = await clearFlag(db, id, flagId, c.get('principal').name);
      if (!flag) throw new ProblemError(404, `customer ${id} has no flag ${flagId}`);
      return c.json(flagView(flag), 200);
    });
}
