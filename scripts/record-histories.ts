/**
 * Records workflow histories of finished cases into test/histories/ for the replay test, which
 * then guards in-flight cases against incompatible workflow changes. Re-record only on purpose
 * (after a change made safe with `patched()`), keeping the old files:
 * `npm run histories:record <version> [name-filter ...]` (with filters, only matching scenarios).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { orderPayments } from '../db/schema.js';
import { stripeProvider } from '../payments/stripe.js';
import { StripeStandIn } from '../test/support/standins/stripe.js';
import { caseWorkflowId, settleRefund } from '../workflows/messages.js';
import { seedOrder, startStack, waitForCase, type Stack } from '../test/support/stack.js';
import { bundleWorkflows } from './bundle-workflows.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test', 'histories');
const version = process.argv[2];
if (!version)
  throw new Error('usage: npm run histories:record <version> [name-filter ...], e.g. v3 (existing files are kept)');
const filters = process.argv.slice(3);
const wanted = (name: string) => filters.length === 0 || filters.some((f) => name.includes(f));

const fastPolicy = {
  returnWindow: 'P30D',
  labelReminderAfter: 'PT1S',
  parcelDeadline: 'PT3S',
  inspectionDeadline: 'PT1S',
  followUpAfter: 'PT1S',
  restockingFeePercent: { opened: 10, damaged: 20 },
  exchangeWithoutReturnMaxValue: 50_000,
  nonReturnableCategories: [],
};

async function start(
  stack: Stack,
  extra: Record<string, unknown> = {},
  country = 'FI',
  paidWith?: { provider: 'stripe' | 'klarna'; reference: string },
) {
  const { orderId } = await seedOrder(stack, { quantity: 1, country });
  if (paidWith)
    await stack.db.insert(orderPayments).values({ orderId, position: 0, ...paidWith, amount: 79_900, currency: 'NOK' });
  const res = await stack.call('POST', '/v1/returns', {
    orderId,
    method: 'return_to_stock',
    channel: 'customer_service',
    lines: [{ orderLineId: 'L1', quantity: 1, reason: 'too big' }],
    ...extra,
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body as { id: string; label: { trackingNumber: string } };
}

async function save(stack: Stack, name: string, caseId: string) {
  if (!wanted(name)) return;
  const handle = stack.env.client.workflow.getHandle(caseWorkflowId(caseId));
  await handle.result();
  // Binary protobuf: exact, and read back by the replay test without JSON enum-name mapping.
  const file = join(outDir, `${version}-${name}.history.pb`);
  await writeFile(file, proto.temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
  console.log(`recorded ${file}`);
}

// A stand-in for PostNord's track-and-trace: each parcel is en route on the first poll, delivered on the next.
const polls = new Map<string, number>();
const postnord = createServer((req, res) => {
  const id = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('id') ?? '';
  const n = (polls.get(id) ?? 0) + 1;
  polls.set(id, n);
  const events = [
    {
      eventTime: '2026-11-20T16:30:00',
      eventCode: 'ITEM_RECEIVED',
      eventDescription: 'handed in',
      status: 'EN_ROUTE',
      location: { displayName: 'Ombud Malmö' },
    },
  ];
  if (n > 1)
    events.push({
      eventTime: '2026-11-21T10:05:00',
      eventCode: 'DELIVERED',
      eventDescription: 'delivered',
      status: 'DELIVERED',
      location: { displayName: 'Returns warehouse' },
    });
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ TrackingInformationResponse: { shipments: [{ items: [{ events }] }] } }));
});
await new Promise<void>((r) => postnord.listen(0, '127.0.0.1', r));

// Stripe's refunds API, answered by the loopback stand-in the tests use.
const stripe = await StripeStandIn.start();
const stack = await startStack({
  worker: false,
  bundlePath: await bundleWorkflows(join(root, '.cache', 'record', 'workflow-bundle.js')),
});
try {
  await stack.startWorker({
    payments: { stripe: stripeProvider({ apiKey: 'sk_test_recording', apiUrl: stripe.url }) },
    carriers: {
      postnord: {
        apiUrl: `http://127.0.0.1:${(postnord.address() as AddressInfo).port}`,
        apiKey: 'recording',
        pollEvery: 'PT1S',
        itemPrefix: 'UX',
        itemCountry: 'SE',
        serialFrom: 1,
        serialTo: 99_999_999,
      },
    },
  });
  await mkdir(outDir, { recursive: true });
  await stack.call('PUT', '/v1/policies/FI', fastPolicy);
  await stack.call('PUT', '/v1/policies/SE', {
    ...fastPolicy,
    parcelDeadline: 'PT1M',
    labelReminderAfter: 'PT30S',
    labelCarrier: 'postnord',
  });

  const completed = await start(stack);
  await stack.call('POST', '/v1/scans', { trackingNumber: completed.label.trackingNumber });
  await stack.call('POST', `/v1/returns/${completed.id}/inspection`, {
    lines: [{ orderLineId: 'L1', condition: 'opened', disposition: 'restock' }],
  });
  await save(stack, 'return-to-stock-completed', completed.id);

  const stuck = await start(stack);
  await stack.call('POST', '/v1/scans', { trackingNumber: stuck.label.trackingNumber });
  await waitForCase(stack, stuck.id, (v) => v.stuck);
  await stack.call('POST', `/v1/returns/${stuck.id}/inspection`, {
    lines: [{ orderLineId: 'L1', condition: 'damaged', disposition: 'scrap' }],
  });
  await save(stack, 'return-to-stock-stuck-then-completed', stuck.id);

  const cancelled = await start(stack);
  await stack.call('POST', `/v1/returns/${cancelled.id}/cancel`, { reason: 'customer kept it' });
  await save(stack, 'return-to-stock-cancelled', cancelled.id);

  const expired = await start(stack);
  await save(stack, 'return-to-stock-expired', expired.id);

  const creditOnly = await start(stack, { method: 'credit_only', creditAmount: 10_000 });
  await save(stack, 'credit-only-completed', creditOnly.id);

  const replacement = async (price: number) => {
    const sku = `REPL-${version}-${price}-${Date.now()}`;
    await stack.call('PUT', `/v1/products/${sku}`, {
      name: 'Replacement',
      category: 'apparel',
      price,
      currency: 'NOK',
      stock: 5,
      returnable: true,
    });
    return [{ sku, quantity: 1 }];
  };
  const exchange = await start(stack, {
    method: 'exchange',
    shipReplacement: 'immediately',
    replacements: await replacement(59_900),
  });
  await waitForCase(stack, exchange.id, (v) => v.status === 'awaiting_parcel');
  await stack.call('POST', '/v1/scans', { trackingNumber: exchange.label.trackingNumber });
  await stack.call('POST', `/v1/returns/${exchange.id}/inspection`, {
    lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }],
  });
  await save(stack, 'exchange-immediately-completed', exchange.id);

  const waived = await start(stack, { method: 'exchange_without_return', replacements: await replacement(99_900) });
  await stack.call('POST', `/v1/returns/${waived.id}/approval`, { approved: true, note: 'recorded' });
  await save(stack, 'exchange-without-return-approved', waived.id);

  // Polled by PostNord: in transit, then delivered (= receipt), then inspected.
  const polled = await start(stack, {}, 'SE');
  await waitForCase(stack, polled.id, (v) => v.status === 'received');
  await stack.call('POST', `/v1/returns/${polled.id}/inspection`, {
    lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }],
  });
  await save(stack, 'postnord-polled-completed', polled.id);

  // Opened by scanning a label pre-issued into the outgoing parcel: arrived from the start.
  const { orderId: mailOrder } = await seedOrder(stack, { quantity: 1, country: 'FI' });
  const preIssued = await stack.call('POST', `/v1/orders/${mailOrder}/return-label`, {});
  const mailed = await stack.call('POST', '/v1/scans', {
    trackingNumber: preIssued.body.trackingNumber,
    location: 'dock-1',
  });
  await waitForCase(stack, mailed.body.id, (v) => v.status === 'received');
  await stack.call('POST', `/v1/returns/${mailed.body.id}/inspection`, {
    lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }],
  });
  await save(stack, 'pre-issued-label-scanned-completed', mailed.body.id);

  // Money back (v5): a card refund through Stripe; store credit; a refund past its due date settled by hand.
  await stack.call('PUT', '/v1/policies/DK', {
    ...fastPolicy,
    storeCreditBonusPercent: 10,
    returnShippingFee: 4_900,
    refundDeadline: 'PT2S',
  });
  const card = await start(stack, {}, 'DK', {
    provider: 'stripe',
    reference: stripe.addPaymentIntent({ amount: 79_900, currency: 'nok' }).id,
  });
  await stack.call('POST', '/v1/scans', { trackingNumber: card.label.trackingNumber });
  await stack.call('POST', `/v1/returns/${card.id}/inspection`, {
    lines: [{ orderLineId: 'L1', condition: 'opened', disposition: 'restock' }],
  });
  await save(stack, 'refund-card-completed', card.id);

  const credit = await start(stack, { refundMethod: 'store_credit' }, 'DK', {
    provider: 'stripe',
    reference: stripe.addPaymentIntent({ amount: 79_900, currency: 'nok' }).id,
  });
  await stack.call('POST', '/v1/scans', { trackingNumber: credit.label.trackingNumber });
  await stack.call('POST', `/v1/returns/${credit.id}/inspection`, {
    lines: [{ orderLineId: 'L1', condition: 'defective', disposition: 'scrap' }],
  });
  await save(stack, 'refund-store-credit-completed', credit.id);

  // An immediate exchange secured by a hold on the card (released at receipt); the dearer replacement's difference charged off-session.
  const customer = `cus_${version}`;
  const held = await start(
    stack,
    { method: 'exchange', shipReplacement: 'immediately', replacements: await replacement(99_900) },
    'DK',
    {
      provider: 'stripe',
      reference: stripe.addPaymentIntent({ amount: 79_900, currency: 'nok', customer, payment_method: 'pm_card_visa' })
        .id,
    },
  );
  await waitForCase(stack, held.id, (v) => v.status === 'awaiting_parcel');
  await stack.call('POST', '/v1/scans', { trackingNumber: held.label.trackingNumber });
  await stack.call('POST', `/v1/returns/${held.id}/inspection`, {
    lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }],
  });
  await save(stack, 'exchange-immediately-held-charged-completed', held.id);

  // Klarna is not configured here: the refund stays pending, the case goes stuck at refundDueBy, finance settles it.
  const overdue = await start(stack, { method: 'credit_only', creditAmount: 20_000 }, 'DK', {
    provider: 'klarna',
    reference: 'klarna-order-recording',
  });
  const stuckRefund = await waitForCase(stack, overdue.id, (v) => v.stuck && v.waitingFor === 'refund');
  const refundId = stuckRefund.refunds[0]?.id ?? '';
  await stack.env.client.workflow
    .getHandle(caseWorkflowId(overdue.id))
    .executeUpdate(settleRefund, { args: [{ refundId, note: 'paid by bank transfer', settledBy: 'recording' }] });
  await save(stack, 'refund-overdue-settled-by-hand', overdue.id);
} finally {
  await stack.close();
  await stripe.close();
  postnord.close();
}
