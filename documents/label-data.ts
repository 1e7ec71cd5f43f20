/**
 * Label PDFs rendered from the database: a case's label (for the label e-mail's attachment) and a
 * label pre-issued for an order before any case exists.
 */
import { and, eq } from 'drizzle-orm';
import { caseRow, loadCaseView, type CaseView } from '../db/case-view.js';
import type { Db } from '../db/client.js';
import { loadCustomsDeclaration } from '../db/customs.js';
import { customers, orderLines, orders, preIssuedLabels, type PostalAddress } from '../db/schema.js';
import { DEFAULT_WAREHOUSE, renderReturnLabel, type Address } from './label-pdf.js';

export interface RenderedLabel {
  trackingNumber: string;
  pdf: Uint8Array;
}

/**
 * The label's FROM block: the customer's name with the case's return address (set when the case
 * was opened: the one corrected in the portal, else the order's), else the customer's address on
 * record, else just the country.
 */
async function senderOf(db: Db, customerId: string, returnAddress?: PostalAddress | null): Promise<Address> {
  const [customer] = await db.select().from(customers).where(eq(customers.id, customerId));
  const name = customer?.name ?? customerId;
  const address = returnAddress ?? customer?.address;
  if (!address) return { name, lines: [], country: customer?.country ?? '' };
  return { name, lines: address.lines, postalCode: address.postalCode, city: address.city, country: address.country };
}

/** A case's label for parcel `parcelNo` (1: the case's own label); undefined when it has none. */
export async function renderCaseLabel(
  db: Db,
  caseOrId: string | CaseView,
  opts: { parcelNo?: number; warehouse?: Address } = {},
): Promise<RenderedLabel | undefined> {
  const view = typeof caseOrId === 'string' ? await loadCaseView(db, caseOrId) : caseOrId;
  if (!view?.label) return undefined;
  const parcel = view.parcels.find((p) => p.parcelNo === (opts.parcelNo ?? 1));
  if (!parcel) return undefined;
  const receiver = opts.warehouse ?? DEFAULT_WAREHOUSE;
  const pdf = await renderReturnLabel({
    caseId: view.id,
    orderId: view.orderId,
    carrier: parcel.carrier,
    trackingNumber: parcel.trackingNumber,
    parcelNo: parcel.parcelNo,
    parcelCount: view.parcels.length,
    sender: await senderOf(db, view.customerId, (await caseRow(db, view.id))?.returnAddress),
    receiver,
    // The same declaration as GET /v1/returns/:id/customs (page 2 when the order has one).
    customs: (await loadCustomsDeclaration(db, view, receiver.country)) ?? undefined,
  });
  return { trackingNumber: parcel.trackingNumber, pdf };
}

/** A label printed into the outgoing parcel; no case yet, so it names the order. Undefined when unknown. */
export async function renderPreIssuedLabel(
  db: Db,
  orderId: string,
  trackingNumber: string,
  opts: { warehouse?: Address } = {},
): Promise<RenderedLabel | undefined> {
  const [label] = await db
    .select()
    .from(preIssuedLabels)
    .where(and(eq(preIssuedLabels.trackingNumber, trackingNumber), eq(preIssuedLabels.orderId, orderId)));
  if (!label) return undefined;
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  if (!order) return undefined;
  const lines = await db.select().from(orderLines).where(eq(orderLines.orderId, orderId));
  const receiver = opts.warehouse ?? DEFAULT_WAREHOUSE;
  // Nothing is chosen yet: the declaration lists the order as delivered.
  const customs = await loadCustomsDeclaration(
    db,
    {
      id: label.caseId ?? `pre-issued ${trackingNumber}`,
      orderId,
      customerId: order.customerId,
      lines: lines.map((l) => ({
        orderLineId: l.id,
        sku: l.sku,
        quantity: l.quantity,
        reason: '',
        condition: null,
        disposition: null,
      })),
    },
    receiver.country,
  );
  const pdf = await renderReturnLabel({
    caseId: label.caseId ?? undefined,
    orderId,
    carrier: label.carrier,
    trackingNumber: label.trackingNumber,
    parcelNo: 1,
    parcelCount: 1,
    sender: await senderOf(db, order.customerId),
    receiver,
    customs: customs ?? undefined,
  });
  return { trackingNumber, pdf };
}
