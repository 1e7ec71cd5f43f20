/**
 * The real thing for tests: a Temporal server (the run's shared dev server, or a time-skipping test
 * server of the file's own), the database (PostgreSQL when DATABASE_URL is set, else embedded
 * PGlite in memory), a case worker running the prebundled workflow code, and the Hono app driven
 * through `app.request()`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { inject, type ProvidedContext } from 'vitest';
import { createMailSender } from '../../activities/mail-transport.js';
import type { ActivityDeps, Brand } from '../../activities/deps.js';
import { createApp } from '../../api/app.js';
import { openDatabase, type Database } from '../../db/client.js';
import { registerSearchAttributes } from '../../runtime/search-attributes.js';
import { temporalExecutable } from '../../runtime/temporal-binary.js';
import { createCaseWorker, type CaseWorkerOptions } from '../../runtime/worker.js';
import { DEFAULT_WAREHOUSE } from '../../documents/label-pdf.js';
import { CASE_SEARCH_ATTRIBUTES } from '../../workflows/messages.js';
import { openSnapshot } from './embedded-database.js';
import type { CaseDetail } from './requests.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';
/** Signs customer links in tests (worker: e-mails; API: portal and unsubscribe). */
export const TEST_LINK_SECRET = 'test-link-secret-0123456789abcdef0123';
export const TEST_BRAND: Brand = { shopName: 'Nordlys Sko', mailFrom: 'returns@nordlys.test', color: '#1f4e79' };

export const uid = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Stack {
  env: TestWorkflowEnvironment;
  database: Database;
  db: Database['db'];
  taskQueue: string;
  mailDir: string;
  app: ReturnType<typeof createApp>;
  call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    opts?: { key?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  startWorker(overrides?: Partial<ActivityDeps>): Promise<Worker>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** What the global setup provided, if it ran (it does not outside vitest). */
function provided<K extends 'temporalAddress' | 'embeddedDatabaseSnapshot'>(key: K): ProvidedContext[K] | undefined {
  try {
    return inject(key);
  } catch {
    return undefined;
  }
}

/** PostgreSQL (DATABASE_URL, migrated by the global setup), or an embedded in-memory database of the file's own. */
export async function openTestDatabase(): Promise<Database> {
  if (process.env.DATABASE_URL) return openDatabase({ url: process.env.DATABASE_URL, migrate: false, poolSize: 5 });
  const snapshot = provided('embeddedDatabaseSnapshot');
  return snapshot ? openSnapshot(snapshot) : openDatabase({ embeddedDir: 'memory://' });
}

/**
 * The dev server every file shares (the global setup's; `close()` only disconnects from it), or a
 * time-skipping test server of the file's own: skipped time is global to a server.
 */
async function temporalEnvironment(timeSkipping: boolean): Promise<TestWorkflowEnvironment> {
  if (timeSkipping) {
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: await temporalExecutable('test-server') },
    });
    // The dev server takes them as start flags; the time-skipping server through the operator API.
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
    return env;
  }
  const address = provided('temporalAddress');
  if (address) return TestWorkflowEnvironment.createFromExistingServer({ address, namespace: 'default' });
  // Outside vitest (scripts/record-histories.ts), or with the CLI left to the SDK to download.
  return TestWorkflowEnvironment.createLocal({
    server: { executable: await temporalExecutable('cli'), searchAttributes: CASE_SEARCH_ATTRIBUTES },
  });
}

export async function startStack(
  opts: {
    timeSkipping?: boolean;
    worker?: boolean;
    wrapActivities?: CaseWorkerOptions['wrapActivities'];
    bundlePath?: string;
  } = {},
): Promise<Stack> {
  const env = await temporalEnvironment(opts.timeSkipping ?? false);
  const database = await openTestDatabase();
  const taskQueue = uid('returns');
  const mailDir = mkdtempSync(join(tmpdir(), 'returns-mail-'));
  const app = createApp({
    db: database.db,
    temporal: env.client,
    taskQueue,
    adminApiKey: ADMIN_KEY,
    settleWaitMs: 5000,
    allowPrivateWebhookTargets: true, // webhook tests deliver to loopback stand-ins
    linkSecret: TEST_LINK_SECRET,
    readiness: {
      database: () => database.ping(),
      temporal: async () => {
        await env.client.workflowService.getSystemInfo({});
      },
    },
  });

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const stack: Stack = {
    env,
    database,
    db: database.db,
    taskQueue,
    mailDir,
    app,
    async call(method, path, body, o = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${o.key ?? ADMIN_KEY}`, ...o.headers };
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await app.request(path, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed as any, headers: res.headers };
    },
    async startWorker(overrides = {}) {
      worker = await createCaseWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        bundlePath: opts.bundlePath ?? inject('workflowBundle'),
        deps: {
          db: database.db,
          mail: createMailSender({ mailDir }),
          publicUrl: 'http://returns.test',
          temporal: env.client,
          taskQueue,
          warehouse: DEFAULT_WAREHOUSE,
          carriers: {},
          payments: {},
          allowPrivateWebhookTargets: true,
          brand: TEST_BRAND,
          linkSecret: TEST_LINK_SECRET,
          ...overrides,
        },
        wrapActivities: opts.wrapActivities,
      });
      running = worker.run();
      return worker;
    },
    async stopWorker() {
      if (!worker) return;
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      worker = undefined;
    },
    async close() {
      await stack.stopWorker();
      await env.teardown(); // the shared dev server: disconnects only; a server of its own: stops it
      await database.close();
    },
  };
  if (opts.worker !== false) await stack.startWorker();
  return stack;
}

/** Reference data for one case: a product, a customer and a delivered order, all with fresh ids. */
export async function seedOrder(
  stack: Stack,
  o: {
    quantity?: number;
    unitPrice?: number;
    vatRate?: number;
    deliveredDaysAgo?: number;
    returnable?: boolean;
    country?: string;
    stock?: number;
    exportReference?: string;
  } = {},
) {
  const sku = uid('SKU');
  const orderId = uid('ORD');
  const customerId = uid('CUS');
  const delivered = new Date(Date.now() - (o.deliveredDaysAgo ?? 3) * 86_400_000);
  const product = await stack.call('PUT', `/v1/products/${sku}`, {
    name: 'Wool sweater',
    category: 'apparel',
    price: o.unitPrice ?? 79_900,
    currency: 'NOK',
    stock: o.stock ?? 5,
    returnable: o.returnable ?? true,
  });
  if (product.status !== 200) throw new Error(`product: ${JSON.stringify(product.body)}`);
  const order = await stack.call('POST', '/v1/orders', {
    id: orderId,
    customer: {
      id: customerId,
      email: `${customerId}@example.no`,
      name: 'Kari Nordmann',
      locale: 'nb-NO',
      country: o.country ?? 'NO',
    },
    currency: 'NOK',
    placedAt: new Date(delivered.getTime() - 2 * 86_400_000).toISOString(),
    deliveredAt: delivered.toISOString(),
    ...(o.exportReference ? { exportReference: o.exportReference } : {}),
    lines: [
      {
        id: 'L1',
        sku,
        name: 'Wool sweater',
        quantity: o.quantity ?? 2,
        unitPrice: o.unitPrice ?? 79_900,
        vatRate: o.vatRate ?? 25,
      },
    ],
  });
  if (order.status !== 201) throw new Error(`order: ${JSON.stringify(order.body)}`);
  return { sku, orderId, customerId };
}

/** Polls the case view until `done` holds (the projection is written by activities, asynchronously). */
export async function waitForCase(
  stack: Stack,
  id: string,
  done: (c: CaseDetail) => boolean,
  timeoutMs = 20_000,
): Promise<CaseDetail> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await stack.call<CaseDetail>('GET', `/v1/returns/${id}`);
    if (res.status === 200 && done(res.body)) return res.body;
    if (Date.now() > until) throw new Error(`case ${id} did not get there; last: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
