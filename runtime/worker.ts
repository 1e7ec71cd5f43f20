/**
 * The case worker: workflow code (prebundled in production, bundled at start in dev) plus the
 * activities bound to the database and mail sender.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityDeps, type CaseActivities } from '../activities/index.js';
import type { reconcileCases } from '../workflows/reconcile-cases.js';
import { workerTuningFromEnv, type WorkerTuning } from './config.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Written by `npm run build` (scripts/bundle-workflows.ts) next to the compiled runtime. */
export const PREBUILT_BUNDLE = join(here, '..', 'workflow-bundle.js');
export const WORKFLOWS_PATH = join(here, '..', 'workflows', 'index.ts');

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Decorates the bound activities before the worker gets them (the crash test fails them after their effect). */
  wrapActivities?: (activities: CaseActivities) => CaseActivities;
  /** A bundle file; default: the prebuilt one if present, else bundle workflows/ now. */
  bundlePath?: string;
  identity?: string;
  /** Cache and concurrency limits (runtime/config.ts); default, for workers built without a loaded configuration (tests): WORKER_* from the environment. */
  tuning?: WorkerTuning;
}

export function createCaseWorker(opts: CaseWorkerOptions): Promise<Worker> {
  const activities = createActivities(opts.deps);
  const bundlePath = opts.bundlePath ?? (existsSync(PREBUILT_BUNDLE) ? PREBUILT_BUNDLE : undefined);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.identity ? { identity: opts.identity } : {}),
    ...(opts.tuning ?? workerTuningFromEnv()),
    activities: opts.wrapActivities ? opts.wrapActivities(activities) : activities,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
  });
}

export const RECONCILE_SCHEDULE_ID = 'reconcile-cases';

/**
 * The reconciler's schedule: `reconcileCases` every minute on the case task queue, a run still
 * going skips the next, missed runs are not caught up. Created at worker start, or brought up to
 * date when it exists (any number of workers may start at once).
 */
export async function ensureReconcileSchedule(
  client: Client,
  opts: {
    taskQueue: string;
    scheduleId?: string;
    /** How often it runs (RECONCILE_EVERY, default a minute). */
    everyMs?: number;
    /** How long a case sits in `requested` without a workflow before it counts as orphaned (RECONCILE_AFTER). */
    olderThanMs?: number;
  },
): Promise<void> {
  const scheduleId = opts.scheduleId ?? RECONCILE_SCHEDULE_ID;
  const spec = { intervals: [{ every: opts.everyMs ?? 60_000 }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'reconcileCases',
    workflowId: scheduleId,
    taskQueue: opts.taskQueue,
    args: (opts.olderThanMs === undefined ? [] : [{ olderThanMs: opts.olderThanMs }]) as Parameters<
      typeof reconcileCases
    >,
    workflowExecutionTimeout: '10 minutes',
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec, action, policies }));
  }
}
