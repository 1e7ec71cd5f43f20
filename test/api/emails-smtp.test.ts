/**
 * The customer e-mails of whole cases as a customer's mail server gets them: a real SMTP server in
 * the test process, the worker's mail sender pointed at it, each message parsed with mailparser.
 * A nb-NO and a sv-SE customer each return a line; every step's e-mail arrives once, in their
 * language, as HTML + text, from the shop's sender, with a portal link that opens their order.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailSender } from '../../activities/mail-transport.js';
import { verifyLink } from '../../links/customer-links.js';
import { inspectCase, policyRequest, returnRequest, scanParcel, startReturn, withLabel } from '../support/requests.js';
import { startStack, TEST_BRAND, TEST_LINK_SECRET, uid, waitForCase, type Stack } from '../support/stack.js';

const BRAND = {
  ...TEST_BRAND,
  mailFrom: 'kundeservice@nordlys.test',
  replyTo: 'hjelp@nordlys.test',
  logoUrl: 'https://nordlys.test/logo.png',
  color: '#0a6e4f',
};

let stack: Stack;
let smtp: SMTPServer;
const received: ParsedMail[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  stack = await startStack({ worker: false });
  await stack.startWorker({
    mail: createMailSender({ smtpUrl: `smtp://127.0.0.1:${port}`, mailDir: stack.mailDir }),
    brand: BRAND,
  });
  // Markets of this test's own: a follow-up one second after the case ends.
  for (const market of ['LI', 'MC']) {
    const res = await stack.call('PUT', `/v1/policies/${market}`, policyRequest({ followUpAfter: 'PT1S' }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
});
afterAll(async () => {
  await stack?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(resolve) : resolve()));
});

/** A product and a delivered order of one line (499.00) for a customer of that locale. */
async function seedLocalOrder(locale: string, country: string, currency: string) {
  const sku = uid('SKU');
  const orderId = uid('ORD');
  const customerId = uid('CUS');
  const delivered = new Date(Date.now() - 3 * 86_400_000);
  expect(
    (
      await stack.call('PUT', `/v1/products/${sku}`, {
        name: 'Ullgenser',
        category: 'apparel',
        price: 49_900,
        currency,
        stock: 5,
        returnable: true,
      })
    ).status,
  ).toBe(200);
  const order = await stack.call('POST', '/v1/orders', {
    id: orderId,
    customer: { id: customerId, email: `${customerId}@example.test`, name: 'Ingrid Å', locale, country },
    currency,
    placedAt: new Date(delivered.getTime() - 2 * 86_400_000).toISOString(),
    deliveredAt: delivered.toISOString(),
    lines: [{ id: 'L1', sku, name: 'Ullgenser', quantity: 1, unitPrice: 49_900, vatRate: 25 }],
  });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  return { orderId, email: `${customerId}@example.test` };
}

/** Message ids are `<caseId.kind@returns-orchestrator>`. */
const idOf = (m: ParsedMail) => (m.messageId ?? '').replace(/^<|>$/g, '');
const mailsOf = (caseId: string) => received.filter((m) => idOf(m).startsWith(`${caseId}.`));
const kindOf = (m: ParsedMail) =>
  idOf(m)
    .slice(idOf(m).indexOf('.') + 1)
    .replace(/@.*$/, '');

async function waitForMails(caseId: string, kinds: string[], timeoutMs = 20_000): Promise<Map<string, ParsedMail>> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (kinds.every((k) => mailsOf(caseId).some((m) => kindOf(m) === k))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const byKind = new Map(mailsOf(caseId).map((m) => [kindOf(m), m]));
  expect([...byKind.keys()].sort()).toEqual([...kinds].sort());
  return byKind;
}

/** order → return → label → scan → inspection → completed → follow-up; the case's e-mails by kind. */
async function driveCase(locale: string, country: string, currency: string) {
  const { orderId, email } = await seedLocalOrder(locale, country, currency);
  const c = withLabel(await startReturn(stack, returnRequest({ orderId, quantity: 1 })));
  await waitForMails(c.id, ['label']);
  await scanParcel(stack, c.label.trackingNumber);
  await waitForMails(c.id, ['label', 'received']);
  await inspectCase(stack, c.id);
  await waitForCase(stack, c.id, (v) => v.status === 'completed');
  const mails = await waitForMails(c.id, ['label', 'received', 'inspected', 'credit_issued', 'follow_up']);
  // Each step once (no duplicate deliveries, even with the follow-up timer in between).
  await new Promise((r) => setTimeout(r, 500));
  expect(mailsOf(c.id)).toHaveLength(5);
  return { c, orderId, email, mails };
}

function expectBranded(m: ParsedMail, email: string, orderId: string, caseId: string) {
  expect(m.from?.value).toEqual([{ address: BRAND.mailFrom, name: BRAND.shopName }]);
  expect(m.replyTo?.value[0]?.address).toBe(BRAND.replyTo);
  expect(m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined).toBe(email);
  expect(m.text).toBeTruthy();
  expect(m.html).toBeTruthy();
  const html = m.html as string;
  expect(html).toContain(`src="${BRAND.logoUrl}"`);
  expect(html).toContain(BRAND.color);
  // The portal link: in the text and as the HTML button, signed for this order.
  const link = m.text!.match(/https?:\/\/\S+\/portal#case=([^&\s]+)&token=([^\s]+)/);
  expect(link, m.text).not.toBeNull();
  expect(decodeURIComponent(link![1]!)).toBe(caseId);
  expect(verifyLink(TEST_LINK_SECRET, link![2]!, 'portal')?.subject).toBe(orderId);
  expect(html).toContain(`href="${link![0].replace(/&/g, '&amp;')}"`);
}

describe('customer e-mails over SMTP, in the customer language', () => {
  it('a nb-NO customer gets every step in Norwegian, HTML and text', async () => {
    const { c, orderId, email, mails } = await driveCase('nb-NO', 'LI', 'NOK');
    for (const m of mails.values()) expectBranded(m, email, orderId, c.id);
    expect(mails.get('label')!.subject).toBe(`Returetiketten din for ordre ${orderId}`);
    expect(mails.get('label')!.text).toContain('Skriv ut returetiketten');
    expect(mails.get('label')!.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
    expect(mails.get('received')!.subject).toBe(`Vi har mottatt returen din for ordre ${orderId}`);
    expect(mails.get('inspected')!.text).toContain('× 1: som ny');
    const credit = mails.get('credit_issued')!;
    expect(credit.subject).toBe(`Kreditering for ordre ${orderId}`);
    expect(credit.text).toMatch(/kreditnota \S+: 499,00 kr/);
    expect(credit.html).toMatch(/<li>kreditnota \S+: 499,00 kr<\/li>/);
    expect(credit.html).toContain('<html lang="nb">');
    expect(credit.html).toContain('>Se returen din</a>');
    expect(mails.get('follow_up')!.subject).toBe('Hvordan gikk returen din?');
    for (const m of mails.values()) expect(m.text).not.toMatch(/Hello|NOK/);
  });

  it('a sv-SE customer gets them in Swedish', async () => {
    const { c, orderId, email, mails } = await driveCase('sv-SE', 'MC', 'SEK');
    for (const m of mails.values()) expectBranded(m, email, orderId, c.id);
    expect(mails.get('label')!.subject).toBe(`Din returetikett för order ${orderId}`);
    expect(mails.get('received')!.text).toContain('Hej Ingrid Å,');
    expect(mails.get('inspected')!.subject).toBe(`Din retur för order ${orderId} har kontrollerats`);
    const credit = mails.get('credit_issued')!;
    expect(credit.text).toMatch(/kreditfaktura \S+: 499,00 kr/);
    expect(credit.html).toContain('<html lang="sv">');
    expect(credit.html).toContain('>Se din retur</a>');
    expect(mails.get('follow_up')!.subject).toBe('Hur gick din retur?');
  });
});
