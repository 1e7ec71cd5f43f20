import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../support/requests.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack?.close();
});

describe('GET /v1/email-templates/:kind/preview', () => {
  it('renders a kind in the locale with sample data, for admin and marketing only', async () => {
    const nb = await stack.call('GET', '/v1/email-templates/credit_issued/preview?locale=nb-NO');
    expect(nb.status, JSON.stringify(nb.body)).toBe(200);
    expect(Object.keys(nb.body).sort()).toEqual(['html', 'kind', 'locale', 'subject', 'text']);
    expect(nb.body).toMatchObject({ kind: 'credit_issued', locale: 'nb-NO', subject: 'Kreditering for ordre O-10042' });
    expect(nb.body.text).toContain('kreditnota CN-000042: 499,00 kr');
    expect(nb.body.html).toContain('<html lang="nb">');
    expect(nb.body.html).toContain('/portal#case=R-SAMPLE-1');

    const sv = await stack.call('GET', '/v1/email-templates/label_reminder/preview?locale=sv-SE');
    expect(sv.body.subject).toBe('Påminnelse: din retur för order O-10042 har inte skickats ännu');
    const en = await stack.call('GET', '/v1/email-templates/follow_up/preview');
    expect(en.body).toMatchObject({ locale: 'en', subject: 'How did your return go?' });
    expect((await stack.call('GET', '/v1/email-templates/label_resend_2/preview?locale=da-DK')).body.subject).toBe(
      'Din returlabel til ordre O-10042 (sendt igen)',
    );

    const marketing = await stack.call('POST', '/v1/api-keys', { name: 'Mia', role: 'marketing' });
    const agent = await stack.call('POST', '/v1/api-keys', { name: 'Agent', role: 'customer_service' });
    const path = '/v1/email-templates/refunded/preview?locale=fi-FI';
    const asMarketing = await stack.call('GET', path, undefined, { key: marketing.body.key });
    expect(asMarketing.status).toBe(200);
    expect(asMarketing.body.text).toContain('Hei Kari Nordmann,');
    expect((await stack.call('GET', path, undefined, { key: agent.body.key })).status).toBe(403);
  });

  it('answers 404 for an unknown kind and 422 for a malformed locale', async () => {
    expectProblem(await stack.call('GET', '/v1/email-templates/newsletter/preview?locale=nb-NO'), 404);
    // Not of the declared pattern: a bad query parameter (400), naming it.
    expectProblem(await stack.call('GET', '/v1/email-templates/label/preview?locale=not%20a%20locale!'), 400, 'locale');
  });
});
