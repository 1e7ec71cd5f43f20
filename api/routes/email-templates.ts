/** Previews of the customer e-mails: one kind rendered in one locale with a made-up case. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Brand } from '../../activities/deps.js';
import { isValidLocale, language } from '../../domain/locale-format.js';
import { EMAIL_KINDS, isEmailKind, renderCaseEmail } from '../../emails/render.js';
import { sampleCase } from '../../emails/sample.js';
import { ProblemError } from '../problem.js';
import { bearer, newRouter, type ApiDeps } from '../router.js';
import { jsonResponse, problemResponse } from '../schemas.js';

const Preview = z
  .object({
    kind: z.string(),
    locale: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
  })
  .openapi('EmailPreview');

const preview = createRoute({
  method: 'get',
  path: '/v1/email-templates/{kind}/preview',
  tags: ['E-mails'],
  summary: 'One customer e-mail rendered with sample data, in the language of `locale`',
  security: bearer,
  request: {
    params: z.object({
      kind: z
        .string()
        .max(40)
        .openapi({
          param: { name: 'kind', in: 'path' },
          example: 'credit_issued',
          description: EMAIL_KINDS.join(', '),
        }),
    }),
    query: z.object({
      // Checked in the handler: a malformed tag is a 422 naming the field (not the router's 400).
      locale: z
        .string()
        // language[-Script][-REGION]: every tag of this shape is one Intl accepts.
        .regex(/^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?$/, 'a BCP 47 language tag such as nb-NO')
        .optional()
        .openapi({ example: 'nb-NO', description: 'BCP 47; default en' }),
    }),
  },
  responses: {
    200: jsonResponse(Preview, 'the rendered e-mail'),
    404: problemResponse('no such e-mail kind'),
    422: problemResponse('locale is not a BCP 47 language tag'),
  },
});

/** Currency for the sample amounts, by the locale's language. */
const SAMPLE_CURRENCY = { nb: 'NOK', sv: 'SEK', da: 'DKK', fi: 'EUR', en: 'EUR' } as const;

export function emailTemplateRoutes(deps: ApiDeps) {
  // The API may be given only part of the brand; the rest falls back to neutral defaults.
  const given: Partial<Brand> = deps.brand ?? {};
  const brand: Brand = {
    mailFrom: 'returns@example.invalid',
    ...given,
    shopName: given.shopName ?? 'Returns',
    color: given.color ?? '#1f3a5f',
  };
  return newRouter().openapi(preview, async (c) => {
    const { kind } = c.req.valid('param');
    const locale = c.req.valid('query').locale ?? 'en';
    if (!isEmailKind(kind)) throw new ProblemError(404, `no e-mail kind ${kind}`);
    if (!isValidLocale(locale)) {
      throw new ProblemError(422, 'invalid query: locale', [
        { field: 'locale', detail: 'must be a BCP 47 language tag such as nb-NO', in: 'query' },
      ]);
    }
    const origin = new URL(c.req.url).origin;
    const sample = sampleCase(SAMPLE_CURRENCY[language(locale)]);
    const rendered = renderCaseEmail({
      kind,
      case: sample,
      customerName: 'Kari Nordmann',
      locale,
      brand,
      portalUrl: `${origin}/portal#case=${sample.id}&token=sample`,
      labelUrl: `${origin}/v1/returns/${sample.id}/label`,
    });
    return c.json({ kind, locale, subject: rendered.subject, text: rendered.text, html: rendered.html }, 200);
  });
}
