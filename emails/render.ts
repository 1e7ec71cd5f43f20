/**
 * One case e-mail, rendered from the case in the customer's language: subject, plain text and the
 * HTML part (in the shared layout, with a button to the case's portal page). Pure: the caller loads
 * the case and signs the portal link.
 */
import type { Brand } from '../activities/deps.js';
import type { CaseView } from '../domain/case-view.js';
import { amount, language, type Language } from '../domain/locale-format.js';
import { escapeHtml, renderLayout } from './layout.js';
import { fill, loadTemplates, type TemplateSet } from './templates.js';

/** Every case e-mail kind; label resends are numbered (`label_resend_1`, …) and share one template. */
export const EMAIL_KINDS = [
  'label',
  'label_reminder',
  'received',
  'inspected',
  'credit_issued',
  'cancelled',
  'expired',
  'follow_up',
  'replacement_shipped',
  'charged',
  'approved',
  'rejected',
  'refunded',
  'store_credit_issued',
] as const;
export type LabelResendKind = `label_resend_${number}`;
export type EmailKind = (typeof EMAIL_KINDS)[number] | LabelResendKind;

export const isLabelResend = (kind: string): kind is LabelResendKind => /^label_resend_[1-9]\d*$/.test(kind);
export const isEmailKind = (kind: string): kind is EmailKind =>
  (EMAIL_KINDS as readonly string[]).includes(kind) || isLabelResend(kind);

/** The part of a case an e-mail shows. */
export type EmailCase = Pick<
  CaseView,
  'id' | 'orderId' | 'currency' | 'lines' | 'label' | 'creditNotes' | 'refunds' | 'charges' | 'shipments'
>;

export interface RenderInput {
  kind: EmailKind;
  case: EmailCase;
  customerName: string;
  /** The customer's locale (`nb-NO`): picks the language and formats amounts. */
  locale: string;
  brand: Brand;
  /** The case's signed portal page. */
  portalUrl: string;
  /** Where the label PDF is (label e-mails). */
  labelUrl: string;
}

export interface RenderedEmail {
  lang: Language;
  subject: string;
  text: string;
  html: string;
}

/** A placeholder value: plain text, a link, or a bulleted list (rendered per part). */
type Value = string | { url: string } | { list: string[] };

function section(t: TemplateSet, name: string): Record<string, string> {
  const s = t[name];
  if (!s) throw new Error(`e-mail template section "${name}" is missing`);
  return s;
}

function part(t: TemplateSet, name: string, key: string): string {
  const text = section(t, name)[key];
  if (text === undefined) throw new Error(`e-mail template "${name}.${key}" is missing`);
  return text;
}

function asText(text: string, values: Record<string, Value>): string {
  const plain: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    plain[k] = typeof v === 'string' ? v : 'url' in v ? v.url : v.list.map((i) => `- ${i}`).join('\n');
  }
  return fill(text, plain);
}

function asHtml(text: string, values: Record<string, Value>): string {
  // Escape the template text itself (a shop's override is text, not markup), then fill in escaped values.
  const html: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    html[k] =
      typeof v === 'string'
        ? escapeHtml(v)
        : 'url' in v
          ? `<a href="${escapeHtml(v.url)}">${escapeHtml(v.url)}</a>`
          : `</p><ul style="margin:8px 0 8px 20px;padding:0">${v.list.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul><p style="margin:0 0 12px">`;
  }
  return `<p style="margin:0 0 12px">${fill(escapeHtml(text), html).replace(/\n/g, '<br>')}</p>`.replace(
    /<p style="margin:0 0 12px">(<br>)*<\/p>/g,
    '',
  );
}

/** Which template section a kind reads, and the list it shows ({{items}}). */
function content(
  kind: EmailKind,
  c: EmailCase,
  t: TemplateSet,
  locale: string,
): { name: string; values: Record<string, Value>; extra?: string } {
  const money = (minor: number, currency: string) => amount(minor, currency, locale);
  const line = (key: string, values: Record<string, string>) => fill(part(t, 'items', key), values);
  if (isLabelResend(kind)) return { name: 'label_resend', values: {} };
  switch (kind) {
    case 'inspected': {
      const conditions = section(t, 'conditions');
      const list = c.lines.map((l) =>
        line('inspected_line', {
          sku: l.sku,
          quantity: String(l.quantity),
          condition: conditions[l.condition ?? 'none'] ?? l.condition ?? '-',
        }),
      );
      return { name: kind, values: { items: { list } } };
    }
    case 'credit_issued':
      return {
        name: kind,
        values: {
          items: {
            list: c.creditNotes.map((n) =>
              line('credit_note_line', { number: n.number, amount: money(n.amount, n.currency) }),
            ),
          },
        },
      };
    case 'refunded': {
      const paidWith = section(t, 'paid_with');
      const list = c.refunds
        .filter((r) => r.status === 'succeeded')
        .map((r) =>
          line('refund_line', { amount: money(r.amount, r.currency), paidWith: paidWith[r.provider] ?? r.provider }),
        );
      return { name: kind, values: { items: { list } } };
    }
    case 'store_credit_issued': {
      const total = c.refunds.filter((r) => r.status === 'succeeded').reduce((n, r) => n + r.amount, 0);
      return { name: kind, values: { amount: money(total, c.currency) } };
    }
    case 'replacement_shipped': {
      const list = c.shipments.map((s) =>
        line('shipment_line', { sku: s.sku, quantity: String(s.quantity), trackingNumber: s.trackingNumber }),
      );
      return { name: kind, values: { items: { list } } };
    }
    case 'charged': {
      const all = c.charges ?? [];
      const list = all.map((ch) => {
        const v = { amount: money(ch.amount, ch.currency), reason: ch.reason };
        if (ch.status === 'collected') return line('charge_collected', v);
        if (ch.status === 'payment_link' && ch.paymentUrl)
          return line('charge_pay_here', { ...v, paymentUrl: ch.paymentUrl });
        return line('charge_line', v);
      });
      if (all.length > 0 && all.every((ch) => ch.status === 'collected'))
        return { name: 'charged', values: { items: { list } } };
      const linked = all.some((ch) => ch.status === 'payment_link' && ch.paymentUrl);
      return {
        name: 'charge_due',
        values: { items: { list } },
        ...(linked ? { extra: part(t, 'charge_link_validity', 'body') } : {}),
      };
    }
    default:
      return { name: kind, values: {} };
  }
}

export function renderCaseEmail(input: RenderInput): RenderedEmail {
  const { kind, case: c, brand, locale } = input;
  const lang = language(locale);
  const t = loadTemplates(lang, brand.templatesDir);
  const { name, values: own, extra } = content(kind, c, t, locale);
  const base = { name: input.customerName, caseId: c.id, orderId: c.orderId, shopName: brand.shopName };
  const ref = fill(part(t, 'common', 'reference'), base);
  const values: Record<string, Value> = {
    ...base,
    ref,
    labelUrl: { url: input.labelUrl },
    trackingNumber: c.label?.trackingNumber ?? '-',
    portalUrl: { url: input.portalUrl },
    ...own,
  };
  const subject = asText(part(t, name, 'subject'), values);
  const greeting = part(t, 'common', 'greeting');
  const intro = part(t, name, 'intro');
  const body = part(t, name, 'body');
  const footer = part(t, 'common', 'footer');
  const text = [
    asText(greeting, values),
    '',
    asText(intro, values),
    asText(body, values),
    ...(extra ? ['', asText(extra, values)] : []),
    '',
    asText(part(t, 'common', 'portal_text'), values),
    '',
    '-- ',
    asText(footer, values),
    '',
  ].join('\n');
  const bodyHtml = [greeting, intro, body, ...(extra ? [extra] : [])].map((p) => asHtml(p, values)).join('\n');
  const html = renderLayout({
    brand,
    lang,
    title: subject,
    bodyHtml,
    button: { label: asText(part(t, 'common', 'button'), values), url: input.portalUrl },
    footerHtml: asHtml(footer, values),
  });
  return { lang, subject, text, html };
}
