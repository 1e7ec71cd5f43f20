/** What a campaign request carries and how a campaign answers, named for /openapi.json. */
import { z } from '@hono/zod-openapi';
import {
  CAMPAIGN_FREQUENCY_CAP_DAYS,
  CAMPAIGN_STATUSES,
  DEFAULT_SEGMENT_DAYS,
  SEGMENT_KINDS,
  parseCampaignSchedule,
} from '../../../domain/campaigns.js';

export const CampaignBody = z
  .object({
    name: z.string().trim().min(1).max(200).regex(/\S/, 'must not be blank'),
    segment: z.object({
      kind: z.enum(SEGMENT_KINDS),
      days: z
        .number()
        .int()
        .min(1)
        .max(3650)
        .default(DEFAULT_SEGMENT_DAYS)
        .openapi({ description: 'cases completed within this many days' }),
    }),
    // Its example is the object's (a property example alone makes schemathesis draw the rest).
    template: z.string().min(1).max(20_000).openapi({
      description: 'the e-mail text; `{{name}}` and `{{email}}` are filled in',
    }),
    subject: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/\S/, 'must not be blank')
      .optional()
      .openapi({ description: 'default: the campaign name' }),
    ratePerMinute: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .nullable()
      .optional()
      .openapi({ description: 'e-mails per minute at most; default: no limit' }),
    schedule: z
      .string()
      .trim()
      .max(200)
      .refine(
        (s) => parseCampaignSchedule(s) !== undefined,
        'a five-field cron expression or an ISO 8601 interval (P1D)',
      )
      .optional()
      .openapi({
        description:
          're-run for new members of the segment: a cron expression (`0 9 * * 1`) or an ISO 8601 interval (`P1D`); nobody gets the campaign twice',
      }),
  })
  .openapi('CampaignInput', {
    example: {
      name: 'Win-back November',
      segment: { kind: SEGMENT_KINDS[0], days: DEFAULT_SEGMENT_DAYS },
      template: 'Hello {{name}}, we miss you: 10 % off your next order.',
    },
  });

export const CampaignView = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    segment: z.object({ kind: z.enum(SEGMENT_KINDS), days: z.number().int() }),
    ratePerMinute: z.number().int().nullable(),
    schedule: z.string().nullable(),
    total: z.number().int().openapi({ description: 'consenting segment members selected so far' }),
    sent: z.number().int(),
    skipped: z
      .number()
      .int()
      .openapi({
        description: `unsubscribed, an open case, no e-mail address, or contacted by another campaign within ${CAMPAIGN_FREQUENCY_CAP_DAYS} days`,
      }),
    failed: z.number().int(),
    pending: z.number().int().openapi({ description: 'selected, not sent yet' }),
    progress: z.number().min(0).max(1).openapi({ description: 'share of the selected audience handled, 0–1' }),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Campaign');
