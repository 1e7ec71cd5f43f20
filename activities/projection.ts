/** Writes each state change to the DB projection (case row + timeline) that the API reads. */
import { and, eq, sql } from 'drizzle-orm';
import { caseEvents, caseLines, returnCases } from '../db/schema.js';
import type { CaseStatus, Condition, Disposition, WaitingFor } from '../domain/case-status.js';
import type { ActivityDeps } from './deps.js';
import { webhookEventFor } from '../domain/webhook-events.js';
import { enqueueWebhookDeliveries, pendingDeliveries, startWebhookDeliveries } from './webhooks.js';

export interface ProgressInput {
  caseId: string;
  /** Unique per case and step: a retried or replayed step adds no second timeline entry. */
  eventKey: string;
  at: string;
  type: string;
  detail: Record<string, unknown>;
  case?: {
    status: CaseStatus;
    waitingFor: WaitingFor | null;
    waitingSince: string | null;
    deadline: string | null;
    stuck: boolean;
    stuckReason: string | null;
    closed: boolean;
  };
  inspectedLines?: { orderLineId: string; condition: Condition; disposition: Disposition }[];
}

export function projectionActivities({ db, temporal, taskQueue }: Pick<ActivityDeps, 'db' | 'temporal' | 'taskQueue'>) {
  return {
    async recordProgress(p: ProgressInput): Promise<void> {
      /** Outbound webhook deliveries this entry enqueued; undefined: the entry was already recorded. */
      const deliveries = await db.transaction(async (tx): Promise<string[] | undefined> => {
        const inserted = await tx
          .insert(caseEvents)
          .values({ caseId: p.caseId, eventKey: p.eventKey, at: new Date(p.at), type: p.type, detail: p.detail })
          .onConflictDoNothing()
          .returning({ id: caseEvents.id });
        if (inserted.length === 0) return undefined; // already recorded
        for (const line of p.inspectedLines ?? []) {
          await tx
            .update(caseLines)
            .set({ condition: line.condition, disposition: line.disposition })
            .where(and(eq(caseLines.caseId, p.caseId), eq(caseLines.orderLineId, line.orderLineId)));
        }
        if (p.case) {
          await tx
            .update(returnCases)
            .set({
              status: p.case.status,
              waitingFor: p.case.waitingFor,
              waitingSince: p.case.waitingSince ? new Date(p.case.waitingSince) : null,
              deadline: p.case.deadline ? new Date(p.case.deadline) : null,
              stuck: p.case.stuck,
              stuckReason: p.case.stuckReason,
              updatedAt: new Date(p.at),
              closedAt: p.case.closed ? new Date(p.at) : null,
            })
            .where(eq(returnCases.id, p.caseId));
        } else {
          await tx
            .update(returnCases)
            .set({ updatedAt: sql`greatest(${returnCases.updatedAt}, ${p.at}::timestamptz)` })
            .where(eq(returnCases.id, p.caseId));
        }
        // Enqueued with the entry: exactly once per endpoint and event.
        return enqueueWebhookDeliveries(tx, {
          caseId: p.caseId,
          eventKey: p.eventKey,
          type: p.type,
          at: p.at,
          detail: p.detail,
          status: p.case?.status,
        });
      });
      if (!webhookEventFor(p.type)) return;
      // A retry (the entry committed, the starts may not have happened) starts what is still pending.
      const ids = deliveries ?? (await pendingDeliveries(db, p.caseId, p.eventKey));
      await startWebhookDeliveries(temporal, taskQueue, ids);
    },
  };
}
