/**
 * One campaign e-mail: the marketer's text, then the unsubscribe footer in the customer's language,
 * as plain text and as HTML in the shop's e-mail layout (emails/layout.ts), with the RFC 8058
 * one-click headers.
 */
import type { Brand } from '../../activities/deps.js';
import type { OutgoingMail } from '../../activities/mail-transport.js';
import { campaignLanguage, renderCampaignText } from '../../domain/campaigns.js';
import { escapeHtml, renderLayout, safeColor } from '../layout.js';
import { campaignTexts, fillText } from './texts.js';

export interface CampaignRecipient {
  id: string;
  email: string;
  name: string;
  locale: string;
}

export function campaignMail(
  campaign: { id: string; subject: string; template: string },
  customer: CampaignRecipient,
  opts: { brand: Brand; unsubscribeUrl: string },
): OutgoingMail {
  const lang = campaignLanguage(customer.locale);
  const texts = campaignTexts(lang);
  const body = renderCampaignText(campaign.template, customer);
  const footer = fillText(texts.footer, { shop: opts.brand.shopName, url: opts.unsubscribeUrl });
  const url = escapeHtml(opts.unsubscribeUrl);
  const paragraphs = body
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  // The link in place of {{url}}: the footer reads the same as the plain text one.
  const link = `<a href="${url}" style="color:${safeColor(opts.brand.color)}">${escapeHtml(texts.unsubscribeLink)}</a>`;
  const footerHtml = texts.footer
    .split(/\{\{\s*url\s*\}\}/)
    .map((part) => escapeHtml(fillText(part, { shop: opts.brand.shopName })))
    .join(link);
  const html = renderLayout({
    brand: opts.brand,
    lang,
    title: renderCampaignText(campaign.subject, customer),
    bodyHtml: paragraphs,
    footerHtml,
  });
  return {
    from: `${opts.brand.shopName} <${opts.brand.mailFrom}>`,
    ...(opts.brand.replyTo ? { replyTo: opts.brand.replyTo } : {}),
    to: customer.email,
    subject: renderCampaignText(campaign.subject, customer),
    text: `${body}\n\n--\n${footer}\n`,
    html,
    headers: {
      'List-Unsubscribe': `<${opts.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    // Deterministic: a resend after a crash carries the same id, so receivers drop the duplicate.
    messageId: `<campaign.${campaign.id}.${customer.id}@returns-orchestrator>`,
  };
}
