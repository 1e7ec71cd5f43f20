/**
 * The one HTML layout of every customer e-mail (case e-mails and campaigns):
 *
 *   renderLayout({ brand, lang, title, bodyHtml, button?: { label, url }, footerHtml? }) → html
 *
 * - `brand`: the shop (name, logo URL, colour) from `ActivityDeps.brand`.
 * - `lang`: the `<html lang>` (nb|sv|da|fi|en).
 * - `title`: plain text (escaped here), shown as the heading and the document title.
 * - `bodyHtml`, `footerHtml`: already-escaped HTML (use `escapeHtml` for anything the customer or shop typed).
 * - `button`: one call to action (e.g. the case's portal page); label is escaped, url is attribute-escaped.
 * Inline CSS only (mail clients strip <style> and external sheets); table layout for old clients.
 */
import type { Brand } from '../activities/deps.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** A colour we can put in a style attribute; anything else falls back to a neutral dark blue. */
export function safeColor(color: string | undefined): string {
  return color && /^#[0-9a-fA-F]{3,8}$|^[a-zA-Z]{3,20}$/.test(color) ? color : '#1f3a5f';
}

const safeUrl = (url: string) => (/^https?:\/\//i.test(url) ? url : '#');

export interface LayoutInput {
  brand: Pick<Brand, 'shopName' | 'logoUrl' | 'color'>;
  lang: string;
  title: string;
  bodyHtml: string;
  button?: { label: string; url: string };
  footerHtml?: string;
}

export function renderLayout({ brand, lang, title, bodyHtml, button, footerHtml }: LayoutInput): string {
  const color = safeColor(brand.color);
  const shop = escapeHtml(brand.shopName);
  const header = brand.logoUrl
    ? `<img src="${escapeHtml(safeUrl(brand.logoUrl))}" alt="${shop}" style="max-height:48px;max-width:200px;border:0;display:block">`
    : `<span style="font-size:20px;font-weight:bold;color:#ffffff">${shop}</span>`;
  const cta = button
    ? `<p style="margin:28px 0 8px"><a href="${escapeHtml(safeUrl(button.url))}" style="display:inline-block;background:${color};color:#ffffff;text-decoration:none;font-weight:bold;padding:12px 22px;border-radius:6px">${escapeHtml(button.label)}</a></p>`
    : '';
  return `<!DOCTYPE html>
<html lang="${escapeHtml(lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif;color:#1d1d1f">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 0">
<tr><td align="center">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px;overflow:hidden">
<tr><td style="background:${color};padding:18px 28px">${header}</td></tr>
<tr><td style="padding:28px;font-size:15px;line-height:1.5">
<h1 style="font-size:20px;margin:0 0 16px;color:#1d1d1f">${escapeHtml(title)}</h1>
${bodyHtml}
${cta}
</td></tr>
<tr><td style="padding:16px 28px;background:#fafafa;color:#6e6e73;font-size:12px;line-height:1.4">${footerHtml ?? shop}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}
