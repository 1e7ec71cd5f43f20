/**
 * Request bodies and typed calls the API tests share. The builders give the body shared/API.md
 * describes with the usual test values filled in (one unit of order line L1, "too small", back to
 * stock through customer service); a test overrides what it is about. Typed helpers assert the
 * success status, so a test reads as the steps of the case.
 */
import { expect } from 'vitest';
import type { CaseView } from '../../db/case-view.js';
import type { Channel, Condition, Disposition, ReturnMethod } from '../../domain/case-status.js';
import type { ApiResponse, Stack } from './stack.js';

/** The case view of one case (`GET /v1/returns/:id`, `POST /v1/returns`, …): always with its timeline. */
export type CaseDetail = CaseView & { timeline: NonNullable<CaseView['timeline']> };

export interface ReturnLineRequest {
  orderLineId: string;
  quantity: number;
  reason: string;
}

/** The body of `POST /v1/returns`. */
export interface ReturnRequest {
  orderId: string;
  method: ReturnMethod;
  channel: Channel;
  lines: ReturnLineRequest[];
  replacements?: { sku: string; quantity: number }[];
  shipReplacement?: 'immediately' | 'after_receipt';
  creditAmount?: number;
  note?: string;
  refundMethod?: 'original_payment' | 'store_credit';
}

/** One requested line: by default one unit of L1, "too small". */
export const returnLine = (over: Partial<ReturnLineRequest> = {}): ReturnLineRequest => ({
  orderLineId: 'L1',
  quantity: 1,
  reason: 'too small',
  ...over,
});

/** What a test changes in the default request: `quantity` / `reason` shape its single line L1, `lines` replaces it. */
export type ReturnOverrides = Partial<Omit<ReturnRequest, 'orderId' | 'lines'>> &
  (
    | { lines: ReturnLineRequest[]; quantity?: never; reason?: never }
    | { lines?: undefined; quantity?: number; reason?: string }
  );

export type ReturnRequestOptions = { orderId: string } & ReturnOverrides;

/**
 * A `POST /v1/returns` body: `return_to_stock` through `customer_service` of one unit of L1
 * ("too small"), unless overridden; `quantity` / `reason` change that one line, `lines` replaces it.
 */
export function returnRequest({ orderId, lines, quantity, reason, ...over }: ReturnRequestOptions): ReturnRequest {
  return {
    orderId,
    method: 'return_to_stock',
    channel: 'customer_service',
    lines: lines ?? [
      returnLine({ ...(quantity !== undefined && { quantity }), ...(reason !== undefined && { reason }) }),
    ],
    ...over,
  };
}

export interface InspectionLineRequest {
  orderLineId: string;
  condition: Condition;
  disposition: Disposition;
}

/** One inspected line: by default L1, new, restocked. */
export const inspectionLine = (over: Partial<InspectionLineRequest> = {}): InspectionLineRequest => ({
  orderLineId: 'L1',
  condition: 'new',
  disposition: 'restock',
  ...over,
});

/** A `POST /v1/returns/:id/inspection` body: one entry per argument (default: L1 new, restock). */
export function inspectionRequest(...lines: Partial<InspectionLineRequest>[]): { lines: InspectionLineRequest[] } {
  return { lines: (lines.length ? lines : [{}]).map(inspectionLine) };
}

/** The body of `PUT /v1/policies/:market`. */
export interface PolicyRequest {
  returnWindow: string;
  labelReminderAfter: string;
  parcelDeadline: string;
  inspectionDeadline: string;
  followUpAfter: string;
  restockingFeePercent: { opened: number; damaged: number };
  exchangeWithoutReturnMaxValue: number;
  nonReturnableCategories: string[];
  approvalDeadline?: string;
  replacementStockDeadline?: string;
  labelCarrier?: string;
  refundOn?: 'receipt' | 'inspection';
  refundDeadline?: string;
  storeCreditBonusPercent?: number;
  returnShippingFee?: number;
  returnReasons?: { code: string; labels: Partial<Record<'en' | 'nb' | 'sv' | 'da' | 'fi', string>> }[];
}

/** A `PUT /v1/policies/:market` body: the required fields at the built-in defaults' values, unless overridden. */
export const policyRequest = (over: Partial<PolicyRequest> = {}): PolicyRequest => ({
  returnWindow: 'P30D',
  labelReminderAfter: 'P7D',
  parcelDeadline: 'P30D',
  inspectionDeadline: 'PT48H',
  followUpAfter: 'P7D',
  restockingFeePercent: { opened: 0, damaged: 20 },
  exchangeWithoutReturnMaxValue: 50_000,
  nonReturnableCategories: [],
  ...over,
});

const describeResponse = (res: ApiResponse) => JSON.stringify(res.body);

/** The RFC 9457 problem the API answers with an error. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; detail: string; in?: string }[];
}

/** Asserts an RFC 9457 problem with `status`, and (when given) that `errors[].field` names `field`. */
export function expectProblem(res: ApiResponse, status: number): Problem;
export function expectProblem(
  res: ApiResponse,
  status: number,
  field: string,
): Problem & { errors: NonNullable<Problem['errors']> };
export function expectProblem(res: ApiResponse, status: number, field?: string): Problem {
  const ctx = describeResponse(res);
  expect(res.status, ctx).toBe(status);
  expect(res.headers.get('content-type'), ctx).toContain('application/problem+json');
  expect(res.body, ctx).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  expect(res.body.type.length, ctx).toBeGreaterThan(0);
  expect(res.body.title.length, ctx).toBeGreaterThan(0);
  expect(res.body.detail.length, ctx).toBeGreaterThan(0);
  if (field !== undefined) {
    expect(Array.isArray(res.body.errors), ctx).toBe(true);
    expect(
      res.body.errors.map((e: { field: string }) => e.field),
      ctx,
    ).toContain(field);
    for (const e of res.body.errors) expect(typeof e.detail, ctx).toBe('string');
  }
  return res.body;
}

/** `POST /v1/returns`, asserting 201: the case as the API answers it (after its first step). */
export async function startReturn(
  stack: Stack,
  body: ReturnRequest,
  opts: { headers?: Record<string, string>; key?: string } = {},
): Promise<CaseDetail> {
  const res = await stack.call<CaseDetail>('POST', '/v1/returns', body, opts);
  expect(res.status, describeResponse(res)).toBe(201);
  return res.body;
}

/** `GET /v1/returns/:id`, asserting 200. */
export async function getCase(stack: Stack, id: string): Promise<CaseDetail> {
  const res = await stack.call<CaseDetail>('GET', `/v1/returns/${id}`);
  expect(res.status, describeResponse(res)).toBe(200);
  return res.body;
}

/** `POST /v1/returns/:id/inspection`, asserting 200: the case once the workflow took the inspection. */
export async function inspectCase(
  stack: Stack,
  id: string,
  body: { lines: InspectionLineRequest[]; note?: string } = inspectionRequest(),
): Promise<CaseDetail> {
  const res = await stack.call<CaseDetail>('POST', `/v1/returns/${id}/inspection`, body);
  expect(res.status, describeResponse(res)).toBe(200);
  return res.body;
}

/** `POST /v1/scans` of a tracking number, asserting 200: the case the parcel belongs to. */
export async function scanParcel(stack: Stack, trackingNumber: string): Promise<CaseDetail> {
  const res = await stack.call<CaseDetail>('POST', '/v1/scans', { trackingNumber });
  expect(res.status, describeResponse(res)).toBe(200);
  return res.body;
}

export type LabelledCase = CaseDetail & { label: NonNullable<CaseDetail['label']> };

/** The case, asserting it has a label (a case whose goods come back has one once started). */
export function withLabel<C extends Pick<CaseView, 'id' | 'label'>>(
  c: C,
): C & { label: NonNullable<CaseView['label']> } {
  if (!c.label) throw new Error(`case ${c.id} has no label`);
  return c as C & { label: NonNullable<CaseView['label']> };
}

/** The tracking number of the case's label, asserting it has one. */
export const trackingNumberOf = (c: Pick<CaseView, 'id' | 'label'>): string => withLabel(c).label.trackingNumber;

export type TimelineEvent = CaseDetail['timeline'][number];

/** The first timeline entry of `type`, asserting there is one; its detail is free-form, per event type. */
export function eventOf(c: Pick<CaseDetail, 'id' | 'timeline'>, type: string): TimelineEvent & { detail: any } {
  const event = c.timeline.find((e) => e.type === type);
  if (!event) throw new Error(`case ${c.id} has no ${type} event; it has ${c.timeline.map((e) => e.type).join(', ')}`);
  return event;
}
