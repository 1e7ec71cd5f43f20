/** The case view of shared/API.md, read from the projection alone (no running worker needed). */
import { and, asc, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { CaseStatus, Channel, ReturnMethod } from '../domain/case-status.js';
import type { CaseView } from '../domain/case-view.js';
import type { Db } from './client.js';
import { refundViews } from './refunds.js';
import {
  authorizationHolds,
  caseEvents,
  caseLines,
  caseParcels,
  charges,
  creditNotes,
  customers,
  outboundEmails,
  parcelScans,
  returnCases,
  shipments,
} from './schema.js';

export type { CaseView };

type CaseRow = typeof returnCases.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const holdView = (h: typeof authorizationHolds.$inferSelect | undefined): CaseView['authorizationHold'] =>
  h ? { amount: h.amount, currency: h.currency, status: h.status } : null;

export async function loadCaseViews(db: Db, rows: CaseRow[], withTimeline: boolean): Promise<CaseView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [lines, notes, events, shipped, charged, extraParcels, scans, refunded, holds, mails] = await Promise.all([
    db.select().from(caseLines).where(inArray(caseLines.caseId, ids)).orderBy(asc(caseLines.orderLineId)),
    db.select().from(creditNotes).where(inArray(creditNotes.caseId, ids)).orderBy(asc(creditNotes.seq)),
    withTimeline
      ? db
          .select()
          .from(caseEvents)
          .where(inArray(caseEvents.caseId, ids))
          .orderBy(asc(caseEvents.at), asc(caseEvents.id))
      : Promise.resolve([]),
    db
      .select()
      .from(shipments)
      .where(inArray(shipments.caseId, ids))
      .orderBy(asc(shipments.createdAt), asc(shipments.sku)),
    db.select().from(charges).where(inArray(charges.caseId, ids)).orderBy(asc(charges.id)),
    db.select().from(caseParcels).where(inArray(caseParcels.caseId, ids)).orderBy(asc(caseParcels.parcelNo)),
    db.select().from(parcelScans).where(inArray(parcelScans.caseId, ids)).orderBy(asc(parcelScans.id)),
    refundViews(db, ids),
    db.select().from(authorizationHolds).where(inArray(authorizationHolds.caseId, ids)),
    withTimeline
      ? db
          .select({
            caseId: outboundEmails.caseId,
            kind: outboundEmails.kind,
            recipient: outboundEmails.recipient,
            subject: outboundEmails.subject,
            status: outboundEmails.status,
            sentAt: outboundEmails.sentAt,
            createdAt: outboundEmails.createdAt,
          })
          .from(outboundEmails)
          .where(inArray(outboundEmails.caseId, ids))
          .orderBy(asc(outboundEmails.createdAt), asc(outboundEmails.id))
      : Promise.resolve([]),
  ]);
  const firstScan = new Map<string, Date>();
  for (const sc of scans) if (!firstScan.has(sc.trackingNumber)) firstScan.set(sc.trackingNumber, sc.scannedAt);
  return rows.map((r) => ({
    id: r.id,
    orderId: r.orderId,
    customerId: r.customerId,
    method: r.method,
    channel: r.channel,
    status: r.status,
    waitingFor: r.waitingFor,
    waitingSince: iso(r.waitingSince),
    deadline: iso(r.deadline),
    stuck: r.stuck,
    stuckReason: r.stuckReason,
    currency: r.currency,
    lines: lines
      .filter((l) => l.caseId === r.id)
      .map((l) => ({
        orderLineId: l.orderLineId,
        sku: l.sku,
        quantity: l.quantity,
        reason: l.reason,
        condition: l.condition,
        disposition: l.disposition,
      })),
    replacements: r.replacements ?? [],
    label: r.trackingNumber
      ? { carrier: r.labelCarrier ?? 'local', trackingNumber: r.trackingNumber, url: r.labelUrl }
      : null,
    parcels: [
      ...(r.trackingNumber
        ? [{ parcelNo: 1, carrier: r.labelCarrier ?? 'local', trackingNumber: r.trackingNumber, url: r.labelUrl }]
        : []),
      ...extraParcels
        .filter((p) => p.caseId === r.id)
        .map((p) => ({ parcelNo: p.parcelNo, carrier: p.carrier, trackingNumber: p.trackingNumber, url: p.labelUrl })),
    ].map((p) => ({ ...p, receivedAt: iso(firstScan.get(p.trackingNumber) ?? null) })),
    creditNotes: notes
      .filter((n) => n.caseId === r.id)
      .map((n) => ({ number: n.number, amount: n.amount, currency: n.currency })),
    shipments: shipped
      .filter((x) => x.caseId === r.id)
      .map((x) => ({ id: x.id, sku: x.sku, quantity: x.quantity, trackingNumber: x.trackingNumber, status: x.status })),
    charges: charged
      .filter((x) => x.caseId === r.id)
      .map((x) => ({
        amount: x.amount,
        currency: x.currency,
        reason: x.reason,
        purpose: x.purpose,
        status: x.status,
        paymentUrl: x.paymentUrl,
        providerReference: x.providerReference,
      })),
    authorizationHold: holdView(holds.find((h) => h.caseId === r.id)),
    priceDifference: r.priceDifference === null ? null : { amount: r.priceDifference, currency: r.currency },
    refundMethod: r.refundMethod,
    refunds: refunded.filter((f) => f.caseId === r.id),
    refundDueBy: iso(r.refundDueBy),
    policy: r.policy,
    note: r.note,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    closedAt: iso(r.closedAt),
    approvalReason: r.approvalReason,
    ...(withTimeline
      ? {
          emails: mails
            .filter((m) => m.caseId === r.id)
            .map((m) => ({
              kind: m.kind,
              recipient: m.recipient,
              subject: m.subject,
              status: m.status,
              sentAt: iso(m.sentAt ?? m.createdAt),
            })),
          timeline: events
            .filter((e) => e.caseId === r.id)
            .map((e) => ({ at: e.at.toISOString(), type: e.type, detail: e.detail })),
        }
      : {}),
  }));
}

export async function loadCaseView(db: Db, id: string): Promise<CaseView | undefined> {
  const rows = await db.select().from(returnCases).where(eq(returnCases.id, id));
  const [view] = await loadCaseViews(db, rows, true);
  return view;
}

/** The case's row alone, without its lines, parcels, notes or timeline. */
export async function caseRow(db: Db, id: string): Promise<CaseRow | undefined> {
  const [row] = await db.select().from(returnCases).where(eq(returnCases.id, id));
  return row;
}

/** The case a parcel belongs to: by its first label, or by one of its further parcels. */
export async function caseByTrackingNumber(db: Db, trackingNumber: string): Promise<CaseRow | undefined> {
  const [direct] = await db.select().from(returnCases).where(eq(returnCases.trackingNumber, trackingNumber));
  if (direct) return direct;
  const [parcel] = await db
    .select({ caseId: caseParcels.caseId })
    .from(caseParcels)
    .where(eq(caseParcels.trackingNumber, trackingNumber));
  if (!parcel) return undefined;
  return caseRow(db, parcel.caseId);
}

/**
 * Re-reads the case view until `done` holds or `waitMs` passed: the workflow writes the projection
 * asynchronously, and an answer that already shows the next step saves the client a poll.
 */
export async function waitForCaseView(
  db: Db,
  id: string,
  done: (v: CaseView) => boolean,
  waitMs: number,
): Promise<CaseView | undefined> {
  const until = Date.now() + waitMs;
  let view = await loadCaseView(db, id);
  while (view && !done(view) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    view = await loadCaseView(db, id);
  }
  return view;
}

export interface CaseFilter {
  status?: CaseStatus;
  method?: ReturnMethod;
  customerId?: string;
  orderId?: string;
  channel?: Channel;
  /** The market of the case's policy snapshot (`NO`, `default`, …). */
  market?: string;
  /** A case id, order id, customer e-mail or tracking number (any parcel's), matched exactly. */
  q?: string;
  stuck?: boolean;
  limit: number;
  /** Opaque: the (createdAt, id) of the last item of the previous page. */
  after?: { createdAt: Date; id: string };
}

/**
 * Exact matches on indexed keys (case id, order id, tracking numbers of the label and of further
 * parcels); the e-mail is compared case-insensitively against the customers table.
 */
function searchCondition(q: string): SQL {
  return or(
    eq(returnCases.id, q),
    eq(returnCases.orderId, q),
    eq(returnCases.trackingNumber, q),
    sql`${returnCases.id} in (select ${caseParcels.caseId} from ${caseParcels} where ${caseParcels.trackingNumber} = ${q})`,
    q.includes('@')
      ? sql`${returnCases.customerId} in (select ${customers.id} from ${customers} where lower(${customers.email}) = lower(${q}))`
      : sql`false`,
  )!;
}

/** Newest first, keyset-paginated so pages stay stable while cases are added. */
export async function listCases(
  db: Db,
  f: CaseFilter,
): Promise<{ items: CaseView[]; last?: { createdAt: Date; id: string } }> {
  const where: SQL[] = [];
  if (f.status) where.push(eq(returnCases.status, f.status));
  if (f.method) where.push(eq(returnCases.method, f.method));
  if (f.customerId) where.push(eq(returnCases.customerId, f.customerId));
  if (f.orderId) where.push(eq(returnCases.orderId, f.orderId));
  if (f.stuck !== undefined) where.push(eq(returnCases.stuck, f.stuck));
  if (f.channel) where.push(eq(returnCases.channel, f.channel));
  if (f.market) where.push(sql`${returnCases.policy} ->> 'market' = ${f.market}`);
  if (f.q) where.push(searchCondition(f.q.trim()));
  if (f.after) {
    where.push(
      or(
        lt(returnCases.createdAt, f.after.createdAt),
        and(eq(returnCases.createdAt, f.after.createdAt), lt(returnCases.id, f.after.id)),
      )!,
    );
  }
  const rows = await db
    .select()
    .from(returnCases)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(returnCases.createdAt), desc(returnCases.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const items = await loadCaseViews(db, page, false);
  const lastRow = rows.length > f.limit ? page[page.length - 1] : undefined;
  return { items, last: lastRow ? { createdAt: lastRow.createdAt, id: lastRow.id } : undefined };
}
