/**
 * Business records. Every table an activity writes has the unique key that makes that activity
 * idempotent (case id + step); a retried activity hits the key and changes nothing.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
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
import type { Segment } from '../domain/campaigns.js';
import type { MappedStatus } from '../domain/carrier-status.js';
import { CHARGE_STATUSES, HOLD_STATUSES } from '../domain/charges.js';
import { CASE_STATUSES, CHANNELS, CONDITIONS, DISPOSITIONS, METHODS, WAITING_FOR } from '../domain/case-status.js';
import type { Policy } from '../domain/policy.js';
import { PAYMENT_PROVIDERS, REFUND_METHODS, REFUND_STATUSES } from '../domain/refunds.js';
import { ROLES } from '../domain/roles.js';
import type { CreditNoteLine } from '../domain/settlement.js';

// Column types below (`enum`, `$type`) are TypeScript only: the columns stay text and jsonb.

const stamp = (name: string) =>
  timestamp(name, { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow();
const createdAt = () => stamp('created_at');
const updatedAt = () => stamp('updated_at');
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });

export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  keyHash: text('key_hash').notNull().unique(),
  createdAt: createdAt(),
  revokedAt: ts('revoked_at'),
  /** Written at most once a minute per key (api/auth.ts), to keep writes low. */
  lastUsedAt: ts('last_used_at'),
});

/** Every state-changing request (POST/PUT/PATCH/DELETE): who, what, when and the answer (api/audit.ts). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    at: stamp('at'),
    /** The API key's id (`bootstrap-admin` for ADMIN_API_KEY); null when no valid key was given. */
    keyId: text('key_id'),
    keyName: text('key_name'),
    role: text('role', { enum: ROLES }),
    method: text('method').notNull(),
    /** The route pattern as in /openapi.json (`/v1/returns/{id}`), or the raw path when no route matched. */
    route: text('route').notNull(),
    /** The last path parameter of the route (the resource acted on), if any. */
    resourceId: text('resource_id'),
    status: integer('status').notNull(),
  },
  (t) => [index('audit_log_at_idx').on(t.at, t.id), index('audit_log_key_at_idx').on(t.keyId, t.at)],
);

export const customers = pgTable(
  'customers',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    locale: text('locale').notNull(),
    country: text('country').notNull(),
    /** The latest shipping address the shop sent for this customer (ImportedOrder.customer.address). */
    address: jsonb('address').$type<PostalAddress>(),
    /** Marketing e-mail only with consent (opt-in; cleared by the unsubscribe link at once). */
    marketingConsent: boolean('marketing_consent').notNull().default(false),
    marketingConsentAt: ts('marketing_consent_at'),
    updatedAt: updatedAt(),
  },
  // Search by e-mail (GET /v1/returns?q=…@…) compares lower-cased.
  (t) => [index('customers_email_lower_idx').on(sql`lower(${t.email})`)],
);

/** A manager's flag on a customer (blocklist) or the serial-returner rule's: new cases wait for approval. */
export const customerFlags = pgTable(
  'customer_flags',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    kind: text('kind', { enum: ['blocklist', 'serial_returner'] }).notNull(),
    reason: text('reason').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    clearedAt: ts('cleared_at'),
    clearedBy: text('cleared_by'),
  },
  (t) => [index('customer_flags_customer_idx').on(t.customerId, t.clearedAt)],
);

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
  /** Variants (another size or colour) name their base product's SKU; exchanges stay within one family. */
  variantOf: text('variant_of'),
  updatedAt: updatedAt(),
});

/** An order as the shop imported it (POST /v1/orders), kept as its body. */
export interface PostalAddress {
  lines: string[];
  postalCode: string;
  city: string;
  country: string;
}

export interface ImportedOrder {
  id: string;
  customer: {
    id: string;
    email: string;
    name: string;
    locale: string;
    country: string;
    address?: PostalAddress | null;
    marketingConsent?: boolean;
  };
  currency: string;
  placedAt: string;
  deliveredAt?: string | null;
  exportReference?: string | null;
  lines: { id: string; sku: string; name: string; quantity: number; unitPrice: number; vatRate: number }[];
  payments?: { provider: string; reference: string; amount: number; currency: string; method?: string }[];
  deliveryCost?: number | null;
}

export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    currency: text('currency').notNull(),
    placedAt: ts('placed_at').notNull(),
    deliveredAt: ts('delivered_at'),
    exportReference: text('export_reference'),
    /** What the customer paid for delivery (minor units); refunded when the whole order comes back. */
    deliveryCost: bigint('delivery_cost', { mode: 'number' }),
    /** Hash of the imported body: the same body again is a no-op, a different one a conflict. */
    bodyHash: text('body_hash').notNull(),
    body: jsonb('body').$type<ImportedOrder>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // Units sold in a period (GET /v1/analytics/returns-rate: the sales side).
    index('orders_placed_idx').on(t.placedAt),
    // A customer's orders, newest first or since a day (customer page, abuse signals, campaign segments).
    index('orders_customer_placed_idx').on(t.customerId, t.placedAt),
  ],
);

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
  body: jsonb('body').$type<Policy>().notNull(),
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
    method: text('method', { enum: METHODS }).notNull(),
    channel: text('channel', { enum: CHANNELS }).notNull(),
    status: text('status', { enum: CASE_STATUSES }).notNull(),
    waitingFor: text('waiting_for', { enum: WAITING_FOR }),
    waitingSince: ts('waiting_since'),
    deadline: ts('deadline'),
    stuck: boolean('stuck').notNull().default(false),
    stuckReason: text('stuck_reason'),
    currency: text('currency').notNull(),
    /** The policy snapshot the case started with, kept for audit. */
    policy: jsonb('policy').$type<Policy>().notNull(),
    replacements: jsonb('replacements')
      .$type<{ sku: string; quantity: number; unitPrice: number }[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    shipReplacement: text('ship_replacement'),
    creditAmount: bigint('credit_amount', { mode: 'number' }),
    /** Exchanges: replacement value − returned value, fixed when the case starts (prices may change later). */
    priceDifference: bigint('price_difference', { mode: 'number' }),
    note: text('note'),
    labelCarrier: text('label_carrier'),
    trackingNumber: text('tracking_number').unique(),
    labelUrl: text('label_url'),
    refundMethod: text('refund_method', { enum: REFUND_METHODS }).notNull().default('original_payment'),
    /** Case start + the policy's refundDeadline: the legal latest day for the money to be back. */
    refundDueBy: ts('refund_due_by'),
    /** The FROM address on the return label: the order's, or the one the customer corrected in the portal. */
    returnAddress: jsonb('return_address').$type<PostalAddress>(),
    /** Why a new case waits for a manager (a flagged customer), shown on the case page. */
    approvalReason: text('approval_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    closedAt: ts('closed_at'),
  },
  (t) => [
    index('return_cases_status_idx').on(t.status, t.createdAt),
    index('return_cases_order_idx').on(t.orderId),
    index('return_cases_customer_idx').on(t.customerId),
    // The stuck list (GET /v1/returns?stuck=true, newest first): walked backwards, no sort.
    index('return_cases_stuck_created_idx').on(t.stuck, t.createdAt, t.id),
    index('return_cases_created_idx').on(t.createdAt),
    // GET /v1/returns?market=… (newest first) and analytics by market: the expression listCases
    // and dailyOpenedClosed compare, so the planner matches it.
    index('return_cases_market_created_idx').on(sql`(${t.policy} ->> 'market')`, t.createdAt, t.id),
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
    condition: text('condition', { enum: CONDITIONS }),
    disposition: text('disposition', { enum: DISPOSITIONS }),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.orderLineId] }),
    index('case_lines_order_line_idx').on(t.orderId, t.orderLineId),
  ],
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
    detail: jsonb('detail')
      .notNull()
      .default(sql`'{}'::jsonb`),
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
    lines: jsonb('lines').$type<CreditNoteLine[]>().notNull(),
    issuedAt: ts('issued_at').notNull(),
  },
  (t) => [
    uniqueIndex('credit_notes_step').on(t.caseId, t.purpose),
    index('credit_notes_customer_idx').on(t.customerId),
  ],
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
export const parcelScans = pgTable(
  'parcel_scans',
  {
    id: serial('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => returnCases.id),
    trackingNumber: text('tracking_number').notNull(),
    scannedBy: text('scanned_by').notNull(),
    location: text('location'),
    scannedAt: createdAt(),
  },
  // Every case view reads its case's scans in scan order (db/case-view.ts).
  (t) => [index('parcel_scans_case_idx').on(t.caseId, t.id)],
);

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
    /** recorded → collected (off-session) | payment_link (sent to the customer) | failed; see domain/charges.ts. */
    status: text('status', { enum: CHARGE_STATUSES }).notNull().default('recorded'),
    /** Who collects it (the card's provider, or the one that made the payment link). */
    provider: text('provider', { enum: PAYMENT_PROVIDERS }),
    /** The order payment whose saved card was charged (part of the idempotency key). */
    paymentReference: text('payment_reference'),
    /** The provider's id: the PaymentIntent (collected) or the Checkout Session (payment link). */
    providerReference: text('provider_reference'),
    paymentUrl: text('payment_url'),
    failureReason: text('failure_reason'),
    /** Set before the provider is charged: a later attempt looks the charge up before charging again. */
    requestedAt: ts('requested_at'),
    createdAt: createdAt(),
    settledAt: ts('settled_at'),
  },
  (t) => [uniqueIndex('charges_step').on(t.caseId, t.purpose)],
);

/**
 * An authorization hold for an exchange shipped before the return arrives (Stripe manual capture):
 * one per case, released when the return arrives, captured if it never does.
 */
export const authorizationHolds = pgTable('authorization_holds', {
  id: serial('id').primaryKey(),
  caseId: text('case_id')
    .notNull()
    .unique()
    .references(() => returnCases.id),
  provider: text('provider', { enum: PAYMENT_PROVIDERS }).notNull(),
  /** The order payment whose saved card holds the money. */
  paymentReference: text('payment_reference').notNull(),
  /** The hold's PaymentIntent, once the provider answered. */
  providerReference: text('provider_reference'),
  amount: bigint('amount', { mode: 'number' }).notNull(),
  currency: text('currency').notNull(),
  status: text('status', { enum: HOLD_STATUSES }).notNull(),
  reason: text('reason'),
  createdAt: createdAt(),
  settledAt: ts('settled_at'),
});

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
    mapped: text('mapped').$type<MappedStatus>().notNull(),
    occurredAt: ts('occurred_at'),
    location: text('location'),
    /** The carrier's body as received (webhooks) or the event as polled. */
    payload: jsonb('payload').notNull(),
    receivedAt: stamp('received_at'),
    caseId: text('case_id').references(() => returnCases.id),
    appliedAt: ts('applied_at'),
  },
  (t) => [
    uniqueIndex('carrier_events_event').on(t.carrier, t.eventId),
    index('carrier_events_tracking').on(t.trackingNumber),
  ],
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

/** Binary column (PostgreSQL bytea): postgres.js sends and returns a Buffer. */
const bytea = customType<{ data: Uint8Array; driverData: Buffer }>({
  dataType: () => 'bytea',
  toDriver: (v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength),
  fromDriver: (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
});

/**
 * Label PDFs as rendered (documents/label-cache.ts), keyed by the label's tracking number and a
 * hash of everything drawn on it: a changed address, declaration or layout is a new key, never a
 * stale PDF. Rendered once per key; later requests and e-mails send the stored bytes.
 */
export const labelDocuments = pgTable(
  'label_documents',
  {
    trackingNumber: text('tracking_number').notNull(),
    inputHash: text('input_hash').notNull(),
    /** The case of the label; null for a label pre-issued before any case exists. */
    caseId: text('case_id').references(() => returnCases.id),
    parcelNo: integer('parcel_no').notNull(),
    pdf: bytea('pdf').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.trackingNumber, t.inputHash] })],
);

/** The shop's outbound webhook subscriptions (Standard Webhooks signing with `secret`). */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  events: jsonb('events').$type<string[]>().notNull(),
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
  segment: jsonb('segment').$type<Segment>().notNull(),
  subject: text('subject').notNull(),
  template: text('template').notNull(),
  status: text('status', { enum: ['running', 'paused', 'cancelled', 'completed'] }).notNull(),
  /** Messages per minute at most (null: no limit). */
  ratePerMinute: integer('rate_per_minute'),
  /** Cron expression or ISO interval: a Temporal Schedule re-runs the campaign for new members. */
  schedule: text('schedule'),
  /** Audience size when the last run selected it, for progress. */
  audienceSize: integer('audience_size'),
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
  (t) => [
    primaryKey({ columns: [t.campaignId, t.customerId] }),
    index('campaign_messages_customer_idx').on(t.customerId, t.sentAt),
  ],
);

/** How an order was paid, one row per tender; no row ever gives back more than it took. */
export const orderPayments = pgTable(
  'order_payments',
  {
    id: serial('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    position: integer('position').notNull(),
    provider: text('provider', { enum: PAYMENT_PROVIDERS }).notNull(),
    /** The provider's id of the payment (PaymentIntent, Klarna order, PSP reference, gift card code …). */
    reference: text('reference').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    method: text('method'),
  },
  (t) => [uniqueIndex('order_payments_position').on(t.orderId, t.position)],
);

/** What a credit pays out, fixed once per case and purpose: the credit, the fee kept, delivery added. */
export const payouts = pgTable(
  'payouts',
  {
    id: serial('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => returnCases.id),
    purpose: text('purpose').notNull(),
    method: text('method', { enum: REFUND_METHODS }).notNull(),
    credited: bigint('credited', { mode: 'number' }).notNull(),
    fee: bigint('fee', { mode: 'number' }).notNull(),
    delivery: bigint('delivery', { mode: 'number' }).notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    /** Store credit only: the policy's bonus on top of `amount`. */
    bonus: bigint('bonus', { mode: 'number' }).notNull().default(0),
    /** Beyond what the order's payments can still give back: for finance, never refunded silently. */
    shortfall: bigint('shortfall', { mode: 'number' }).notNull().default(0),
    currency: text('currency').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('payouts_step').on(t.caseId, t.purpose)],
);

/** One money movement back to the customer: per case, purpose and tender (`slot`). */
export const refunds = pgTable(
  'refunds',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => returnCases.id),
    purpose: text('purpose').notNull(),
    /** `payment:<order payment id>` or `store_credit`: with case and purpose, the refund's business key. */
    slot: text('slot').notNull(),
    orderId: text('order_id').notNull(),
    customerId: text('customer_id').notNull(),
    paymentId: integer('payment_id').references(() => orderPayments.id),
    provider: text('provider', { enum: PAYMENT_PROVIDERS }).notNull(),
    paymentReference: text('payment_reference'),
    providerReference: text('provider_reference'),
    /** Sent to the provider; a new one only when finance retries a refusal (`attempt` + 1). */
    idempotencyKey: text('idempotency_key').notNull().unique(),
    attempt: integer('attempt').notNull().default(1),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: REFUND_STATUSES }).notNull(),
    failureReason: text('failure_reason'),
    /** Set before the provider is called: a later attempt looks the refund up before calling again. */
    requestedAt: ts('requested_at'),
    settledBy: text('settled_by'),
    note: text('note'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    settledAt: ts('settled_at'),
  },
  (t) => [
    uniqueIndex('refunds_step').on(t.caseId, t.purpose, t.slot),
    index('refunds_status_idx').on(t.status, t.createdAt),
    index('refunds_provider_ref_idx').on(t.provider, t.providerReference),
  ],
);

/** The customers' store-credit ledger (our own `gift_card` provider): issues are positive, redemptions negative. */
export const storeCreditEntries = pgTable(
  'store_credit_entries',
  {
    id: serial('id').primaryKey(),
    customerId: text('customer_id').notNull(),
    code: text('code').notNull(),
    caseId: text('case_id'),
    refundId: text('refund_id'),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    bonus: bigint('bonus', { mode: 'number' }).notNull().default(0),
    currency: text('currency').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('store_credit_refund').on(t.refundId), index('store_credit_customer_idx').on(t.customerId)],
);

/** Payment providers' notifications, kept once per provider event id (a redelivery changes nothing). */
export const paymentEvents = pgTable(
  'payment_events',
  {
    provider: text('provider', { enum: PAYMENT_PROVIDERS }).notNull(),
    eventId: text('event_id').notNull(),
    refundId: text('refund_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    receivedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] })],
);
