/**
 * The customer portal's API (shared/API.md "The customer portal"): sign-in by order number and
 * e-mail, then, with the portal token, the order with what is still returnable, a return or an
 * exchange opened through the same path as every channel (cases/open-case.ts), and the case with
 * its label — for the token's order only. Answers are the customer-safe subset: no internal notes,
 * no policy snapshot, no provider references.
 */
import { createRoute, z } from '@hono/zod-openapi';
import bwipjs from 'bwip-js';
import { asc, eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { CaseNotOpened, openCase } from '../../cases/open-case.js';
import { loadCaseView, waitForCaseView, type CaseView } from '../../db/case-view.js';
import { claimedQuantities } from '../../db/claims.js';
import { customerById } from '../../db/customers.js';
import { policyFor } from '../../db/policies.js';
import { familiesOf, type ProductRow } from '../../db/products.js';
import { orderLines, orders, returnCases, storeCreditEntries } from '../../db/schema.js';
import { renderCaseLabel } from '../../documents/label-data.js';
import { CASE_STATUSES, CHANNELS, CONDITIONS, METHODS, WAITING_FOR } from '../../domain/case-status.js';
import {
  CUSTOMER_LANGUAGES,
  FEE_FREE_REASONS,
  refundTerms,
  returnReasonsOf,
  type CustomerLanguage,
  type Policy,
} from '../../domain/policy.js';
import { PAYMENT_PROVIDERS, REFUND_METHODS, REFUND_STATUSES } from '../../domain/refunds.js';
import {
  exchangeOptionsFor,
  exchangeViolations,
  NOT_RETURNABLE_REASONS,
  orderReturnability,
} from '../../domain/returnability.js';
import { countAsFailedAuthentication } from '../limits.js';
import {
  customerLanguage,
  issuePortalToken,
  portalOrderOf,
  sameEmail,
  signInLimiter,
  supportedLanguage,
} from '../portal-session.js';
import { ProblemError } from '../problem.js';
import { newRouter, type ApiDeps } from '../router.js';
import { Id, IdParam, jsonBody, jsonResponse, MinorUnits, problemResponse } from '../schemas.js';
import { PostalAddressSchema } from './orders.js';

const portalToken = [{ portalToken: [] }];
const tags = ['Customer portal'];
const unauthorized = problemResponse('missing, invalid or expired portal token (sign in again)');
const tooMany = {
  ...problemResponse('too many sign-ins from this address or for this order number: retry later'),
  headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' as const } } },
};

const Language = z.enum(CUSTOMER_LANGUAGES);

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

const ExchangeOption = z.object({
  sku: z.string(),
  name: z.string(),
  price: MinorUnits,
  currency: z.string(),
  inStock: z.boolean(),
});
const PortalOrder = z
  .object({
    orderId: z.string(),
    placedAt: z.string(),
    deliveredAt: z.string().nullable(),
    currency: z.string(),
    locale: Language,
    customer: z.object({ name: z.string(), email: z.string(), address: PostalAddressSchema.nullable() }),
    returnWindowEndsAt: z.string(),
    lines: z.array(
      z.object({
        orderLineId: z.string(),
        sku: z.string(),
        name: z.string(),
        quantity: z.number().int(),
        unitPrice: MinorUnits,
        returnedQuantity: z.number().int(),
        returnableQuantity: z.number().int(),
        notReturnableReason: z.enum(NOT_RETURNABLE_REASONS).nullable(),
        exchangeOptions: z
          .array(ExchangeOption)
          .openapi({ description: 'the other variants of the same product (products.variantOf), in stock or not' }),
      }),
    ),
    reasons: z.array(z.object({ code: z.string(), label: z.string() })),
    refundOptions: z.object({
      storeCreditBonusPercent: z.number(),
      returnShippingFee: MinorUnits,
      currency: z.string(),
      feeFreeReasons: z.array(z.string()),
    }),
    cases: z.array(z.object({ id: z.string(), status: z.enum(CASE_STATUSES), createdAt: z.string() })),
  })
  .openapi('PortalOrder');

const PortalReturnBody = z
  .object({
    orderId: Id.openapi({ description: "must be the portal token's order" }),
    method: z.enum(['return_to_stock', 'exchange']),
    lines: z
      .array(
        z.object({
          orderLineId: Id,
          quantity: z.number().int().positive().max(1_000_000),
          reason: z.string().min(1).max(50).openapi({ description: "a code of the order's `reasons`" }),
        }),
      )
      .min(1)
      .max(100),
    replacements: z
      .array(z.object({ sku: Id, quantity: z.number().int().positive().max(1_000_000) }))
      .max(100)
      .optional()
      .openapi({ description: 'exchange only: other variants of the returned products, in stock' }),
    refundMethod: z.enum(REFUND_METHODS).optional(),
    note: z.string().max(2000).optional(),
    returnAddress: PostalAddressSchema.nullish().openapi({
      description: "the return label's FROM address when it differs from the order's",
    }),
  })
  .openapi('PortalReturn');

export const NEXT_STEPS = [
  'drop_off_parcel',
  'wait_for_receipt',
  'wait_for_inspection',
  'wait_for_refund',
  'wait_for_approval',
  'done',
] as const;

const PortalCase = z
  .object({
    id: z.string(),
    orderId: z.string(),
    method: z.enum(METHODS),
    channel: z.enum(CHANNELS),
    status: z.enum(CASE_STATUSES),
    waitingFor: z.enum(WAITING_FOR).nullable(),
    deadline: z.string().nullable(),
    refundDueBy: z.string().nullable(),
    refundMethod: z.enum(REFUND_METHODS),
    lines: z.array(
      z.object({
        orderLineId: z.string(),
        sku: z.string(),
        name: z.string(),
        quantity: z.number().int(),
        reason: z.string(),
        condition: z.enum(CONDITIONS).nullable(),
      }),
    ),
    replacements: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
    label: z
      .object({
        carrier: z.string(),
        trackingNumber: z.string(),
        pdfUrl: z.string().openapi({ description: 'GET with the portal token: application/pdf' }),
        qrUrl: z.string().openapi({ description: 'GET with the portal token: image/svg+xml' }),
      })
      .nullable(),
    refunds: z.array(
      z.object({
        amount: MinorUnits,
        currency: z.string(),
        status: z.enum(REFUND_STATUSES),
        provider: z.enum(PAYMENT_PROVIDERS),
      }),
    ),
    creditNotes: z.array(z.object({ number: z.string(), amount: MinorUnits, currency: z.string() })),
    storeCredit: z
      .object({ code: z.string(), amount: MinorUnits, bonus: MinorUnits, currency: z.string() })
      .optional()
      .openapi({ description: 'the store credit issued for this case (amount includes the bonus)' }),
    fees: z.object({ returnShippingFee: MinorUnits, currency: z.string() }),
    timeline: z.array(z.object({ at: z.string(), type: z.string() })),
    nextStep: z.object({
      kind: z.enum(NEXT_STEPS),
      by: z.string().nullable().openapi({ description: 'the latest date for it, if there is one' }),
    }),
  })
  .openapi('PortalCase');

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
const LocaleQuery = z.object({
  locale: z
    .string()
    .max(35)
    .optional()
    .openapi({ description: "the reasons' language (nb, sv, da, fi, en); default the customer's" }),
});
const orderRoute = createRoute({
  method: 'get',
  path: '/v1/portal/order',
  tags,
  summary: "The token's order: per line what can still be returned, and why not",
  security: portalToken,
  request: { query: LocaleQuery },
  responses: { 200: jsonResponse(PortalOrder, 'the order'), 401: unauthorized, 404: problemResponse('no such order') },
});
const startRoute = createRoute({
  method: 'post',
  path: '/v1/portal/returns',
  tags,
  summary: 'Start a return or an exchange of the token’s order (channel portal)',
  security: portalToken,
  request: { body: jsonBody(PortalReturnBody) },
  responses: {
    201: jsonResponse(PortalCase, 'the case'),
    401: unauthorized,
    404: problemResponse("the token's order is no longer known"),
    422: problemResponse('invalid body or a policy violation: `errors` names the field'),
    503: problemResponse('Temporal unavailable; nothing was started'),
  },
});
const caseRoute = createRoute({
  method: 'get',
  path: '/v1/portal/returns/{id}',
  tags,
  summary: 'A case of the token’s order, as the customer sees it',
  security: portalToken,
  request: { params: IdParam },
  responses: {
    200: jsonResponse(PortalCase, 'the case'),
    401: unauthorized,
    404: problemResponse('no such case for this order'),
  },
});
const labelRoute = createRoute({
  method: 'get',
  path: '/v1/portal/returns/{id}/label',
  tags,
  summary: 'The return label of a case of the token’s order (PDF)',
  security: portalToken,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'the label',
      content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    401: unauthorized,
    404: problemResponse('no such case for this order, or it has no label'),
  },
});
const qrRoute = createRoute({
  method: 'get',
  path: '/v1/portal/returns/{id}/label/qr.svg',
  tags,
  summary: 'A QR code of the tracking number, for paperless drop-off (SVG)',
  security: portalToken,
  request: { params: IdParam },
  responses: {
    200: { description: 'the QR code', content: { 'image/svg+xml': { schema: z.string() } } },
    401: unauthorized,
    404: problemResponse('no such case for this order, or it has no label'),
  },
});

const NOT_SIGNED_IN = 'no order with this number and e-mail';

/** Refuses with the field at fault, the way openCase does (api/app.ts answers it). */
const refuse = (violations: { field: string; detail: string }[]) => {
  throw new CaseNotOpened('policy-violation', violations.map((v) => v.detail).join('; '), violations);
};

export function portalRoutes(deps: ApiDeps) {
  const { db } = deps;
  // Without a configured secret, one of this process: its own tokens verify, e-mail links do not.
  const secret = deps.linkSecret ?? randomBytes(32).toString('hex');
  const limitSignIns = signInLimiter();
  const settleWaitMs = deps.settleWaitMs ?? 3000;

  async function orderContext(orderId: string) {
    const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
    if (!order) throw new ProblemError(404, `no order ${orderId}`);
    const customer = await customerById(db, order.customerId);
    const policy = await policyFor(db, customer?.country ?? 'default');
    const lines = await db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(asc(orderLines.id));
    return { order, customer, policy, lines };
  }

  async function catalogueOf(skus: readonly string[]): Promise<Map<string, ProductRow>> {
    return new Map((await familiesOf(db, skus)).map((p) => [p.sku, p]));
  }

  /** The case if it belongs to the order; the same 404 for another order's case and for none. */
  async function caseOfOrder(orderId: string, id: string): Promise<CaseView> {
    const view = await loadCaseView(db, id);
    if (!view || view.orderId !== orderId) throw new ProblemError(404, `no case ${id} for this order`);
    return view;
  }

  async function portalCase(view: CaseView) {
    const [names, credit] = await Promise.all([
      db.select().from(orderLines).where(eq(orderLines.orderId, view.orderId)),
      db.select().from(storeCreditEntries).where(eq(storeCreditEntries.caseId, view.id)),
    ]);
    const nameOf = new Map(names.map((l) => [l.id, l.name]));
    const policy = view.policy as Policy;
    const base = `/v1/portal/returns/${encodeURIComponent(view.id)}/label`;
    const issued = credit.filter((e) => e.amount > 0);
    return {
      id: view.id,
      orderId: view.orderId,
      method: view.method,
      channel: view.channel,
      status: view.status,
      waitingFor: view.waitingFor,
      deadline: view.deadline,
      refundDueBy: view.refundDueBy,
      refundMethod: view.refundMethod,
      lines: view.lines.map((l) => ({
        orderLineId: l.orderLineId,
        sku: l.sku,
        name: nameOf.get(l.orderLineId) ?? l.sku,
        quantity: l.quantity,
        reason: l.reason,
        condition: l.condition,
      })),
      replacements: (view.replacements as { sku: string; quantity: number }[]).map((r) => ({
        sku: r.sku,
        quantity: r.quantity,
      })),
      label: view.label
        ? {
            carrier: view.label.carrier,
            trackingNumber: view.label.trackingNumber,
            pdfUrl: base,
            qrUrl: `${base}/qr.svg`,
          }
        : null,
      refunds: view.refunds.map((r) => ({
        amount: r.amount,
        currency: r.currency,
        status: r.status,
        provider: r.provider,
      })),
      creditNotes: view.creditNotes,
      ...(issued.length
        ? {
            storeCredit: {
              code: issued[0]!.code,
              amount: issued.reduce((s, e) => s + e.amount, 0),
              bonus: issued.reduce((s, e) => s + e.bonus, 0),
              currency: issued[0]!.currency,
            },
          }
        : {}),
      fees: { returnShippingFee: feeOf(view, policy), currency: view.currency },
      timeline: (view.timeline ?? []).map((e) => ({ at: e.at, type: e.type })),
      nextStep: nextStepOf(view),
    };
  }

  const router = newRouter();
  router.openAPIRegistry.registerComponent('securitySchemes', 'portalToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'a portal token from POST /v1/portal/sessions (or an e-mail link), bound to one order',
  });
  return router
    .openapi(signInRoute, async (c) => {
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
    })
    .openapi(orderRoute, async (c) => {
      const orderId = portalOrderOf(c, secret);
      const { order, customer, policy, lines } = await orderContext(orderId);
      const [claimed, catalogue, cases] = await Promise.all([
        claimedQuantities(db, orderId),
        catalogueOf(lines.map((l) => l.sku)),
        db
          .select({ id: returnCases.id, status: returnCases.status, createdAt: returnCases.createdAt })
          .from(returnCases)
          .where(eq(returnCases.orderId, orderId))
          .orderBy(asc(returnCases.createdAt), asc(returnCases.id)),
      ]);
      const { windowEndsAt, lines: returnable } = orderReturnability({
        order: { placedAt: order.placedAt.toISOString(), deliveredAt: order.deliveredAt?.toISOString(), lines },
        products: catalogue,
        claimed,
        policy,
        now: new Date(),
      });
      const own = customerLanguage(customer?.locale);
      const lang: CustomerLanguage = supportedLanguage(c.req.valid('query').locale) ?? own;
      const terms = refundTerms(policy);
      return c.json(
        {
          orderId: order.id,
          placedAt: order.placedAt.toISOString(),
          deliveredAt: order.deliveredAt?.toISOString() ?? null,
          currency: order.currency,
          locale: own,
          customer: {
            name: customer?.name ?? '',
            email: customer?.email ?? '',
            address: customer?.address ?? null,
          },
          returnWindowEndsAt: windowEndsAt.toISOString(),
          lines: lines.map((l, i) => ({
            orderLineId: l.id,
            sku: l.sku,
            name: l.name,
            quantity: l.quantity,
            unitPrice: l.unitPrice,
            returnedQuantity: returnable[i]!.returnedQuantity,
            returnableQuantity: returnable[i]!.returnableQuantity,
            notReturnableReason: returnable[i]!.notReturnableReason,
            exchangeOptions: exchangeOptionsFor(l.sku, catalogue).map((p) => ({
              sku: p.sku,
              name: p.name,
              price: p.price,
              currency: p.currency,
              inStock: p.stock > 0,
            })),
          })),
          reasons: returnReasonsOf(policy).map((r) => ({ code: r.code, label: r.labels[lang] })),
          refundOptions: {
            storeCreditBonusPercent: terms.storeCreditBonusPercent,
            returnShippingFee: terms.returnShippingFee,
            currency: order.currency,
            feeFreeReasons: [...FEE_FREE_REASONS],
          },
          cases: cases.map((k) => ({ id: k.id, status: k.status, createdAt: k.createdAt.toISOString() })),
        },
        200,
      );
    })
    .openapi(startRoute, async (c) => {
      const orderId = portalOrderOf(c, secret);
      const body = c.req.valid('json');
      if (body.orderId !== orderId) refuse([{ field: 'orderId', detail: 'must be the order you signed in with' }]);
      const { policy, lines } = await orderContext(orderId);
      const codes = new Set(returnReasonsOf(policy).map((r) => r.code));
      const violations = body.lines.flatMap((l, i) =>
        codes.has(l.reason)
          ? []
          : [{ field: `lines[${i}].reason`, detail: `not one of the shop's reasons: ${[...codes].join(', ')}` }],
      );
      if (body.method === 'exchange' && body.replacements?.length) {
        const skuOf = new Map(lines.map((l) => [l.id, l.sku]));
        const returnedSkus = body.lines.flatMap((l) => (skuOf.has(l.orderLineId) ? [skuOf.get(l.orderLineId)!] : []));
        const catalogue = await catalogueOf([...returnedSkus, ...body.replacements.map((r) => r.sku)]);
        violations.push(...exchangeViolations({ returnedSkus, replacements: body.replacements, catalogue }));
      }
      if (violations.length) refuse(violations);
      const { caseId } = await openCase(deps, {
        orderId,
        method: body.method,
        channel: 'portal',
        lines: body.lines,
        ...(body.replacements ? { replacements: body.replacements } : {}),
        ...(body.refundMethod ? { refundMethod: body.refundMethod } : {}),
        ...(body.note ? { note: body.note } : {}),
        ...(body.returnAddress ? { returnAddress: body.returnAddress } : {}),
      });
      // A moment for the workflow's first step, so the answer carries the label.
      const view = await waitForCaseView(db, caseId, (v) => v.status !== 'requested', settleWaitMs);
      if (!view) throw new ProblemError(404, `no case ${caseId}`);
      return c.json(await portalCase(view), 201);
    })
    .openapi(caseRoute, async (c) => {
      const orderId = portalOrderOf(c, secret);
      const view = await caseOfOrder(orderId, c.req.valid('param').id);
      return c.json(await portalCase(view), 200);
    })
    .openapi(labelRoute, async (c) => {
      const orderId = portalOrderOf(c, secret);
      const view = await caseOfOrder(orderId, c.req.valid('param').id);
      const label = await renderCaseLabel(db, view, { warehouse: deps.warehouse });
      if (!label) throw new ProblemError(404, `case ${view.id} has no return label`);
      return c.body(new Uint8Array(label.pdf), 200, {
        'content-type': 'application/pdf',
        'content-disposition': `inline; filename="return-label-${label.trackingNumber}.pdf"`,
        'cache-control': 'private, no-store',
      });
    })
    .openapi(qrRoute, async (c) => {
      const orderId = portalOrderOf(c, secret);
      const view = await caseOfOrder(orderId, c.req.valid('param').id);
      if (!view.label) throw new ProblemError(404, `case ${view.id} has no return label`);
      // The 4-module quiet zone the QR spec asks for (a module is 2 pt here): phones read it off a screen.
      const svg = bwipjs.toSVG({
        bcid: 'qrcode',
        text: view.label.trackingNumber,
        scale: 4,
        paddingwidth: 8,
        paddingheight: 8,
      });
      return c.body(svg, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'private, no-store' });
    });
}

/** The return shipping fee kept: none when goods came back defective or were reported defective (before inspection). */
function feeOf(view: CaseView, policy: Policy): number {
  if (view.method !== 'return_to_stock' && view.method !== 'exchange') return 0;
  const inspected = view.lines.some((l) => l.condition !== null);
  const waived = inspected
    ? view.lines.some((l) => l.condition === 'defective')
    : view.lines.some((l) => FEE_FREE_REASONS.includes(l.reason));
  return waived ? 0 : refundTerms(policy).returnShippingFee;
}

/** What the customer does or waits for next, and by when. */
function nextStepOf(view: CaseView): { kind: (typeof NEXT_STEPS)[number]; by: string | null } {
  switch (view.status) {
    case 'completed':
    case 'cancelled':
    case 'expired':
    case 'rejected':
      return { kind: 'done', by: null };
    case 'awaiting_approval':
      return { kind: 'wait_for_approval', by: null };
    case 'requested':
    case 'awaiting_parcel':
      return { kind: 'drop_off_parcel', by: view.deadline };
    case 'in_transit':
      return { kind: 'wait_for_receipt', by: null };
    case 'received':
      return view.waitingFor === 'refund'
        ? { kind: 'wait_for_refund', by: view.refundDueBy }
        : { kind: 'wait_for_inspection', by: view.deadline };
    case 'inspected':
      return { kind: 'wait_for_refund', by: view.refundDueBy };
  }
}
