/** Policy timers in real time on the dev server, with durations of seconds (the time-skipping suite covers days). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCase, policyRequest, returnRequest, startReturn, withLabel } from '../support/requests.js';
import { seedOrder, startStack, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  const put = await stack.call(
    'PUT',
    '/v1/policies/FI',
    policyRequest({
      labelReminderAfter: 'PT1S',
      parcelDeadline: 'PT3S',
      inspectionDeadline: 'PT1S',
      followUpAfter: 'PT1S',
    }),
  );
  expect(put.status).toBe(200);
});
afterAll(async () => {
  await stack?.close();
});

async function start() {
  const { orderId } = await seedOrder(stack, { quantity: 1, country: 'FI' });
  return withLabel(await startReturn(stack, returnRequest({ orderId, channel: 'portal', reason: 'fit' })));
}

describe('short policy timers on the dev server', () => {
  it('a missed parcel deadline ends the case expired, after a reminder', async () => {
    const c = await start();
    expect(c.policy).toMatchObject({ parcelDeadline: 'PT3S' });
    const done = await waitForCase(stack, c.id, (v) => v.status === 'expired', 15_000);
    const types = done.timeline.map((e: { type: string }) => e.type);
    expect(types).toContain('email.label_reminder');
    expect(types.indexOf('email.label_reminder')).toBeLessThan(types.indexOf('expired'));
  });

  it('a missed inspection deadline shows the case stuck in the list, until inspected', async () => {
    const c = await start();
    await stack.call('POST', '/v1/scans', { trackingNumber: c.label.trackingNumber });
    const stuck = await waitForCase(stack, c.id, (v) => v.stuck, 15_000);
    expect(stuck).toMatchObject({ status: 'received', waitingFor: 'inspection' });
    const listed = await stack.call('GET', `/v1/returns?stuck=true&orderId=${c.orderId}`);
    expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([c.id]);
    await inspectCase(stack, c.id);
    const done = await waitForCase(
      stack,
      c.id,
      (v) =>
        v.status === 'completed' &&
        v.timeline.some((e) => (e.detail as { kind?: string } | null)?.kind === 'follow_up'),
      15_000,
    );
    expect(done.stuck).toBe(false);
  });
});
