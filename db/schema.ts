/**
 * Business records. Every table an activity writes has the unique key that makes that activity
 * idempotent (case id + step); a retried activity hits the key and changes nothing.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  index,
} from 'drizzle-orm/pg-core';

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow();
const createdAt = () => stamp('created_at');
const updatedAt = () => stamp('updated_at');
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });

export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  keyHash: text('key_hash').notNull().unique(),
  createdAt: createdAt(),
  revokedAt: ts('revoked_at'),
});

export const customers = pgTable('customers', {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  locale: text('locale').notNull(),
  country: text('country').notNull(),
  updatedAt: updatedAt(),
});

export const products = pgTable('products', {
  sku: text('sku').primaryKey(),
  name: text('name').notNull(),
  category: text('category').notNull(),
  price: bigint('price', { mode: 'number' }).notNull(),
  currency: text('currency').notNull(),
  stock: integer('stock').notNull(),
  returnable: boolean('returnable').notNull().default(true),
  /** Customs: the HS tariff code and the ISO country of origin, for content declarations. */
  hsCode: text('hs_code'),
  originCountry: text('origin_country'),
  updatedAt: updatedAt(),
});

export const orders = pgTable('orders', {
  id: text('id').primaryKey(),
  customerId: text('customer_id')
    .notNull()
    .references(() => customers.id),
  currency: text('currency').notNull(),
  placedAt: ts('placed_at').notNull(),
  deliveredAt: ts('delivered_at'),
  exportReference: text('export_reference'),
  /** Hash of the imported body: the same body again is a no-op, a different one a conflict. */
  bodyHash: text('body_hash').notNull(),
  body: jsonb('body').notNull(),
  createdAt: createdAt(),
});

export const orderLines = pgTable(
  'order_lines',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    id: text('id').notNull(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    quantity: integer('quantity').notNull(),
    unitPrice: bigint('unit_price', { mode: 'number' }).notNull(),
    vatRate: numeric('vat_rate', { precision: 5, scale: 2, mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.id] })],
);

export const policies = pgTable('policies', {
  market: text('market').primaryKey(),
  body: jsonb('body').notNull(),
  updatedAt: updatedAt(),
});

export const returnCases = pgTable(
  'return_cases',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    customerId: text('customer_id').notNull(),
    method: text('method').notNull(),
    channel: text('channel').notNull(),
    status: text('status').notNull(),
    waitingFor: text('waiting_for'),
    waitingSince: ts('waiting_since'),
    deadline: ts('deadline'),
    stuck: boolean('stuck').notNull().default(false),
    stuckReason: text('stuck_reason'),
    currency: text('currency').notNull(),
    /** The policy snapshot the case started with, kept for audit. */
    policy: jsonb('policy').notNull(),
    replacements: jsonb('replacements').notNull().default(sql`'[]'::jsonb`),
    shipReplacement: text('ship_replacement'),
    creditAmount: bigint('credit_amount', { mode: 'number' }),
    /** Exchanges: replacement value − returned value, fixed when the case starts (prices may change later). */
    priceDifference: bigint('price_difference', { mode: 'number' }),
    note: text('note'),
    labelCarrier: text('label_carrier'),
    trackingNumber: text('tracking_number').unique(),
    labelUrl: text('label_url'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    closedAt: ts('closed_at'),
  },
  (t) => [
    index('return_cases_status_idx').on(t.status, t.createdAt),
    index('return_cases_order_idx').on(t.orderId),
    index('return_cases_customer_idx').on(t.customerId),
  ],
);

export const caseLines = pgTable(
  'case_lines',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => returnCases.id),
    orderId: text('order_id').notNull(),
    orderLineId: text('order_line_id').notNull(),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
    reason: text('reason').notNull(),
    condition: text('condition'),
    disposition: text('disposition'),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.orderLineId] }), index('case_lines_order_line_idx').on(t.orderId, t.orderLineId)],
);

/** The case timeline; `eventKey` makes each recorded step appear once however often it is retried. */
export const caseEvents = pgTable(
  'case_events',
  {
    id: serial('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => returnCases.id),
    eventKey: text('event_key').notNull(),
    at: ts('at').notNull(),
    type: text('type').notNull(),
    detail: jsonb('detail').notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [uniqueIndex('case_events_key').on(t.caseId, t.eventKey)],
);

export const stockMovements = pgTable(
  'stock_movements',
  {
    id: serial('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => returnCases.id),
    orderLineId: text('order_line_id').notNull(),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
    /** `sellable`, `refurbish`, `scrap` (goods back in), or `shipped` (replacements out, negative quantity). */
    location: text('location').notNull(),
    value: bigint('value', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('stock_movements_step').on(t.caseId, t.orderLineId, t.location)],
);

/** Holds the next credit-note number; taken under a row lock in the issuing transaction, so no gaps. */
export const creditNoteSequence = pgTable('credit_note_sequence', {
  id: integer('id').primaryKey(),
  next: bigint('next', { mode: 'number' }).notNull(),
});

export const creditNotes = pgTable(
  'credit_notes',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    number: text('number').notNull().unique(),
    caseId: text('case_id')
      .notNull()
      .references(() => returnCases.id),
    /** Which settlement step issued it (`return_credit`, ...): one note per case and purpose. */
    purpose: text('purpose').notNull(),
    orderId: text('order_id').notNull(),
    customerId: text('customer_id').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    vat: bigint('vat', { mode: 'number' }).notNull(),
    lines: jsonb('lines').notNull(),
    issuedAt: ts('issued_at').notNull(),
  },
  (t) => [uniqueIndex('credit_notes_step').on(t.caseId, t.purpose), index('credit_notes_customer_idx').on(t.customerId)],
);

export const outboundEmails = pgTable(
  'outbound_emails',
  {
    id: serial('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => returnCases.id),
    /** `label`, `received`, `credit_issued`, ...: one e-mail per case and step. */
    kind: text('kind').notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    messageId: text('message_id').notNull(),
    status: text('status').notNull(),
    sentAt: ts('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('outbound_emails_step').on(t.caseId, t.kind)],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    resourceId: text('resource_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

/** Warehouse dock scans; repeated scans are kept for traceability but only the first moves the case. */
export const parcelScans = pgTable('parcel_scans', {
  id: serial('id').primaryKey(),
  caseId: text('case_id')
    .notNull()
    .references(() => returnCases.id),
  trackingNumber: text('tracking_number').notNull(),
  scannedBy: text('scanned_by').notNull(),
  location: text('location'),
  scannedAt: createdAt(),
});

/** Money the customer owes on a case (a price difference, an unreturned replacement); one per case and purpose. */
export const charges = pgTable(
  'charges',
  {
    id: serial('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => returnCases.id),
    purpose: text('purpose').notNull(),
    orderId: text('order_id').notNull(),
    customerId: text('customer_id').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    reason: text('reason').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('charges_step').on(t.caseId, t.purpose)],
);

/** Replacement shipments; one per case and SKU, reserved from stock in the same transaction. */
export const shipments = pgTable(
  'shipments',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => returnCases.id),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
    unitPrice: bigint('unit_price', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    trackingNumber: text('tracking_number').notNull(),
    status: text('status').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('shipments_step').on(t.caseId, t.sku)],
);

/** Further parcels of a case beyond the first label (a case may come back in several boxes). */
export const caseParcels = pgTable(
  'case_parcels',
  {
    trackingNumber: text('tracking_number').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => returnCases.id),
    /** 2, 3, …: the first parcel is the case's own label. */
    parcelNo: integer('parcel_no').notNull(),
    carrier: text('carrier').notNull(),
    labelUrl: text('label_url').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('case_parcels_step').on(t.caseId, t.parcelNo)],
);

/**
 * Inbox of verified carrier tracking events, stored before the webhook answers. (carrier, event id)
 * is unique: a redelivered event hits the key and has no second effect. `case_id` is null while no
 * case has the tracking number; `applied_at` is set once the case's workflow was signalled.
 */
export const carrierEvents = pgTable(
  'carrier_events',
  {
    id: serial('id').primaryKey(),
    carrier: text('carrier').notNull(),
    eventId: text('event_id').notNull(),
    trackingNumber: text('tracking_number').notNull(),
    /** The carrier's own status (EasyPost status, AfterShip tag, generic status). */
    status: text('status').notNull(),
    /** in_transit | delivered | info (domain/carrier-status.ts). */
    mapped: text('mapped').notNull(),
    occurredAt: ts('occurred_at'),
    location: text('location'),
    /** The carrier's body as received (webhooks) or the event as polled. */
    payload: jsonb('payload').notNull(),
    receivedAt: stamp('received_at'),
    caseId: text('case_id').references(() => returnCases.id),
    appliedAt: ts('applied_at'),
  },
  (t) => [uniqueIndex('carrier_events_event').on(t.carrier, t.eventId), index('carrier_events_tracking').on(t.trackingNumber)],
);

/** How many numbers each label number series has handed out (e.g. `postnord:UA10000000`: serial n = range start + n - 1). */
export const labelNumberSeries = pgTable('label_number_series', {
  series: text('series').primaryKey(),
  issued: bigint('issued', { mode: 'number' }).notNull(),
});

/** Labels printed into outgoing parcels before any case exists; the first scan of one opens a case (channel mail). */
export const preIssuedLabels = pgTable('pre_issued_labels', {
  trackingNumber: text('tracking_number').primaryKey(),
  orderId: text('order_id')
    .notNull()
    .references(() => orders.id),
  carrier: text('carrier').notNull(),
  labelUrl: text('label_url').notNull(),
  /** Set when a scan turned the label into a case. */
  caseId: text('case_id'),
  createdAt: createdAt(),
});

/** The shop's outbound webhook subscriptions (Standard Webhooks signing with `secret`). */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  events: jsonb('events').notNull(),
  secret: text('secret').notNull(),
  createdAt: createdAt(),
  disabledAt: ts('disabled_at'),
});

/** One row per endpoint and event: written with the event, delivered (and retried) by a workflow. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id),
    eventType: text('event_type').notNull(),
    /** The source of the event (e.g. `<caseId>:<timeline key>`): one delivery per endpoint and event. */
    eventKey: text('event_key').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: createdAt(),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [uniqueIndex('webhook_deliveries_event').on(t.endpointId, t.eventKey)],
);

/** A marketing follow-up campaign: one `campaign` workflow sends it; counts come from its messages. */
export const campaigns = pgTable('campaigns', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** `{kind, days}`: who it is for (domain/campaigns.ts). */
  segment: jsonb('segment').notNull(),
  subject: text('subject').notNull(),
  template: text('template').notNull(),
  /** running | completed */
  status: text('status').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: createdAt(),
  finishedAt: ts('finished_at'),
});

/** One customer of a campaign, contacted at most once: (campaign, customer) is the business key. */
export const campaignMessages = pgTable(
  'campaign_messages',
  {
    campaignId: text('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    customerId: text('customer_id').notNull(),
    /** pending | sent | skipped | failed */
    status: text('status').notNull(),
    detail: text('detail'),
    sentAt: ts('sent_at'),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.customerId] }), index('campaign_messages_customer_idx').on(t.customerId, t.sentAt)],
);
