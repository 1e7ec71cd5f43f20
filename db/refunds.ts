/** Refund rows as the API shows them (case view, `/v1/refunds`), and the finance queries over them. */
import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { RefundView } from '../domain/case-view.js';
import type { PaymentProviderName, RefundStatus } from '../domain/refunds.js';
import type { Db } from './client.js';
import { isoTimestamp, jsonRows } from './json-sql.js';
import { paymentEvents, refunds } from './schema.js';

type RefundRow = typeof refunds.$inferSelect;

export function toRefundView(r: RefundRow): RefundView {
  return {
    id: r.id,
    caseId: r.caseId,
    purpose: r.purpose,
    provider: r.provider,
    providerReference: r.providerReference,
    amount: r.amount,
    currency: r.currency,
    status: r.status,
    failureReason: r.failureReason,
    createdAt: r.createdAt.toISOString(),
    settledAt: r.settledAt ? r.settledAt.toISOString() : null,
  };
}

/** What finance sees of a refund: the case view's fields and who, which payment and which attempt. */
export function toFinanceRefundView(r: RefundRow) {
  return {
    ...toRefundView(r),
    orderId: r.orderId,
    customerId: r.customerId,
    paymentReference: r.paymentReference,
    attempt: r.attempt,
    settledBy: r.settledBy,
    note: r.note,
    updatedAt: r.updatedAt.toISOString(),
  };
}
export type FinanceRefundView = ReturnType<typeof toFinanceRefundView>;

export async function refundViews(db: Db, caseIds: string[]): Promise<RefundView[]> {
  const rows = await db
    .select()
    .from(refunds)
    .where(inArray(refunds.caseId, caseIds))
    .orderBy(asc(refunds.createdAt), asc(refunds.id));
  return rows.map(toRefundView);
}

/**
 * The same views as `refundViews` for one case, as a json array in SQL (oldest first): a subquery of
 * the case view's single select. `caseId` is the outer query's case id column.
 */
export function refundViewsJson(caseId: SQLWrapper): SQL {
  return jsonRows(
    refunds,
    sql`${refunds.caseId} = ${caseId}`,
    {
      id: refunds.id,
      caseId: refunds.caseId,
      purpose: refunds.purpose,
      provider: refunds.provider,
      providerReference: refunds.providerReference,
      amount: refunds.amount,
      currency: refunds.currency,
      status: refunds.status,
      failureReason: refunds.failureReason,
      createdAt: isoTimestamp(refunds.createdAt),
      settledAt: isoTimestamp(refunds.settledAt),
    },
    [refunds.createdAt, refunds.id],
  );
}

export async function refundById(db: Db, id: string): Promise<RefundRow | undefined> {
  const [row] = await db.select().from(refunds).where(eq(refunds.id, id));
  return row;
}

/** The customer's refunds over all cases, oldest first. */
export async function refundsOfCustomer(db: Db, customerId: string): Promise<RefundView[]> {
  const rows = await db
    .select()
    .from(refunds)
    .where(eq(refunds.customerId, customerId))
    .orderBy(asc(refunds.createdAt), asc(refunds.id));
  return rows.map(toRefundView);
}

export interface RefundFilter {
  status?: RefundStatus;
  provider?: PaymentProviderName;
  /** createdAt in [from, to). */
  from?: Date;
  to?: Date;
  limit: number;
  /** The last refund of the previous page. */
  after?: { createdAt: Date; id: string };
}

/** A page of refunds, newest first; `last` is set when there may be more. */
export async function listRefunds(
  db: Db,
  f: RefundFilter,
): Promise<{ items: FinanceRefundView[]; last?: { createdAt: Date; id: string } }> {
  const where: SQL[] = [];
  if (f.status) where.push(eq(refunds.status, f.status));
  if (f.provider) where.push(eq(refunds.provider, f.provider));
  if (f.from) where.push(gte(refunds.createdAt, f.from));
  if (f.to) where.push(lt(refunds.createdAt, f.to));
  if (f.after)
    where.push(
      or(
        lt(refunds.createdAt, f.after.createdAt),
        and(eq(refunds.createdAt, f.after.createdAt), lt(refunds.id, f.after.id)),
      )!,
    );
  const rows = await db
    .select()
    .from(refunds)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(refunds.createdAt), desc(refunds.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const lastRow = rows.length > f.limit ? page[page.length - 1] : undefined;
  return {
    items: page.map(toFinanceRefundView),
    last: lastRow ? { createdAt: lastRow.createdAt, id: lastRow.id } : undefined,
  };
}

/** What a provider's notification says about one refund, in our terms (payments/provider.ts RefundNotification). */
export interface NotifiedRefund {
  eventId: string;
  providerReference: string | null;
  idempotencyKey?: string;
  refundId?: string;
  status: RefundStatus;
  reason: string | null;
  payload: Record<string, unknown>;
}

export type NotificationResult =
  | { kind: 'duplicate' }
  /** No refund of ours matches: recorded, nothing to do. */
  | { kind: 'unknown' }
  /** Matched, but nothing changes (already settled, not final, or about an earlier attempt). */
  | { kind: 'recorded'; refund: RefundRow }
  | { kind: 'settled'; refund: RefundRow };

/**
 * A provider's notification, once per (provider, event id), inside the transaction `tx` (the caller
 * tells the case's workflow before it commits, so a failure to tell rolls the event back and the
 * provider's redelivery does it again). The refund is found by our idempotency key (the exact
 * attempt), by the provider's refund id, or by our refund id; only a pending refund is settled, and
 * only by a final status.
 */
export async function applyRefundNotification(
  tx: Db,
  provider: PaymentProviderName,
  n: NotifiedRefund,
): Promise<NotificationResult> {
  const refund = await findNotified(tx, provider, n);
  const inserted = await tx
    .insert(paymentEvents)
    .values({ provider, eventId: n.eventId, refundId: refund?.id ?? null, payload: n.payload })
    .onConflictDoNothing()
    .returning({ eventId: paymentEvents.eventId });
  if (inserted.length === 0) return { kind: 'duplicate' };
  if (!refund) return { kind: 'unknown' };
  // A notification naming an earlier attempt's key (finance retried since) is history, not news.
  const staleAttempt = n.idempotencyKey !== undefined && n.idempotencyKey !== refund.idempotencyKey;
  if (refund.status !== 'pending' || n.status === 'pending' || staleAttempt) return { kind: 'recorded', refund };
  const now = new Date();
  const [updated] = await tx
    .update(refunds)
    .set({
      status: n.status,
      providerReference: n.providerReference ?? refund.providerReference,
      failureReason: n.status === 'succeeded' ? null : (n.reason ?? 'refused by the provider'),
      settledAt: now,
      updatedAt: now,
    })
    .where(and(eq(refunds.id, refund.id), eq(refunds.status, 'pending'), eq(refunds.attempt, refund.attempt)))
    .returning();
  return updated ? { kind: 'settled', refund: updated } : { kind: 'recorded', refund };
}

async function findNotified(db: Db, provider: PaymentProviderName, n: NotifiedRefund): Promise<RefundRow | undefined> {
  const ours = eq(refunds.provider, provider);
  if (n.idempotencyKey) {
    const [byKey] = await db
      .select()
      .from(refunds)
      .where(and(ours, eq(refunds.idempotencyKey, n.idempotencyKey)));
    if (byKey) return byKey;
  }
  if (n.providerReference) {
    const [byRef] = await db
      .select()
      .from(refunds)
      .where(and(ours, eq(refunds.providerReference, n.providerReference)))
      .orderBy(desc(refunds.createdAt))
      .limit(1);
    if (byRef) return byRef;
  }
  if (n.refundId) {
    const [byId] = await db
      .select()
      .from(refunds)
      .where(and(ours, eq(refunds.id, n.refundId)));
    if (byId) return byId;
  }
  return undefined;
}
