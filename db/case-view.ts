/**
 * The case view of shared/API.md, read from the projection alone (no running worker needed): the
 * case row and its child rows in one select (json subqueries), one round trip per view or page.
 */
import { eq, inArray, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { CaseView, RefundView } from '../domain/case-view.js';
import type { Db } from './client.js';
import { isoTimestamp, jsonObject, jsonRows, parseJson } from './json-sql.js';
import { preparedFor } from './prepared.js';
import { refundViewsJson } from './refunds.js';
import {
  authorizationHolds,
  caseEvents,
  caseLines,
  caseParcels,
  charges,
  creditNotes,
  outboundEmails,
  parcelScans,
  returnCases,
  shipments,
} from './schema.js';

export type { CaseView };

type CaseRow = typeof returnCases.$inferSelect;

/** What the json subqueries return, already in the view's shapes (timestamps as ISO strings). */
interface CaseChildren {
  lines: CaseView['lines'];
  creditNotes: CaseView['creditNotes'];
  shipments: CaseView['shipments'];
  charges: CaseView['charges'];
  /** Parcels beyond the label's, without `receivedAt` (from `scans`). */
  parcels: { parcelNo: number; carrier: string; trackingNumber: string; url: string | null }[];
  authorizationHold: CaseView['authorizationHold'];
  refunds: RefundView[];
  emails?: NonNullable<CaseView['emails']>;
  timeline?: NonNullable<CaseView['timeline']>;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The children of the case whose id is `caseId` (a column of the outer select), as one json object. */
function caseChildren(caseId: SQLWrapper, withTimeline: boolean): SQL<CaseChildren> {
  const ofCase = (column: SQLWrapper) => sql`${column} = ${caseId}`;
  const fields: Record<string, SQLWrapper> = {
    lines: jsonRows(
      caseLines,
      ofCase(caseLines.caseId),
      {
        orderLineId: caseLines.orderLineId,
        sku: caseLines.sku,
        quantity: caseLines.quantity,
        reason: caseLines.reason,
        condition: caseLines.condition,
        disposition: caseLines.disposition,
      },
      [caseLines.orderLineId],
    ),
    creditNotes: jsonRows(
      creditNotes,
      ofCase(creditNotes.caseId),
      { number: creditNotes.number, amount: creditNotes.amount, currency: creditNotes.currency },
      [creditNotes.seq],
    ),
    shipments: jsonRows(
      shipments,
      ofCase(shipments.caseId),
      {
        id: shipments.id,
        sku: shipments.sku,
        quantity: shipments.quantity,
        trackingNumber: shipments.trackingNumber,
        status: shipments.status,
      },
      [shipments.createdAt, shipments.sku],
    ),
    charges: jsonRows(
      charges,
      ofCase(charges.caseId),
      {
        amount: charges.amount,
        currency: charges.currency,
        reason: charges.reason,
        purpose: charges.purpose,
        status: charges.status,
        paymentUrl: charges.paymentUrl,
        providerReference: charges.providerReference,
      },
      [charges.id],
    ),
    parcels: jsonRows(
      caseParcels,
      ofCase(caseParcels.caseId),
      {
        parcelNo: caseParcels.parcelNo,
        carrier: caseParcels.carrier,
        trackingNumber: caseParcels.trackingNumber,
        url: caseParcels.labelUrl,
      },
      [caseParcels.parcelNo],
    ),
    // At most one per case (unique); null when there is none.
    authorizationHold: sql`(select ${jsonObject({
      amount: authorizationHolds.amount,
      currency: authorizationHolds.currency,
      status: authorizationHolds.status,
    })} from ${authorizationHolds} where ${ofCase(authorizationHolds.caseId)} limit 1)`,
    refunds: refundViewsJson(caseId),
  };
  if (withTimeline) {
    fields.emails = jsonRows(
      outboundEmails,
      ofCase(outboundEmails.caseId),
      {
        kind: outboundEmails.kind,
        recipient: outboundEmails.recipient,
        subject: outboundEmails.subject,
        status: outboundEmails.status,
        sentAt: isoTimestamp(sql`coalesce(${outboundEmails.sentAt}, ${outboundEmails.createdAt})`),
      },
      [outboundEmails.createdAt, outboundEmails.id],
    );
    fields.timeline = jsonRows(
      caseEvents,
      ofCase(caseEvents.caseId),
      { at: isoTimestamp(caseEvents.at), type: caseEvents.type, detail: caseEvents.detail },
      [caseEvents.at, caseEvents.id],
    );
  }
  return jsonObject(fields).mapWith(parseJson<CaseChildren>);
}

/** Every scan of a case's parcels, in scan order. */
type Scan = { trackingNumber: string; at: string };

/** The scans of the cases `ofCases` selects (a condition on parcel_scans), one row per case, for a join. */
function scansOfCases(db: Db, ofCases: SQL) {
  return db
    .select({
      caseId: parcelScans.caseId,
      scans: sql<Scan[]>`json_agg(${jsonObject({
        trackingNumber: parcelScans.trackingNumber,
        at: isoTimestamp(parcelScans.scannedAt),
      })} order by ${parcelScans.id})`
        .mapWith(parseJson<Scan[]>)
        .as('scans'),
    })
    .from(parcelScans)
    .where(ofCases)
    .groupBy(parcelScans.caseId)
    .as('case_scans');
}

/**
 * Case rows with their children and scans, one statement: `scansOf` selects (at least) the scans
 * of the cases the caller's where, order and limit keep.
 */
export function selectViews(db: Db, withTimeline: boolean, scansOf: SQL) {
  const scans = scansOfCases(db, scansOf);
  return db
    .select({ row: returnCases, children: caseChildren(returnCases.id, withTimeline), scans: scans.scans })
    .from(returnCases)
    .leftJoin(scans, eq(scans.caseId, returnCases.id));
}

export function toCaseView(r: CaseRow, k: CaseChildren, scans: Scan[] | null, withTimeline: boolean): CaseView {
  const firstScan = new Map<string, string>();
  for (const sc of scans ?? []) if (!firstScan.has(sc.trackingNumber)) firstScan.set(sc.trackingNumber, sc.at);
  return {
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
    lines: k.lines,
    replacements: r.replacements ?? [],
    label: r.trackingNumber
      ? { carrier: r.labelCarrier ?? 'local', trackingNumber: r.trackingNumber, url: r.labelUrl }
      : null,
    parcels: [
      ...(r.trackingNumber
        ? [{ parcelNo: 1, carrier: r.labelCarrier ?? 'local', trackingNumber: r.trackingNumber, url: r.labelUrl }]
        : []),
      ...k.parcels,
    ].map((p) => ({ ...p, receivedAt: firstScan.get(p.trackingNumber) ?? null })),
    creditNotes: k.creditNotes,
    shipments: k.shipments,
    charges: k.charges,
    authorizationHold: k.authorizationHold,
    priceDifference: r.priceDifference === null ? null : { amount: r.priceDifference, currency: r.currency },
    refundMethod: r.refundMethod,
    refunds: k.refunds,
    refundDueBy: iso(r.refundDueBy),
    policy: r.policy,
    note: r.note,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    closedAt: iso(r.closedAt),
    approvalReason: r.approvalReason,
    ...(withTimeline ? { emails: k.emails ?? [], timeline: k.timeline ?? [] } : {}),
  };
}

/** The views of rows already read (in their order), their children in one query. */
export async function loadCaseViews(db: Db, rows: CaseRow[], withTimeline: boolean): Promise<CaseView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const found = await selectViews(db, withTimeline, inArray(parcelScans.caseId, ids)).where(
    inArray(returnCases.id, ids),
  );
  const byId = new Map(found.map((f) => [f.row.id, f]));
  return rows.map((r) => {
    const f = byId.get(r.id)!;
    return toCaseView(r, f.children, f.scans, withTimeline);
  });
}

/**
 * One case's view: the hottest read (every GET, every poll for the label, every answer that waits
 * for the workflow), so prepared once per database handle: building this statement with drizzle
 * cost about a quarter of the API's CPU under a GET load (bench --profile).
 */
const caseViewQuery = preparedFor((db: Db) => {
  const id = sql.placeholder('id');
  return selectViews(db, true, eq(parcelScans.caseId, id)).where(eq(returnCases.id, id)).prepare('case_view');
});

export async function loadCaseView(db: Db, id: string): Promise<CaseView | undefined> {
  const [found] = await caseViewQuery(db).execute({ id });
  return found && toCaseView(found.row, found.children, found.scans, true);
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
