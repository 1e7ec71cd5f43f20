/**
 * Records workflow histories of finished cases into test/histories/ for the replay test, which
 * then guards in-flight cases against incompatible workflow changes. Re-record only on purpose
 * (after a change made safe with `patched()`), keeping the old files: `npm run histories:record`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { caseWorkflowId } from '../workflows/messages.js';
import { seedOrder, startStack, waitForCase, type Stack } from '../test/support/stack.js';
import { bundleWorkflows } from './bundle-workflows.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test', 'histories');
const version = process.argv[2];
if (!version) throw new Error('usage: npm run histories:record <version>, e.g. v3 (existing files are kept)');

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

async function start(stack: Stack, extra: Record<string, unknown> = {}) {
  const { orderId } = await seedOrder(stack, { quantity: 1, country: 'FI' });
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
  const handle = stack.env.client.workflow.getHandle(caseWorkflowId(caseId));
  await handle.result();
  // Binary protobuf: exact, and read back by the replay test without JSON enum-name mapping.
  const file = join(outDir, `${version}-${name}.history.pb`);
  await writeFile(file, proto.temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
  console.log(`recorded ${file}`);
}

const stack = await startStack({ bundlePath: await bundleWorkflows(join(root, '.cache', 'record', 'workflow-bundle.js')) });
try {
  await mkdir(outDir, { recursive: true });
  await stack.call('PUT', '/v1/policies/FI', fastPolicy);

  const completed = await start(stack);
  await stack.call('POST', '/v1/scans', { trackingNumber: completed.label.trackingNumber });
  await stack.call('POST', `/v1/returns/${completed.id}/inspection`, { lines: [{ orderLineId: 'L1', condition: 'opened', disposition: 'restock' }] });
  await save(stack, 'return-to-stock-completed', completed.id);

  const stuck = await start(stack);
  await stack.call('POST', '/v1/scans', { trackingNumber: stuck.label.trackingNumber });
  await waitForCase(stack, stuck.id, (v) => v.stuck);
  await stack.call('POST', `/v1/returns/${stuck.id}/inspection`, { lines: [{ orderLineId: 'L1', condition: 'damaged', disposition: 'scrap' }] });
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
    await stack.call('PUT', `/v1/products/${sku}`, { name: 'Replacement', category: 'apparel', price, currency: 'NOK', stock: 5, returnable: true });
    return [{ sku, quantity: 1 }];
  };
  const exchange = await start(stack, { method: 'exchange', shipReplacement: 'immediately', replacements: await replacement(59_900) });
  await waitForCase(stack, exchange.id, (v) => v.status === 'awaiting_parcel');
  await stack.call('POST', '/v1/scans', { trackingNumber: exchange.label.trackingNumber });
  await stack.call('POST', `/v1/returns/${exchange.id}/inspection`, { lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }] });
  await save(stack, 'exchange-immediately-completed', exchange.id);

  const waived = await start(stack, { method: 'exchange_without_return', replacements: await replacement(99_900) });
  await stack.call('POST', `/v1/returns/${waived.id}/approval`, { approved: true, note: 'recorded' });
  await save(stack, 'exchange-without-return-approved', waived.id);
} finally {
  await stack.close();
}
