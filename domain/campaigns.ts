/**
 * Follow-up campaigns after returns: who a segment is, and the message. Pure; the activities turn a
 * segment into SQL and send.
 */
import type { ReturnMethod } from './case-status.js';

export const SEGMENT_KINDS = ['returned_without_repurchase', 'completed_exchange', 'credit_only'] as const;
export type SegmentKind = (typeof SEGMENT_KINDS)[number];

export interface Segment {
  kind: SegmentKind;
  /** Cases completed within this many days before the campaign starts. */
  days: number;
}

export const DEFAULT_SEGMENT_DAYS = 30;

/** A customer gets at most one campaign e-mail in this many days, whatever the campaign. */
export const CAMPAIGN_FREQUENCY_CAP_DAYS = 7;

/** Which completed cases put a customer in the segment. */
export function segmentMethods(kind: SegmentKind): ReturnMethod[] {
  switch (kind) {
    case 'returned_without_repurchase':
      return ['return_to_stock', 'credit_only'];
    case 'completed_exchange':
      return ['exchange', 'exchange_without_return'];
    case 'credit_only':
      return ['credit_only'];
  }
}

/** Fills `{{name}}` (and `{{email}}`) in; other text stays as written. */
export function renderCampaignText(template: string, customer: { name: string; email: string }): string {
  return template.replace(/\{\{\s*(name|email)\s*\}\}/g, (_, key: 'name' | 'email') => customer[key]);
}
