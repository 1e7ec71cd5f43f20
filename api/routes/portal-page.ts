import { createRoute, z } from '@hono/zod-openapi';
import { CUSTOMER_LANGUAGES } from '../../domain/policy.js';
import { languageOfAcceptLanguage, loadPortalTexts } from '../../portal/i18n.js';
import { portalCss, portalHtml } from '../../portal/page.js';
import { portalScript } from '../../portal/script.js';
import { newRouter, type ApiDeps } from '../router.js';

/**
 * The page loads only its own script, stylesheet and texts, talks only to this API, and shows the
 * label's QR code from a blob URL the script makes from the API's answer.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const common = { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };

const tags = ['Customer portal'];

const page = createRoute({
  method: 'get',
  path: '/portal',
  tags,
  summary: "The customers' self-service returns page (nb, sv, da, fi, en)",
  description:
    'A static page and script over the portal API: sign in with order number and e-mail, or arrive from an ' +
    "e-mail link `/portal#case=<id>&token=<token>`. The language follows the browser's (Accept-Language), " +
    "else the order's, and can be switched on the page.",
  responses: { 200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } } },
});

const texts = createRoute({
  method: 'get',
  path: '/portal/texts/{lang}',
  tags,
  summary: "The portal page's texts in one language",
  request: { params: z.object({ lang: z.enum(CUSTOMER_LANGUAGES).openapi({ param: { name: 'lang', in: 'path' } }) }) },
  responses: {
    200: {
      description: 'text key → text; `{name}` marks a value the page fills in',
      content: { 'application/json': { schema: z.record(z.string(), z.string()) } },
    },
  },
});

const asset = (path: string, summary: string, type: string) =>
  createRoute({
    method: 'get',
    path,
    tags,
    summary,
    responses: { 200: { description: summary, content: { [type]: { schema: z.string() } } } },
  });
const script = asset('/portal/app.js', "The portal page's script", 'text/javascript');
const stylesheet = asset('/portal/app.css', "The portal page's stylesheet (the shop's colour)", 'text/css');

export function portalPageRoutes(deps: Pick<ApiDeps, 'brand'>) {
  const allTexts = loadPortalTexts();
  const shopName = deps.brand?.shopName ?? 'Returns';
  const css = portalCss(deps.brand?.color);
  return newRouter()
    .openapi(page, (c) =>
      c.html(
        portalHtml({
          shopName,
          texts: allTexts,
          acceptLanguage: languageOfAcceptLanguage(c.req.header('accept-language')),
        }),
        200,
        { ...common, 'content-security-policy': CSP, 'referrer-policy': 'no-referrer', vary: 'Accept-Language' },
      ),
    )
    .openapi(texts, (c) => c.json(allTexts[c.req.valid('param').lang], 200, common))
    .openapi(script, (c) => c.body(portalScript, 200, { ...common, 'content-type': 'text/javascript; charset=utf-8' }))
    .openapi(stylesheet, (c) => c.body(css, 200, { ...common, 'content-type': 'text/css; charset=utf-8' }));
}
