/**
 * Follow-up campaigns after returns: who a segment is, and the message. Pure; the activities turn a
 * segment into SQL and send.
 */
import type { ReturnMethod } from './case-status.js';
import { parseDuration } from './duration.js';

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

export const CAMPAIGN_STATUSES = ['running', 'paused', 'cancelled', 'completed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** The signal that wakes a campaign's waiting run to look at its stored status (pause, resume, cancel). */
export const CAMPAIGN_CONTROL_SIGNAL = 'campaignControl';

/** One workflow run handles at most this many customers, then continues as new: its history stays bounded. */
export const CAMPAIGN_CUSTOMERS_PER_RUN = 2000;
/** …and at most this many steps (audience pages, batches, waits), whatever they handled. */
export const CAMPAIGN_STEPS_PER_RUN = 60;
/** Segment members looked at per audience page (selection runs in the database, page by customer id). */
export const CAMPAIGN_AUDIENCE_PAGE = 2000;
/** The largest batch one activity sends; its messages go out this many at a time. */
export const CAMPAIGN_MAX_BATCH = 100;
export const CAMPAIGN_SEND_CONCURRENCY = 8;
/** A paused run looks at the stored status this often (scheduled runs get no signal). */
export const CAMPAIGN_PAUSE_RECHECK_MS = 30_000;

/** About one batch a second under a rate limit; without one, the largest batch. */
export function campaignBatchSize(ratePerMinute: number | null): number {
  if (!ratePerMinute) return CAMPAIGN_MAX_BATCH;
  return Math.max(1, Math.min(CAMPAIGN_MAX_BATCH, Math.ceil(ratePerMinute / 60)));
}

/** How long to wait after a batch of `sent` messages that took `elapsedMs`, to stay within the rate. */
export function campaignBatchPauseMs(ratePerMinute: number | null, sent: number, elapsedMs: number): number {
  if (!ratePerMinute || sent <= 0) return 0;
  return Math.max(0, Math.ceil((sent * 60_000) / ratePerMinute) - elapsedMs);
}

/** Share of the selected audience handled (sent, skipped or failed); a finished campaign is at 1. */
export function campaignProgress(total: number, pending: number, status: CampaignStatus): number {
  if (total === 0) return status === 'completed' ? 1 : 0;
  return Math.round(((total - pending) / total) * 10_000) / 10_000;
}

/** The language of a customer's locale for campaign texts (nb-NO → nb); others get English. */
export const CAMPAIGN_LANGUAGES = ['en', 'nb', 'sv', 'da', 'fi'] as const;
export type CampaignLanguage = (typeof CAMPAIGN_LANGUAGES)[number];
export function campaignLanguage(locale: string | null | undefined): CampaignLanguage {
  const lang = (locale ?? '').toLowerCase().split(/[-_]/)[0];
  if (lang === 'no' || lang === 'nn') return 'nb';
  return (CAMPAIGN_LANGUAGES as readonly string[]).includes(lang ?? '') ? (lang as CampaignLanguage) : 'en';
}

/** A campaign schedule: a five-field cron expression, or an ISO 8601 interval (P1D, PT12H) of at least a second. */
export type CampaignSchedule = { cron: string } | { everyMs: number };

const CRON_FIELD = /^[\d*?LW#/,A-Za-z-]+$/;

export function parseCampaignSchedule(text: string): CampaignSchedule | undefined {
  const s = text.trim();
  if (s.startsWith('P')) {
    const ms = parseDuration(s);
    return ms !== undefined && ms >= 1000 ? { everyMs: ms } : undefined;
  }
  const fields = s.split(/\s+/);
  return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f)) ? { cron: fields.join(' ') } : undefined;
}
