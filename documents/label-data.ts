/**
 * Label PDFs from the database: a case's label (for the label e-mail's attachment, the API and the
 * portal) and a label pre-issued for an order before any case exists. The input is read each time
 * (a few small reads); the PDF is rendered once per input and then served from label_documents
 * (documents/label-cache.ts).
 */
import { and, eq } from 'drizzle-orm';
import { loadCaseView, type CaseView } from '../db/case-view.js';
import type { Db } from '../db/client.js';
import { loadCustomsDeclaration } from '../db/customs.js';
import { customers, orderLines, orders, preIssuedLabels, returnCases, type PostalAddress } from '../db/schema.js';
import { labelPdf } from './label-cache.js';
import { DEFAULT_WAREHOUSE, type Address, type ReturnLabelData } from './label-pdf.js';

export interface RenderedLabel {
  trackingNumber: string;
  pdf: Uint8Array;
}

/**
 * The label's FROM block: the customer's name with the case's return address (set when the case
 * was opened: the one corrected in the portal, else the order's), else the customer's address on
 * record, else just the country.
 */
function sender(
  customerId: string,
  customer: { name: string; country: string; address: PostalAddress | null } | null | undefined,
  returnAddress?: PostalAddress | null,
): Address {
  const name = customer?.name ?? customerId;
  const address = returnAddress ?? customer?.address;
  if (!address) return { name, lines: [], country: customer?.country ?? '' };
  return { name, lines: address.lines, postalCode: address.postalCode, city: address.city, country: address.country };
}

const customerFields = { name: customers.name, country: customers.country, address: customers.address };

async function senderOf(db: Db, customerId: string): Promise<Address> {
  const [customer] = await db.select(customerFields).from(customers).where(eq(customers.id, customerId));
  return sender(customerId, customer);
}

/** A case's sender in one read: its return address and its customer. */
async function caseSenderOf(db: Db, caseId: string, customerId: string): Promise<Address> {
  const [row] = await db
    .select({ returnAddress: returnCases.returnAddress, customer: customerFields })
    .from(returnCases)
    .leftJoin(customers, eq(customers.id, returnCases.customerId))
    .where(eq(returnCases.id, caseId));
  return sender(customerId, row?.customer, row?.returnAddress);
}

/** A case's label for parcel `parcelNo` (1: the case's own label); undefined when it has none. */
export async function renderCaseLabel(
  db: Db,
  caseOrId: string | CaseView,
  opts: { parcelNo?: number; warehouse?: Address } = {},
): Promise<RenderedLabel | undefined> {
  const data = await caseLabelData(db, caseOrId, opts);
  return data && { trackingNumber: data.trackingNumber, pdf: await labelPdf(db, data) };
}

/** What a case's label for parcel `parcelNo` shows; undefined when it has none. */
export async function caseLabelData(
  db: Db,
  caseOrId: string | CaseView,
  opts: { parcelNo?: number; warehouse?: Address } = {},
): Promise<ReturnLabelData | undefined> {
  const view = typeof caseOrId === 'string' ? await loadCaseView(db, caseOrId) : caseOrId;
  if (!view?.label) return undefined;
  const parcel = view.parcels.find((p) => p.parcelNo === (opts.parcelNo ?? 1));
  if (!parcel) return undefined;
  const receiver = opts.warehouse ?? DEFAULT_WAREHOUSE;
  // Both sent at once: postgres.js pipelines them on one connection.
  const [from, customs] = await Promise.all([
    caseSenderOf(db, view.id, view.customerId),
    // The same declaration as GET /v1/returns/:id/customs (page 2 when the order has one).
    loadCustomsDeclaration(db, view, receiver.country),
  ]);
  return {
    caseId: view.id,
    orderId: view.orderId,
    carrier: parcel.carrier,
    trackingNumber: parcel.trackingNumber,
    parcelNo: parcel.parcelNo,
    parcelCount: view.parcels.length,
    sender: from,
    receiver,
    customs: customs ?? undefined,
  };
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
  const pdf = await labelPdf(db, {
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
