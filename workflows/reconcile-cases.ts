/**
 * Run every minute by the `reconcile-cases` schedule (runtime/worker.ts): starts the workflow of
 * every case left in `requested` without one (activities/reconcile.ts) and answers how many.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';
import type { ReconcileOptions, ReconcileResult } from '../activities/reconcile.js';

const { startOrphanedCases } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '5 minutes',
  // The next scheduled run tries again anyway.
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

export async function reconcileCases(opts: ReconcileOptions = {}): Promise<ReconcileResult> {
  return startOrphanedCases(opts);
}
