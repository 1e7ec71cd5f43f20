import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMailSender } from '../../activities/mail-transport.js';
import { amount, date, language, LANGUAGES } from '../../domain/locale-format.js';
import { EMAIL_KINDS, renderCaseEmail, type EmailKind } from '../../emails/render.js';
import { sampleCase } from '../../emails/sample.js';
import { builtInTemplates, loadTemplates, placeholders } from '../../emails/templates.js';
import { TEST_BRAND } from '../support/stack.js';

const render = (kind: EmailKind, locale: string, brand = TEST_BRAND, currency = 'NOK') =>
  renderCaseEmail({
    kind,
    case: sampleCase(currency),
    customerName: 'Kari <Nordmann>',
    locale,
    brand,
    portalUrl: 'https://shop.test/portal#case=R-SAMPLE-1&token=t',
    labelUrl: 'https://shop.test/label.pdf',
  });

describe('e-mail templates', () => {
  const en = builtInTemplates('en');

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has every section, part and placeholder that en has', (lang) => {
    const other = builtInTemplates(lang);
    expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
    for (const [section, parts] of Object.entries(en)) {
      expect(Object.keys(other[section]!).sort(), section).toEqual(Object.keys(parts).sort());
      for (const [part, text] of Object.entries(parts)) {
        const translated = other[section]![part]!;
        expect(translated.trim(), `${lang} ${section}.${part}`).not.toBe('');
        expect(placeholders(translated), `${lang} ${section}.${part}`).toEqual(placeholders(text));
      }
    }
  });

  it('has a section with subject, intro and body for every e-mail kind', () => {
    for (const kind of [...EMAIL_KINDS, 'label_resend', 'charge_due']) {
      expect(Object.keys(en[kind] ?? {}).sort(), kind).toEqual(['body', 'intro', 'subject']);
    }
  });

  it.each(LANGUAGES)('renders every kind in %s without an unfilled placeholder', (lang) => {
    for (const kind of [...EMAIL_KINDS, 'label_resend_1' as const]) {
      const mail = render(kind, lang);
      for (const part of [mail.subject, mail.text, mail.html]) expect(part, `${lang} ${kind}`).not.toMatch(/\{\{|\}\}/);
      expect(mail.text).toContain('https://shop.test/portal#case=R-SAMPLE-1&token=t');
      expect(mail.html).toContain('href="https://shop.test/portal#case=R-SAMPLE-1&amp;token=t"');
      expect(mail.html).toContain(`<html lang="${lang}">`);
      expect(mail.html).toContain(TEST_BRAND.color);
    }
  });

  it('writes in the customer language with amounts for the locale, escaping HTML', () => {
    const nb = render('credit_issued', 'nb-NO');
    expect(nb.lang).toBe('nb');
    expect(nb.subject).toBe('Kreditering for ordre O-10042');
    expect(nb.text).toContain('Hei Kari <Nordmann>,');
    expect(nb.text).toContain('kreditnota CN-000042: 499,00 kr');
    expect(nb.html).toContain('Hei Kari &lt;Nordmann&gt;,');
    expect(nb.html).not.toContain('<Nordmann>');
    expect(nb.html).toContain('<li>kreditnota CN-000042: 499,00 kr</li>');
    const sv = render('refunded', 'sv-SE', TEST_BRAND, 'SEK');
    expect(sv.text).toContain('499,00 kr till ditt kort');
    expect(render('follow_up', 'de-DE').subject).toBe('How did your return go?'); // fallback en
  });

  it('takes a shop override from the templates directory, key by key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'email-templates-'));
    writeFileSync(
      join(dir, 'nb.json'),
      JSON.stringify({ received: { subject: 'Pakken er her, {{name}}!' }, common: { button: 'Åpne saken' } }),
    );
    const brand = { ...TEST_BRAND, templatesDir: dir };
    const mail = render('received', 'nb-NO', brand);
    expect(mail.subject).toBe('Pakken er her, Kari <Nordmann>!');
    expect(mail.html).toContain('>Åpne saken</a>');
    expect(mail.text).toContain('Vi kontrollerer den snart.'); // the part not overridden stays built-in
    expect(render('received', 'sv-SE', brand).subject).toBe('Vi har tagit emot din retur för order O-10042');
    expect(loadTemplates('nb', dir).label).toEqual(builtInTemplates('nb').label);

    writeFileSync(join(dir, 'da.json'), JSON.stringify({ received: { subject: 'Hej {{nickname}}' } }));
    expect(() => render('received', 'da-DK', brand)).toThrow(/nickname/);
    writeFileSync(join(dir, 'fi.json'), JSON.stringify({ recieved: { subject: 'typo' } }));
    expect(() => render('received', 'fi-FI', brand)).toThrow(/recieved/);
  });
});

describe('locale formatting', () => {
  it('maps locales to the e-mail languages', () => {
    expect(
      ['nb-NO', 'nn-NO', 'no', 'sv-SE', 'sv-FI', 'da-DK', 'fi-FI', 'en-GB', 'de-DE', '', undefined].map(language),
    ).toEqual(['nb', 'nb', 'nb', 'sv', 'sv', 'da', 'fi', 'en', 'en', 'en', 'en']);
  });

  it('formats amounts and dates with Intl for the locale', () => {
    expect(amount(49_900, 'NOK', 'nb-NO')).toBe('499,00 kr');
    expect(amount(49_900, 'SEK', 'sv-SE')).toBe('499,00 kr');
    expect(amount(123_450, 'EUR', 'fi-FI')).toBe('1 234,50 €');
    expect(amount(49_900, 'NOK', 'en')).toBe('NOK 499.00');
    expect(amount(500, 'JPY', 'en')).toBe('¥500');
    expect(amount(100, 'NOK', 'not a locale!')).toBe('NOK 1.00');
    expect(date('2026-12-02T10:00:00Z', 'nb-NO')).toBe('2. desember 2026');
    expect(date('2026-12-02T10:00:00Z', 'sv-SE')).toBe('2 december 2026');
  });
});

describe('the .eml file transport', () => {
  it('writes HTML + text as multipart/alternative with Reply-To and extra headers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eml-'));
    const mail = render('received', 'nb-NO');
    await createMailSender({ mailDir: dir }).send({
      from: '"Nordlys Sko" <returns@nordlys.test>',
      to: 'kari@example.no',
      replyTo: 'help@nordlys.test',
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: { 'X-Case': 'R-SAMPLE-1' },
      messageId: '<R-SAMPLE-1.received@returns-orchestrator>',
    });
    const eml = readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8');
    expect(eml).toMatch(/Content-Type: multipart\/alternative/);
    expect(eml).toMatch(/Content-Type: text\/plain/);
    expect(eml).toMatch(/Content-Type: text\/html/);
    expect(eml).toContain('Reply-To: help@nordlys.test');
    expect(eml).toContain('X-Case: R-SAMPLE-1');
  });
});
