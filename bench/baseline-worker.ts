/**
 * The baseline's worker process: `tsx bench/baseline-worker.ts` with TEMPORAL_ADDRESS and
 * BASELINE_TASK_QUEUE. The case worker's settings (WORKER_*, runtime/config.ts, with its defaults),
 * the workflow code bundled at start and activities that do nothing.
 */
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { workerTuningFromEnv } from '../runtime/config.js';
import type { BaselineActivities } from './baseline-workflow.js';

const activities: BaselineActivities = {
  step: async () => ({ ok: true }),
};

const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const taskQueue = process.env.BASELINE_TASK_QUEUE ?? 'bench-baseline';
const { code } = await bundleWorkflowCode({
  workflowsPath: fileURLToPath(new URL('./baseline-workflow.ts', import.meta.url)),
  logger: { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: console.error },
});
const connection = await NativeConnection.connect({ address });
const worker = await Worker.create({
  connection,
  taskQueue,
  activities,
  workflowBundle: { code },
  ...workerTuningFromEnv(),
});
console.log('baseline worker running');
await worker.run();
await connection.close();
