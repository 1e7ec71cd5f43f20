/**
 * One bench run: a Temporal dev server, the baseline's worker and the service from dist/ (dev mode
 * with the embedded database, or API + worker processes when DATABASE_URL is set), then the parts
 * in order — lifecycle, stuck list and analytics, API latency, webhooks, worker RSS, scale-out —
 * and everything stopped again. Answers the readings for bench/report.ts.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { prepareDist } from '../scripts/stack/dist.js';
import { logger, stopProcess, tempDir } from '../scripts/stack/processes.js';
import { temporalServer } from '../scripts/stack/temporal.js';
import { benchCreates, benchGets, benchScans, rateJob } from './api-latency.js';
import { Api } from './http.js';
import { benchLifecycle, startBaselineWorker, type Baseline } from './lifecycle-vs-baseline.js';
import { connectTemporal } from './lifecycle.js';
import { freshOrderCount, rateOrders, type BenchOptions } from './options.js';
import { summarizeProfile } from './profile.js';
import type { Readings } from './report.js';
import { benchScaleOut } from './scale.js';
import { ADMIN_API_KEY, startApp, STACK_TASK_QUEUE, workerTuningEnv, type AppStack } from './stack.js';
import { benchStuckList, seedFreshOrders } from './stuck-list.js';
import { benchWebhooks } from './webhooks.js';
import { benchWorkerRss } from './worker-rss.js';

const log = logger('bench');

export async function runBench(o: BenchOptions): Promise<Readings> {
  const workDir = tempDir('bench-');
  const distDir = await prepareDist({ build: o.build, prefix: 'bench', log });
  const temporal = await temporalServer(workDir, log);
  log(`Temporal ${temporal.address}; logs in ${workDir}`);
  const client = await connectTemporal(temporal.address);
  const needsBaseline = o.parts.has('lifecycle') || o.scale;
  const baseline: Baseline | undefined = needsBaseline
    ? {
        worker: await startBaselineWorker(workDir, temporal.address, o.run.baselineQueue),
        taskQueue: o.run.baselineQueue,
      }
    : undefined;
  const profileDir = join(workDir, 'profiles');
  if (o.profile) mkdirSync(profileDir, { recursive: true });
  const stack = await startApp({
    distDir,
    workDir,
    temporalAddress: temporal.address,
    databaseUrl: process.env.DATABASE_URL,
    ...(o.profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
  });
  log(`service: ${stack.kind === 'embedded' ? 'dev mode, embedded database' : 'API + worker on PostgreSQL'}`);
  const readings: Readings = { database: stack.kind };

  if (o.parts.has('lifecycle')) {
    readings.lifecycle = await benchLifecycle(stack, client, temporal, baseline!, {
      prefix: `${o.run.id}L`,
      sku: o.run.sku,
      cases: o.sizes.lifecycleCases,
      concurrency: o.sizes.concurrency,
    });
  }
  if (o.profile) {
    // The profile covers start-up and the lifecycle: stop the processes so they write it.
    await stack.stop();
    readings.profile = readdirSync(profileDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => summarizeProfile(join(profileDir, f)));
    await stack.restart();
  }
  const fresh = { prefix: o.run.fresh, count: freshOrderCount(o) };
  if (o.parts.has('stuck-list')) {
    log(`stuck list and analytics over ${o.sizes.seededCases} cases seeded in SQL (and ${fresh.count} fresh orders)`);
    const api = new Api(() => stack.apiUrls);
    readings.stuckList = await benchStuckList(stack, api, `${o.run.id}S`, o.sizes.seededCases, o.run.sku, fresh);
  } else if (fresh.count > 0) {
    log(`${fresh.count} fresh orders seeded in SQL`);
    await seedFreshOrders(stack, fresh, o.run.sku);
  }
  Object.assign(readings, await loadAndWorker(o, stack, client, workDir, readings));
  await stack.stop();
  if (o.scale) readings.scale = await benchScaleOut(o, { workDir, distDir }, temporal, client, baseline!);
  if (baseline) await stopProcess(baseline.worker);
  await client.connection.close();
  await temporal.stop();
  return readings;
}

/** API latency, webhooks and the worker's RSS, in that order: the RSS reading counts the cases the create run opened. */
async function loadAndWorker(
  o: BenchOptions,
  stack: AppStack,
  client: Client,
  workDir: string,
  before: Readings,
): Promise<Pick<Readings, 'api' | 'webhooks' | 'worker'>> {
  const { sizes } = o;
  const out: Pick<Readings, 'api' | 'webhooks' | 'worker'> = {};
  const url = stack.apiUrls[0]!;
  const api = new Api(() => stack.apiUrls);
  const job = rateJob(url, sizes.rate, sizes.loadSeconds, ADMIN_API_KEY);
  const orderIds = Array.from({ length: freshOrderCount(o) }, (_, i) => `${o.run.fresh}-O${i}`);
  let get: Awaited<ReturnType<typeof benchGets>> | undefined;
  let create: Awaited<ReturnType<typeof benchCreates>> | undefined;
  if (o.parts.has('api')) {
    log(`GET /v1/returns/:id at ${sizes.rate}/s for ${sizes.loadSeconds} s`);
    get = await benchGets(workDir, job, before.lifecycle!.cases.caseIds);
  }
  if (o.parts.has('webhooks')) {
    log(`webhooks: as fast as they are taken, ${sizes.webhookSeconds} s`);
    out.webhooks = await benchWebhooks(workDir, url, sizes.webhookSeconds);
  }
  if (o.parts.has('api')) {
    log(`POST /v1/returns at ${sizes.rate}/s for ${sizes.loadSeconds} s`);
    create = await benchCreates(workDir, job, orderIds.slice(0, rateOrders(sizes)));
  }
  if (o.parts.has('worker')) {
    // Then more open cases for the RSS reading, for at most the drain budget.
    const alreadyOpened = create?.created.length ?? 0;
    const from = create ? rateOrders(sizes) : 0;
    out.worker = {
      ...(await benchWorkerRss(api, client, stack.workerProcs[0]!, {
        taskQueue: STACK_TASK_QUEUE,
        orderIds: orderIds.slice(from, from + Math.max(0, sizes.openCases - alreadyOpened)),
        alreadyOpened,
        concurrency: sizes.openConcurrency,
        drainSeconds: sizes.drainSeconds,
      })),
      tuning: workerTuningEnv(),
    };
  }
  if (get && create) {
    const scan = await benchScans(workDir, job, api, `${o.run.fresh}-`, before.lifecycle!.cases.trackingNumbers);
    out.api = { get, create: create.result, createdCases: create.created.length, scan };
  }
  return out;
}
