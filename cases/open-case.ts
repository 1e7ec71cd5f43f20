/**
 * Opening a case, whatever the channel: the policy check under row locks, the case and its lines
 * in one transaction, then the case's workflow. Used by `POST /v1/returns` and by a dock scan of a
 * pre-issued label (`POST /v1/scans`), so every channel applies the same rules. Knows nothing of
 * HTTP: it refuses with `CaseNotOpened`, which the API answers as problem+json (api/app.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { stringify } from 'safe-stable-stringify';
import type { Channel, ReturnMethod } from '../domain/case-status.js';
import { replacementValue } from '../domain/exchange.js';
import { durationMs } from '../domain/duration.js';
import {
  checkReturnRequest,
  isReturnableProduct,
  refundTerms,
  type Policy,
  type PolicyViolation,
  type RequestedLine,
} from '../domain/policy.js';
import type { RefundMethod } from '../domain/refunds.js';
import { paidValue } from '../domain/settlement.js';
import { claimedQuantities, creditedAmounts } from '../db/claims.js';
import { policyFor } from '../db/policies.js';
import { approvalReasonOf } from '../db/abuse-signals.js';
import {
  caseLines,
  customers,
  idempotencyKeys,
  orderLines,
  orders,
  preIssuedLabels,
  products,
  returnCases,
  type PostalAddress,
} from '../db/schema.js';
import type { ParcelScan, ReturnCaseInput } from '../workflows/messages.js';
import { ensureCaseWorkflow, startWorkflow, type OpenCaseDeps } from './case-workflow.js';

export type { OpenCaseDeps } from './case-workflow.js';

type OrderLineRow = typeof orderLines.$inferSelect;
type ProductRow = typeof products.$inferSelect;

export interface RequestedCaseLine extends RequestedLine {
  reason: string;
}

/** What is known inside the locked transaction, for lines chosen by what is still returnable. */
export interface LineContext {
  orderLines: OrderLineRow[];
  /** Quantity per order line that other open or completed cases already claim. */
  claimed: ReadonlyMap<string, number>;
  products: ReadonlyMap<string, ProductRow>;
  policy: Policy;
}

export interface OpenCaseInput {
  orderId: string;
  method: ReturnMethod;
  channel: Channel;
  /** The lines, or a choice made under the order's row locks (e.g. everything still returnable). */
  lines: RequestedCaseLine[] | ((ctx: LineContext) => RequestedCaseLine[]);
  replacements?: { sku: string; quantity: number }[];
  shipReplacement?: 'immediately' | 'after_receipt';
  creditAmount?: number;
  note?: string;
  /** Money back to the original payment (default) or as store credit with the policy's bonus. */
  refundMethod?: RefundMethod;
  /** The label's FROM address (the customer corrected it in the portal); default the customer's address. */
  returnAddress?: PostalAddress;
}

export interface OpenCaseOptions {
  /** `Idempotency-Key` of the request: a retry with the same key and body answers the same case. */
  idempotencyKey?: string;
  /** What the key is bound to (default: a hash of `input`). */
  requestHash?: string;
  /**
   * A pre-issued label (pre_issued_labels) the case takes as its own label. It is claimed in the
   * creating transaction; when another case already has it, `LabelAlreadyClaimed` is thrown.
   */
  trackingNumber?: string;
  /** The dock scan that opened the case: its parcel is already in (no label e-mail, straight to received). */
  openedByScan?: ParcelScan;
}

export interface OpenedCase {
  caseId: string;
  /** True when an earlier request with the same Idempotency-Key created the case. */
  replayed: boolean;
}

/** Why a case was not opened: each reason has its own answer in the API. */
export type NotOpenedReason = 'invalid' | 'policy-violation' | 'idempotency-conflict' | 'no-such-label' | 'not-started';

export class CaseNotOpened extends Error {
  constructor(
    readonly reason: NotOpenedReason,
    message: string,
    /** The request fields at fault, when there are any. */
    readonly fields?: PolicyViolation[],
  ) {
    super(message);
  }
}

/** The pre-issued label already belongs to a case (a second scan, or a concurrent one). */
export class LabelAlreadyClaimed extends Error {
  constructor(
    readonly trackingNumber: string,
    readonly caseId: string,
  ) {
    super(`label ${trackingNumber} already belongs to case ${caseId}`);
  }
}

/** Methods whose returned goods come back (label, parcel, inspection). */
export const GOODS_COME_BACK: ReadonlySet<ReturnMethod> = new Set(['return_to_stock', 'exchange']);

/** Crockford base32, no look-alike letters: readable on the phone. */
export function newCaseId(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return `RET-${[...randomBytes(10)].map((b) => alphabet[b % 32]).join('')}`;
}

export const requestHashOf = (body: unknown): string =>
  createHash('sha256')
    .update(stringify(body) ?? '')
    .digest('hex');

/**
 * Checks the request against the policy, records the case and starts its workflow. Throws
 * CaseNotOpened: `invalid` or `policy-violation` for the request, `idempotency-conflict` for the
 * Idempotency-Key, `not-started` when the workflow could not be started (the case is taken back
 * then; should that fail too, a retry with the same key or the reconciler starts it later).
 * A retry with the same key and body answers the same case, and makes sure its workflow runs.
 */
export async function openCase(
  deps: OpenCaseDeps,
  body: OpenCaseInput,
  opts: OpenCaseOptions = {},
): Promise<OpenedCase> {
  const { db } = deps;
  const idemKey = opts.idempotencyKey;
  const requestHash = opts.requestHash ?? requestHashOf(body);
  const exchange = body.method === 'exchange' || body.method === 'exchange_without_return';
  if (exchange && !body.replacements?.length) {
    throw new CaseNotOpened('invalid', 'an exchange needs replacements', [
      { field: 'replacements', detail: 'required for exchange methods' },
    ]);
  }
  if (!exchange && body.replacements?.length) {
    throw new CaseNotOpened('invalid', 'replacements are only for exchanges', [
      { field: 'replacements', detail: `not allowed for ${body.method}` },
    ]);
  }
  if (body.creditAmount !== undefined && body.method !== 'credit_only') {
    throw new CaseNotOpened('invalid', 'creditAmount is only for credit_only', [
      { field: 'creditAmount', detail: `not allowed for ${body.method}` },
    ]);
  }
  if (idemKey) {
    const [seen] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, 'returns'), eq(idempotencyKeys.key, idemKey)));
    if (seen) {
      if (seen.requestHash !== requestHash)
        throw new CaseNotOpened('idempotency-conflict', 'this Idempotency-Key was used with a different body');
      await ensureStartedOnReplay(deps, seen.resourceId);
      return { caseId: seen.resourceId, replayed: true };
    }
  }

  const [order] = await db.select().from(orders).where(eq(orders.id, body.orderId));
  if (!order)
    throw new CaseNotOpened('invalid', `no order ${body.orderId}`, [{ field: 'orderId', detail: 'unknown order' }]);
  const [customer] = await db.select().from(customers).where(eq(customers.id, order.customerId));
  const policy = await policyFor(db, customer?.country ?? 'default');
  // A flagged customer's goods-back case waits for a manager before its label (not one whose parcel is already in).
  const approvalReason =
    GOODS_COME_BACK.has(body.method) && !opts.openedByScan
      ? await approvalReasonOf(db, order.customerId, policy)
      : null;
  const caseId = newCaseId();

  const input = await db.transaction(async (tx) => {
    // A pre-issued label goes to one case only: claimed first, so a concurrent scan waits here.
    let label: { carrier: string; trackingNumber: string; url: string } | undefined;
    if (opts.trackingNumber) {
      const claimed = await tx
        .update(preIssuedLabels)
        .set({ caseId })
        .where(and(eq(preIssuedLabels.trackingNumber, opts.trackingNumber), isNull(preIssuedLabels.caseId)))
        .returning();
      const row = claimed[0];
      if (!row) {
        const [other] = await tx
          .select()
          .from(preIssuedLabels)
          .where(eq(preIssuedLabels.trackingNumber, opts.trackingNumber));
        if (other?.caseId) throw new LabelAlreadyClaimed(opts.trackingNumber, other.caseId);
        throw new CaseNotOpened('no-such-label', `no pre-issued label ${opts.trackingNumber}`);
      }
      if (row.orderId !== order.id)
        throw new CaseNotOpened('invalid', `label ${row.trackingNumber} belongs to order ${row.orderId}`);
      label = { carrier: row.carrier, trackingNumber: row.trackingNumber, url: row.labelUrl };
    }

    // Lock the order's lines so concurrent requests cannot both claim the last unit.
    const lines = await tx.select().from(orderLines).where(eq(orderLines.orderId, order.id)).for('update');
    const claimed = await claimedQuantities(tx as never, order.id);
    const skus = [...new Set(lines.map((l) => l.sku))];
    const productRows = skus.length ? await tx.select().from(products).where(inArray(products.sku, skus)) : [];
    const productMap = new Map(productRows.map((p) => [p.sku, p]));
    const requested =
      typeof body.lines === 'function'
        ? body.lines({ orderLines: lines, claimed, products: productMap, policy })
        : body.lines;
    const violations = checkReturnRequest({
      order: { placedAt: order.placedAt.toISOString(), deliveredAt: order.deliveredAt?.toISOString(), lines },
      products: productMap,
      // Credit only moves money, not goods: it is limited by what is left to credit, below.
      claimed: body.method === 'credit_only' ? new Map() : claimed,
      lines: requested,
      policy,
      now: new Date(),
      requiresGoods: GOODS_COME_BACK.has(body.method),
    });
    if (requested.length === 0)
      violations.push({ field: 'lines', detail: `nothing is left to return on order ${order.id}` });
    const byId = new Map(lines.map((l) => [l.id, l]));
    const paidLines = requested.flatMap((l) => {
      const ol = byId.get(l.orderLineId);
      return ol
        ? [
            {
              orderLineId: l.orderLineId,
              sku: ol.sku,
              quantity: l.quantity,
              unitPrice: ol.unitPrice,
              vatRate: ol.vatRate,
            },
          ]
        : [];
    });
    let creditAmount: number | undefined;
    if (body.method === 'credit_only' && violations.length === 0) {
      const credited = await creditedAmounts(tx as never, order.id);
      const creditable = paidLines.reduce((sum, l) => {
        const ol = byId.get(l.orderLineId)!;
        return (
          sum + Math.min(l.unitPrice * l.quantity, ol.unitPrice * ol.quantity - (credited.get(l.orderLineId) ?? 0))
        );
      }, 0);
      creditAmount = body.creditAmount ?? creditable;
      if (creditAmount > creditable || creditable <= 0) {
        violations.push({
          field: 'creditAmount',
          detail: `at most ${Math.max(0, creditable)} can be credited for these lines (paid minus already credited)`,
        });
      }
    }
    let replacements: { sku: string; quantity: number; unitPrice: number }[] = [];
    if (exchange) {
      const wanted = body.replacements!;
      const rows = await tx
        .select()
        .from(products)
        .where(inArray(products.sku, [...new Set(wanted.map((r) => r.sku))]));
      replacements = wanted.flatMap((r, i) => {
        const p = rows.find((x) => x.sku === r.sku);
        if (!p) violations.push({ field: `replacements[${i}].sku`, detail: `no product ${r.sku}` });
        else if (p.currency !== order.currency)
          violations.push({
            field: `replacements[${i}].sku`,
            detail: `priced in ${p.currency}, the order in ${order.currency}`,
          });
        return p ? [{ sku: r.sku, quantity: r.quantity, unitPrice: p.price }] : [];
      });
    }
    if (violations.length) {
      throw new CaseNotOpened('policy-violation', violations.map((v) => v.detail).join('; '), violations);
    }
    const refundMethod = body.refundMethod ?? 'original_payment';
    // The legal clock starts with the request (the customer's withdrawal).
    const refundDueBy = new Date(Date.now() + durationMs(refundTerms(policy).refundDeadline));
    await tx.insert(returnCases).values({
      id: caseId,
      refundMethod,
      refundDueBy,
      orderId: order.id,
      customerId: order.customerId,
      method: body.method,
      channel: body.channel,
      status: 'requested',
      currency: order.currency,
      policy,
      replacements,
      shipReplacement: body.method === 'exchange' ? (body.shipReplacement ?? 'after_receipt') : null,
      creditAmount: creditAmount ?? null,
      priceDifference: exchange ? replacementValue(replacements) - paidValue(paidLines) : null,
      note: body.note ?? null,
      returnAddress: body.returnAddress ?? customer?.address ?? null,
      approvalReason,
      // With a label already set, the workflow's issueReturnLabel keeps it and answers it.
      ...(label ? { labelCarrier: label.carrier, trackingNumber: label.trackingNumber, labelUrl: label.url } : {}),
    });
    await tx.insert(caseLines).values(
      requested.map((l) => ({
        caseId,
        orderId: order.id,
        orderLineId: l.orderLineId,
        sku: byId.get(l.orderLineId)!.sku,
        quantity: l.quantity,
        reason: l.reason,
      })),
    );
    if (idemKey) {
      const ok = await tx
        .insert(idempotencyKeys)
        .values({ scope: 'returns', key: idemKey, requestHash, resourceId: caseId })
        .onConflictDoNothing()
        .returning();
      if (ok.length === 0)
        throw new CaseNotOpened('idempotency-conflict', 'a request with this Idempotency-Key is in progress; retry');
    }
    const caseInput: ReturnCaseInput = {
      caseId,
      orderId: order.id,
      customerId: order.customerId,
      method: body.method,
      channel: body.channel,
      currency: order.currency,
      policy,
      lines: requested.map((l) => {
        const ol = byId.get(l.orderLineId)!;
        return {
          orderLineId: l.orderLineId,
          sku: ol.sku,
          name: ol.name,
          quantity: l.quantity,
          reason: l.reason,
          unitPrice: ol.unitPrice,
          vatRate: ol.vatRate,
        };
      }),
      ...(exchange ? { replacements } : {}),
      ...(body.method === 'exchange' ? { shipReplacement: body.shipReplacement ?? 'after_receipt' } : {}),
      ...(creditAmount !== undefined ? { creditAmount } : {}),
      ...(opts.openedByScan ? { openedByScan: opts.openedByScan } : {}),
      refundMethod,
      refundDueBy: refundDueBy.toISOString(),
      ...(approvalReason ? { approvalReason } : {}),
    };
    return caseInput;
  });

  try {
    await startWorkflow(deps, input);
  } catch (err) {
    // Never started: take the case back so it claims nothing (nor its label), and say so.
    await db.transaction(async (tx) => {
      await tx.delete(idempotencyKeys).where(eq(idempotencyKeys.resourceId, caseId));
      await tx.update(preIssuedLabels).set({ caseId: null }).where(eq(preIssuedLabels.caseId, caseId));
      await tx.delete(caseLines).where(eq(caseLines.caseId, caseId));
      await tx.delete(returnCases).where(eq(returnCases.id, caseId));
    });
    throw new CaseNotOpened('not-started', `could not start the case workflow: ${(err as Error).message}`);
  }
  return { caseId, replayed: false };
}

/**
 * A retry with the same Idempotency-Key: the first request may have committed the case and then
 * died (or failed to start the workflow and to take the case back). A case past `requested` has a
 * workflow (only it moves the status); one still there gets its workflow started if it has none.
 */
async function ensureStartedOnReplay(deps: OpenCaseDeps, caseId: string): Promise<void> {
  const [row] = await deps.db
    .select({ status: returnCases.status })
    .from(returnCases)
    .where(eq(returnCases.id, caseId));
  if (row?.status !== 'requested') return;
  try {
    await ensureCaseWorkflow(deps, caseId);
  } catch (err) {
    throw new CaseNotOpened('not-started', `could not start the case workflow: ${(err as Error).message}`);
  }
}

/** Everything of the order that can still come back: bought minus claimed, returnable products only. */
export function everythingReturnable(reason: string) {
  return ({ orderLines: lines, claimed, products: byS, policy }: LineContext): RequestedCaseLine[] =>
    lines.flatMap((l) => {
      if (!isReturnableProduct(byS.get(l.sku), policy)) return [];
      const left = l.quantity - (claimed.get(l.id) ?? 0);
      return left > 0 ? [{ orderLineId: l.id, quantity: left, reason }] : [];
    });
}
