/**
 * The reconciler (run every minute by the `reconcile-cases` schedule, workflows/reconcile-cases.ts):
 * a case is committed before its workflow is started, so a crash in between — or a failed start
 * whose withdrawal failed too — leaves a case in `requested` with no workflow. Every case in
 * `requested` for longer than a minute whose workflow does not exist gets it started from its rows.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { and, asc, eq, inArray, lt } from 'drizzle-orm';
import { ensureCaseWorkflow } from '../cases/case-workflow.js';
import { returnCases } from '../db/schema.js';
import { caseWorkflowId } from '../workflows/messages.js';
import type { ActivityDeps } from './deps.js';

/** A case younger than this may still be between its commit and its workflow start. */
export const ORPHAN_AFTER_MS = 60_000;
/** Cases looked at per run; the next run (a minute later) takes the rest. */
export const RECONCILE_BATCH = 200;

export interface ReconcileOptions {
  /** The clock (ISO 8601); default now. */
  now?: string;
  /** Minimum age of a case in `requested` to count as orphaned; default ORPHAN_AFTER_MS. */
  olderThanMs?: number;
  /** Only these cases (tests, whose database may be shared with other suites). */
  caseIds?: string[];
  limit?: number;
}

export interface ReconcileResult {
  /** Cases in `requested` old enough to be looked at. */
  checked: number;
  /** Cases whose missing workflow was started. */
  started: string[];
  /** Cases that could not be checked or started (tried again next run). */
  failed: { caseId: string; error: string }[];
}

export function reconcileActivities({ db, temporal, taskQueue }: Pick<ActivityDeps, 'db' | 'temporal' | 'taskQueue'>) {
  return {
    async startOrphanedCases(opts: ReconcileOptions = {}): Promise<ReconcileResult> {
      const now = opts.now ? new Date(opts.now) : new Date();
      const cutoff = new Date(now.getTime() - (opts.olderThanMs ?? ORPHAN_AFTER_MS));
      if (opts.caseIds && opts.caseIds.length === 0) return { checked: 0, started: [], failed: [] };
      const rows = await db
        .select({ id: returnCases.id })
        .from(returnCases)
        .where(
          and(
            eq(returnCases.status, 'requested'),
            lt(returnCases.createdAt, cutoff),
            opts.caseIds ? inArray(returnCases.id, opts.caseIds) : undefined,
          ),
        )
        .orderBy(asc(returnCases.createdAt))
        .limit(opts.limit ?? RECONCILE_BATCH);
      const result: ReconcileResult = { checked: rows.length, started: [], failed: [] };
      for (const { id } of rows) {
        try {
          try {
            // Most cases in `requested` have a workflow (e.g. one waiting for a carrier's settings).
            await temporal.workflow.getHandle(caseWorkflowId(id)).describe();
            continue;
          } catch (err) {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          }
          if ((await ensureCaseWorkflow({ db, temporal, taskQueue }, id)) === 'started') result.started.push(id);
        } catch (err) {
          result.failed.push({ caseId: id, error: (err as Error).message });
        }
      }
      return result;
    },
  };
}
