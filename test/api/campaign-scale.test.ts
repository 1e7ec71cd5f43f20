/**
 * A campaign over 20,000 customers seeded in bulk SQL (half consenting, every tenth with an open
 * case as well): exactly one e-mail per consenting member without an open case and none to the
 * others, each workflow run's history under a fixed bound (continue-as-new), and a worker restart
 * in the middle sends nobody a second e-mail. Mail goes to memory to keep the 8,000 sends cheap.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailSender, OutgoingMail } from '../../activities/mail-transport.js';
import { campaignWorkflowId } from '../../workflows/messages.js';
import { startStack, uid, type Stack } from '../support/stack.js';

const CUSTOMERS = 20_000;
/** Events per workflow run at most: the loop continues as new long before its history grows. */
const MAX_EVENTS_PER_RUN = 600;

let stack: Stack;
const sent: OutgoingMail[] = [];
const memoryMail: MailSender = {
  async send(mail) {
    sent.push(mail);
  },
};

beforeAll(async () => {
  stack = await startStack({ worker: false });
  await stack.startWorker({ mail: memoryMail });
});
afterAll(async () => {
  await stack?.close();
});

/**
 * Customers `<prefix>-000001…`, each with a completed credit-only return 5 days ago and an order
 * placed after it (so they are in the `credit_only` segment, not in `returned_without_repurchase`
 * that other campaign tests use). Even numbers consent; every tenth also has a case still open.
 */
async function seedAudience(prefix: string, n: number) {
  const id = sql`${prefix} || '-' || lpad(n::text, 6, '0')`;
  await stack.db.execute(sql`
    insert into customers (id, email, name, locale, country, marketing_consent, marketing_consent_at)
    select ${id}, ${id} || '@example.test', 'Customer ' || n, (array['nb-NO','sv-SE','da-DK','fi-FI','en-GB'])[1 + n % 5],
      'NO', n % 2 = 0, now()
    from generate_series(1, ${n}) n`);
  await stack.db.execute(sql`
    insert into orders (id, customer_id, currency, placed_at, delivered_at, body_hash, body)
    select ${id} || '-O' || k, ${id}, 'NOK', now() - (k * interval '4 days') + interval '3 days', null, 'seeded', '{}'::jsonb
    from generate_series(1, ${n}) n, generate_series(1, 2) k`);
  await stack.db.execute(sql`
    insert into return_cases (id, order_id, customer_id, method, channel, status, currency, policy, created_at, closed_at)
    select ${id} || '-R', ${id} || '-O2', ${id}, 'credit_only', 'portal', 'completed', 'NOK', '{}'::jsonb,
      now() - interval '5 days', now() - interval '2 hours'
    from generate_series(1, ${n}) n`);
  await stack.db.execute(sql`
    insert into return_cases (id, order_id, customer_id, method, channel, status, currency, policy, created_at)
    select ${id} || '-R2', ${id} || '-O1', ${id}, 'return_to_stock', 'portal', 'awaiting_parcel', 'NOK', '{}'::jsonb, now()
    from generate_series(10, ${n}, 10) n`);
}

async function campaignView(id: string) {
  const res = await stack.call('GET', `/v1/campaigns/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function waitFor<T>(what: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every run of the workflow, first to last, following continue-as-new by run id. */
async function runsOf(workflowId: string) {
  const latest = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
  let runId: string | undefined =
    latest.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId ?? undefined;
  const runs: { runId: string; events: number }[] = [];
  while (runId) {
    const history = await stack.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.push({ runId, events: events.length });
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

describe('a campaign over 20,000 customers', () => {
  it('sends exactly once to each consenting member, in bounded runs, through a worker restart', async () => {
    const prefix = uid('SCALE');
    const started = Date.now();
    await seedAudience(prefix, CUSTOMERS);
    const res = await stack.call('POST', '/v1/campaigns', {
      name: 'Scale',
      segment: { kind: 'credit_only', days: 2 },
      template: 'Hello {{name}}',
      ratePerMinute: null,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const id = res.body.id as string;
    const mine = () => sent.filter((m) => m.to.startsWith(`${prefix}-`));

    // Stop the worker mid-sending, wait, start a new one.
    await waitFor(
      async () => mine().length,
      (n) => n >= 1500,
      60_000,
    );
    await stack.stopWorker();
    const atStop = await campaignView(id);
    expect(atStop.status).toBe('running');
    expect(atStop.pending).toBeGreaterThan(0);
    const sentAtStop = mine().length;
    await new Promise((r) => setTimeout(r, 500));
    expect(mine().length).toBe(sentAtStop);
    await stack.startWorker({ mail: memoryMail });

    const done = await waitFor(
      () => campaignView(id),
      (v) => v.status === 'completed',
      90_000,
    );
    expect(done).toMatchObject({ pending: 0, progress: 1, failed: 0 });
    expect(done.total).toBe(done.sent + done.skipped);

    // Consenting (even) without an open case (not a multiple of 10): 20,000 / 2 − 20,000 / 10.
    const expected = new Set<string>();
    for (let n = 2; n <= CUSTOMERS; n += 2) if (n % 10 !== 0) expected.add(`${prefix}-${String(n).padStart(6, '0')}`);
    expect(expected.size).toBe(8000);
    const recipients = mine().map((m) => m.to.replace('@example.test', ''));
    expect(recipients.length).toBe(expected.size); // no duplicates
    expect(new Set(recipients)).toEqual(expected);
    expect(new Set(mine().map((m) => m.messageId)).size).toBe(expected.size);

    const rows = (await stack.db.execute(sql`
      select count(*)::int as n, count(*) filter (where status = 'sent')::int as sent from campaign_messages
      where campaign_id = ${id} and customer_id like ${`${prefix}-%`}`)) as unknown;
    const [row] = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as { n: number; sent: number }[];
    expect(row).toEqual({ n: 8000, sent: 8000 });

    // Every run's history stays small; the campaign took many runs.
    const runs = await runsOf(campaignWorkflowId(id));
    expect(runs.length).toBeGreaterThanOrEqual(5);
    for (const run of runs) expect(run.events, run.runId).toBeLessThan(MAX_EVENTS_PER_RUN);
    console.log(
      `20k campaign: ${runs.length} runs, max ${Math.max(...runs.map((r) => r.events))} events, ${Date.now() - started} ms`,
    );
  }, 150_000);
});
