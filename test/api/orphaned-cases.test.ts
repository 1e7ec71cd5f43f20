/**
 * A case committed without its workflow (the start failed, and so did taking the case back) is not
 * lost: a retry with the same Idempotency-Key starts the workflow, and so does the reconciler.
 */
import { defaultPayloadConverter, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileActivities } from '../../activities/reconcile.js';
import { createApp } from '../../api/app.js';
import { caseInputFromDb } from '../../cases/case-workflow.js';
import type { Db } from '../../db/client.js';
import { idempotencyKeys, returnCases } from '../../db/schema.js';
import { ensureReconcileSchedule } from '../../runtime/worker.js';
import { caseWorkflowId } from '../../workflows/messages.js';
import { returnRequest } from '../support/requests.js';
import { ADMIN_KEY, seedOrder, startStack, uid, waitForCase, type Stack } from '../support/stack.js';

let stack: Stack;
/** While set, the next workflow start throws, and so does the database transaction after it (the withdrawal). */
let failNextStart = false;
let failNextTransaction = false;
let faulty: ReturnType<typeof createApp>;

/** `target`, with some of its members replaced (the rest bound to it). */
function overriding<T extends object>(target: T, members: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (Object.hasOwn(members, prop)) return members[prop as keyof T];
      const v = Reflect.get(t, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

beforeAll(async () => {
  stack = await startStack();
  const client = stack.env.client;
  const workflow = overriding(client.workflow, {
    start: (async (...args: Parameters<Client['workflow']['start']>) => {
      if (failNextStart) {
        failNextStart = false;
        failNextTransaction = true;
        throw new Error('Temporal unreachable (test)');
      }
      return client.workflow.start(...args);
    }) as Client['workflow']['start'],
  });
  const temporal = overriding(client, { workflow } as Partial<Record<keyof Client, unknown>>);
  const db = overriding(stack.db, {
    transaction: (async (...args: Parameters<Db['transaction']>) => {
      if (failNextTransaction) {
        failNextTransaction = false;
        throw new Error('database gone (test)');
      }
      return stack.db.transaction(...args);
    }) as Db['transaction'],
  });
  faulty = createApp({
    db,
    temporal,
    taskQueue: stack.taskQueue,
    adminApiKey: ADMIN_KEY,
    settleWaitMs: 5000,
    readiness: { database: async () => {}, temporal: async () => {} },
  });
});
afterAll(async () => {
  await stack?.close();
});

/** POST /v1/returns through the faulty app: with `fail`, the start and the withdrawal after it fail. */
async function post(body: unknown, idempotencyKey?: string, fail = false) {
  failNextStart = fail;
  const res = await faulty.request('/v1/returns', {
    method: 'POST',
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      'content-type': 'application/json',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  });
  failNextStart = false;
  failNextTransaction = false;
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function workflowExists(caseId: string): Promise<boolean> {
  try {
    await stack.env.client.workflow.getHandle(caseWorkflowId(caseId)).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** An order and a case of it left in `requested` without a workflow; its id. */
async function orphan(idempotencyKey?: string) {
  const { orderId } = await seedOrder(stack, { quantity: 2 });
  const body = returnRequest({ orderId, quantity: 1 });
  const res = await post(body, idempotencyKey, true);
  expect(res.status).toBeGreaterThanOrEqual(500);
  const rows = await stack.db.select().from(returnCases).where(eq(returnCases.orderId, orderId));
  expect(rows).toHaveLength(1);
  const caseId = rows[0]!.id;
  expect(rows[0]!.status).toBe('requested');
  expect(await workflowExists(caseId)).toBe(false);
  return { orderId, body, caseId };
}

const reconciler = () =>
  reconcileActivities({ db: stack.db, temporal: stack.env.client, taskQueue: stack.taskQueue }).startOrphanedCases;
const aMinuteOn = () => new Date(Date.now() + 61_000).toISOString();

describe('a case left without its workflow', () => {
  it('a retry with the same Idempotency-Key answers the same case and starts its workflow', async () => {
    const key = uid('idem-orphan');
    const { body, caseId } = await orphan(key);
    const [bound] = await stack.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    expect(bound?.resourceId).toBe(caseId);

    const retry = await post(body, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(retry.body.id).toBe(caseId);
    const c = await waitForCase(stack, caseId, (v) => v.status === 'awaiting_parcel');
    expect(c.label?.trackingNumber).toMatch(/^LR\d{12}$/);
    expect(c.timeline.filter((e) => e.type === 'case.started')).toHaveLength(1);

    // Another retry changes nothing; a different body is still a conflict.
    const again = await post(body, key);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(caseId);
    expect((await post({ ...body, lines: [{ ...body.lines[0], quantity: 2 }] }, key)).status).toBe(409);
    expect(await reconciler()({ caseIds: [caseId], now: aMinuteOn() })).toEqual({
      checked: 0,
      started: [],
      failed: [],
    });
  });

  it('without a retry, the reconciler starts it once it is older than a minute', async () => {
    const { caseId } = await orphan();
    // Younger than a minute: it may still be between its commit and its start.
    expect(await reconciler()({ caseIds: [caseId] })).toEqual({ checked: 0, started: [], failed: [] });
    expect(await workflowExists(caseId)).toBe(false);

    expect(await reconciler()({ caseIds: [caseId], now: aMinuteOn() })).toEqual({
      checked: 1,
      started: [caseId],
      failed: [],
    });
    const c = await waitForCase(stack, caseId, (v) => v.status === 'awaiting_parcel');
    expect(c.label?.trackingNumber).toMatch(/^LR\d{12}$/);
    expect(c.lines).toMatchObject([{ orderLineId: 'L1', quantity: 1 }]);
    // Run again: the case has its workflow, nothing is started.
    expect((await reconciler()({ caseIds: [caseId], now: aMinuteOn() })).started).toEqual([]);
  });

  it('the reconcileCases workflow runs the reconciler and answers what it started', async () => {
    const { caseId } = await orphan();
    const result = await stack.env.client.workflow.execute('reconcileCases', {
      workflowId: uid('reconcile-test'),
      taskQueue: stack.taskQueue,
      args: [{ caseIds: [caseId], olderThanMs: 0 }],
    });
    expect(result).toEqual({ checked: 1, started: [caseId], failed: [] });
    await waitForCase(stack, caseId, (v) => v.status === 'awaiting_parcel');
  });

  it('a case in requested whose workflow runs is left alone', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 1 });
    const res = await post(returnRequest({ orderId, quantity: 1 }));
    expect(res.status).toBe(201);
    // Put back to `requested` as a case waiting there (e.g. for a carrier's settings) shows.
    await stack.db.update(returnCases).set({ status: 'requested' }).where(eq(returnCases.id, res.body.id));
    expect(await reconciler()({ caseIds: [res.body.id], now: aMinuteOn() })).toEqual({
      checked: 1,
      started: [],
      failed: [],
    });
  });
});

describe('the workflow input rebuilt from the database', () => {
  /** The input the case's workflow was started with. */
  async function startedWith(caseId: string): Promise<unknown> {
    const history = await stack.env.client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    return defaultPayloadConverter.fromPayload(payload!);
  }

  it('is the input openCase started the workflow with, for every method', async () => {
    const { sku: replacement } = await seedOrder(stack);
    const requests = [
      (orderId: string) => returnRequest({ orderId, quantity: 2, refundMethod: 'store_credit' }),
      (orderId: string) => returnRequest({ orderId, method: 'credit_only', creditAmount: 10_000 }),
      (orderId: string) => returnRequest({ orderId, method: 'credit_only' }),
      (orderId: string) =>
        returnRequest({
          orderId,
          method: 'exchange',
          shipReplacement: 'immediately',
          replacements: [{ sku: replacement, quantity: 1 }],
        }),
      (orderId: string) =>
        returnRequest({
          orderId,
          method: 'exchange_without_return',
          replacements: [{ sku: replacement, quantity: 1 }],
        }),
    ];
    for (const request of requests) {
      const { orderId } = await seedOrder(stack, { quantity: 2 });
      const res = await post(request(orderId));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(await caseInputFromDb(stack.db, res.body.id)).toEqual(await startedWith(res.body.id));
    }
  });

  it('of a case opened by scanning a pre-issued label, keeps that scan', async () => {
    const { orderId } = await seedOrder(stack, { quantity: 2 });
    const label = await stack.call('POST', `/v1/orders/${orderId}/return-label`);
    expect(label.status).toBe(201);
    const scanned = await stack.call('POST', '/v1/scans', {
      trackingNumber: label.body.trackingNumber,
      location: 'dock-1',
    });
    expect(scanned.status).toBe(200);
    const input = await caseInputFromDb(stack.db, scanned.body.id);
    expect(input?.openedByScan).toMatchObject({ trackingNumber: label.body.trackingNumber, location: 'dock-1' });
    expect(input).toEqual(await startedWith(scanned.body.id));
  });
});

describe('the reconciler schedule', () => {
  it('is created at worker start, every minute, overlapping runs skipped; created again it is updated', async () => {
    const scheduleId = uid('reconcile-cases');
    // A task queue no worker polls: should the schedule fire before it is deleted, nothing runs.
    const taskQueue = uid('no-worker');
    await ensureReconcileSchedule(stack.env.client, { taskQueue: uid('before'), scheduleId });
    await ensureReconcileSchedule(stack.env.client, { taskQueue, scheduleId });
    const handle = stack.env.client.schedule.getHandle(scheduleId);
    try {
      const d = await handle.describe();
      expect(d.spec.intervals?.map((i) => i.every)).toEqual([60_000]);
      expect(d.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 60_000 });
      expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconcileCases', taskQueue });
    } finally {
      await handle.delete();
    }
  });
});
