/**
 * The unsubscribe link of campaign e-mails (no API key: the signed token is the authority).
 * `GET` is the link a person opens: consent is cleared and a small page in the customer's language
 * says so. `POST` is the one-click unsubscribe of RFC 8058 that mail clients send. A missing, bad or
 * expired token names no link we know: a 404 page or problem, never a change.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { clearMarketingConsent } from '../../db/campaigns.js';
import { campaignLanguage, type CampaignLanguage } from '../../domain/campaigns.js';
import { campaignTexts, fillText } from '../../emails/campaign/texts.js';
import { escapeHtml, safeColor } from '../../emails/layout.js';
import { verifyLink } from '../../links/customer-links.js';
import { ProblemError } from '../problem.js';
import { newRouter, type ApiDeps } from '../router.js';
import { jsonResponse, problemResponse } from '../schemas.js';

const TokenQuery = z.object({
  // No length of its own: a token is only ever checked by its signature (Node refuses a request line above 16 KiB: 431).
  token: z
    .string()
    .optional()
    .openapi({ param: { name: 'token', in: 'query' }, description: 'the signed token of the e-mail’s link' }),
});

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

const page = createRoute({
  method: 'get',
  path: '/v1/unsubscribe',
  tags: ['Marketing'],
  summary: 'Unsubscribe from marketing e-mail (the link in every campaign e-mail; no API key)',
  request: { query: TokenQuery },
  responses: {
    200: html('consent cleared: a confirmation page in the customer’s language'),
    404: html('the token is missing, invalid or expired, or names no customer: nothing changed'),
  },
});
const oneClick = createRoute({
  method: 'post',
  path: '/v1/unsubscribe',
  tags: ['Marketing'],
  summary: 'One-click unsubscribe (RFC 8058 `List-Unsubscribe-Post`; no API key)',
  request: { query: TokenQuery },
  responses: {
    200: jsonResponse(z.object({ unsubscribed: z.literal(true) }), 'consent cleared'),
    404: problemResponse('the token is missing, invalid or expired, or names no customer: nothing changed'),
  },
});

export function unsubscribeRoutes({ db, linkSecret, brand }: ApiDeps) {
  const shop = brand?.shopName ?? 'Returns';
  const color = safeColor(brand?.color);

  /** The customer the token names, consent cleared; 404: no valid token, or no such customer. */
  async function unsubscribe(token: string | undefined) {
    const claims = token && linkSecret ? verifyLink(linkSecret, token, 'unsubscribe') : undefined;
    if (!claims) return { status: 404 as const };
    const customer = await clearMarketingConsent(db, claims.subject);
    return customer ? { status: 200 as const, customer } : { status: 404 as const };
  }

  const render = (c: Context, status: 200 | 404, lang: CampaignLanguage) => {
    const t = campaignTexts(lang);
    const [title, text] = status === 200 ? [t.pageTitle, t.pageDone] : [t.pageInvalidTitle, t.pageInvalid];
    const body = `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – ${escapeHtml(shop)}</title></head>
<body style="font-family:Arial,sans-serif;color:#222;max-width:560px;margin:48px auto;padding:0 16px">
<div style="border-top:4px solid ${color};padding-top:12px;font-weight:bold">${escapeHtml(shop)}</div>
<h1 style="font-size:24px">${escapeHtml(title)}</h1>
<p>${escapeHtml(fillText(text, { shop }))}</p>
</body></html>`;
    return c.html(body, status, { 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store' });
  };

  return newRouter()
    .openapi(page, async (c) => {
      const result = await unsubscribe(c.req.valid('query').token);
      const lang =
        result.status === 200
          ? campaignLanguage(result.customer.locale)
          : campaignLanguage(c.req.header('accept-language')?.split(',')[0]);
      return render(c, result.status, lang);
    })
    .openapi(oneClick, async (c) => {
      const result = await unsubscribe(c.req.valid('query').token);
      if (result.status === 404)
        throw new ProblemError(404, 'the unsubscribe token is missing, invalid or expired, or names no customer');
      return c.json({ unsubscribed: true as const }, 200);
    });
}
