/** Builds the API and the worker from configuration; the entry points (dev, api, worker) combine them. */
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import pino, { type Logger } from 'pino';
import { createMailSender } from '../activities/mail-transport.js';
import { createApp } from '../api/app.js';
import { openDatabase, type Database } from '../db/client.js';
import { carrierSettings, publicUrl, warehouseAddress, type Config } from './config.js';
import { connectClient, connectWorker } from './temporal-connection.js';
import { createCaseWorker } from './worker.js';

export function createLogger(config: Config): Logger {
  return pino({ level: config.LOG_LEVEL, base: { service: 'returns-orchestrator', mode: config.mode } });
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
  const app = createApp({
    db: database.db,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    adminApiKey: args.adminApiKey,
    warehouse: warehouseAddress(config),
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
  /** Starts the webhook delivery workflows; default: a client of its own to `address` (TEMPORAL_ADDRESS). */
  temporal?: Client;
  address?: string;
}): Promise<{ worker: Worker; done: Promise<void> }> {
  const { config } = args;
  const ownClient = args.temporal ? undefined : await connectClient(config, args.address ?? config.TEMPORAL_ADDRESS!);
  const temporal = args.temporal ?? ownClient!;
  const worker = await createCaseWorker({
    connection: args.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deps: {
      db: args.database.db,
      mail: createMailSender({ smtpUrl: config.SMTP_URL, mailDir: join(config.DATA_DIR, 'mail') }),
      publicUrl: publicUrl(config),
      temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      carriers: carrierSettings(config),
      warehouse: warehouseAddress(config),
    },
  }).catch(async (err: unknown) => {
    await ownClient?.connection.close();
    throw err;
  });
  const done = worker.run().finally(() => ownClient?.connection.close());
  return { worker, done };
}

export { connectClient, connectWorker };
