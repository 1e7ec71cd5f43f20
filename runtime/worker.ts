/**
 * The case worker: workflow code (prebundled in production, bundled at start in dev) plus the
 * activities bound to the database and mail sender.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityDeps, type CaseActivities } from '../activities/index.js';

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
}

export function createCaseWorker(opts: CaseWorkerOptions): Promise<Worker> {
  const activities = createActivities(opts.deps);
  const bundlePath = opts.bundlePath ?? (existsSync(PREBUILT_BUNDLE) ? PREBUILT_BUNDLE : undefined);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.identity ? { identity: opts.identity } : {}),
    activities: opts.wrapActivities ? opts.wrapActivities(activities) : activities,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
  });
}
