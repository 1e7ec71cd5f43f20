/** Builds the API and the worker from configuration; the entry points (dev, api, worker) combine them. */
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createMailSender } from '../activities/mail-transport.js';
import { openDatabase, type Database } from '../db/client.js';
import { DEFAULT_WAREHOUSE } from '../documents/label-pdf.js';
import { paymentProviders } from '../payments/index.js';
import { durationMs } from '../domain/duration.js';
import {
  brand,
  carrierSettings,
  limitSettings,
  linkSecret,
  paymentSettings,
  publicUrl,
  warehouseAddress,
  workerTuning,
  type Config,
} from './config.js';
import { createRedactingLogger } from './logging.js';
import { connectClient, connectWorker } from './temporal-connection.js';
import { createCaseWorker, ensureReconcileSchedule } from './worker.js';

export function createLogger(config: Config): Logger {
  // Redacted and scrubbed: no key, secret or payment token in the logs (runtime/logging.ts).
  return createRedactingLogger({
    level: config.LOG_LEVEL,
    base: { service: 'returns-orchestrator', mode: config.mode },
  });
}

export function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase({
    url: config.DATABASE_URL,
    embeddedDir: join(config.DATA_DIR, 'pglite'),
    poolSize: config.DATABASE_POOL_SIZE,
  });
}

export async function startApi(args: {
  config: Config;
  database: Database;
  temporal: Client;
  adminApiKey: string;
  logger: Logger;
}): Promise<{ server: ServerType; close(): Promise<void> }> {
  const { config, database, temporal, logger } = args;
  // Loaded here, not at the top: a worker process never holds the API (routes, schemas, Swagger UI).
  const { createApp } = await import('../api/app.js');
  const app = createApp({
    db: database.db,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    adminApiKey: args.adminApiKey,
    warehouse: warehouseAddress(config),
    payments: paymentProviders(paymentSettings(config)),
    limits: limitSettings(config),
    allowPrivateWebhookTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    linkSecret: linkSecret(config),
    brand: brand(config),
    temporalUiUrl: config.TEMPORAL_UI_URL,
    logger,
    readiness: {
      database: () => database.ping(),
      temporal: async () => {
        await temporal.workflowService.getSystemInfo({});
      },
    },
  });
  const server = serve({ fetch: app.fetch, port: config.PORT });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function startWorker(args: {
  config: Config;
  database: Database;
  connection: NativeConnection;
  logger: Logger;
  /** For the activities: starts the webhook delivery workflows and tells cases carrier events. */
  temporal: Client;
}): Promise<{ worker: Worker; done: Promise<void> }> {
  const { config, temporal } = args;
  const worker = await createCaseWorker({
    connection: args.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    tuning: workerTuning(config),
    deps: {
      db: args.database.db,
      mail: createMailSender({ smtpUrl: config.SMTP_URL, mailDir: join(config.DATA_DIR, 'mail') }),
      publicUrl: publicUrl(config),
      temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      carriers: carrierSettings(config),
      payments: paymentProviders(paymentSettings(config)),
      warehouse: warehouseAddress(config) ?? DEFAULT_WAREHOUSE,
      allowPrivateWebhookTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      brand: brand(config),
      linkSecret: linkSecret(config),
    },
  });
  // Once the worker is there to run it: the reconciler of cases left without a workflow.
  await ensureReconcileSchedule(temporal, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    everyMs: durationMs(config.RECONCILE_EVERY),
    olderThanMs: durationMs(config.RECONCILE_AFTER),
  });
  return { worker, done: worker.run() };
}

export { connectClient, connectWorker };
