/**
 * Part 1 of the bench: the lifecycle through the API (bench/lifecycle.ts runCases) against the fixed
 * baseline (bench/baseline-workflow.ts) on the same Temporal server, with each process's CPU time.
 */
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { ROOT } from '../scripts/stack/dist.js';
import { logger, logTail, startProcess, waitForOutput, type Proc } from '../scripts/stack/processes.js';
import type { TemporalServer } from '../scripts/stack/temporal.js';
import { Api, seedReference } from './http.js';
import { caseShape, runBaseline, runCases, seedOrders } from './lifecycle.js';
import { cpuDuring } from './process-stats.js';
import type { AppStack } from './stack.js';

const log = logger('bench');

/** The baseline's worker, a process of its own; it takes the case worker's WORKER_* settings from the environment. */
export async function startBaselineWorker(workDir: string, address: string, taskQueue: string): Promise<Proc> {
  const proc = startProcess(
    'baseline-worker',
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench', 'baseline-worker.ts')],
    { ...process.env, TEMPORAL_ADDRESS: address, BASELINE_TASK_QUEUE: taskQueue },
    join(workDir, 'baseline-worker.log'),
  );
  await waitForOutput(proc, 'baseline worker running', 180_000).catch((err: Error) => {
    throw new Error(`${err.message}: ${logTail(proc.logFile)}`);
  });
  return proc;
}

export interface Baseline {
  worker: Proc;
  taskQueue: string;
}

/** `cases` lifecycles `concurrency` at a time (after 4 untimed warm-up cases), then as many baseline workflows. */
export async function benchLifecycle(
  stack: AppStack,
  client: Client,
  temporal: TemporalServer,
  baseline: Baseline,
  run: { prefix: string; sku: string; cases: number; concurrency: number },
) {
  const api = new Api(() => stack.apiUrls);
  await seedReference(api, run.sku);
  const orderIds = await seedOrders(api, run.prefix, run.cases, run.sku);
  // A few cases first, untimed: JIT, caches, connections.
  const warm = await seedOrders(api, `${run.prefix}W`, 4, run.sku);
  await runCases(api, client, warm, 4);
  log(`lifecycle: ${run.cases} cases, ${run.concurrency} at a time`);
  const procs = {
    temporal: temporal.proc(),
    ...Object.fromEntries([...stack.apiProcs, ...stack.workerProcs].map((p) => [p.name, p])),
  };
  const cases = await cpuDuring(procs, () => runCases(api, client, orderIds, run.concurrency));
  log(`lifecycle: ${cases.result.perSec}/s; baseline: ${run.cases} workflows`);
  const base = await cpuDuring({ temporal: temporal.proc(), 'baseline-worker': baseline.worker }, () =>
    runBaseline(client, baseline.taskQueue, run.prefix, run.cases, run.concurrency),
  );
  const shape = await caseShape(client, cases.result.caseIds[0]!);
  return { cases: cases.result, caseCpu: cases.cpu, baseline: base.result, baselineCpu: base.cpu, shape };
}

export type LifecycleResult = Awaited<ReturnType<typeof benchLifecycle>>;
