/** Writes each state change to the DB projection (case row + timeline) that the API reads. */
import { and, eq, sql } from 'drizzle-orm';
import { caseEvents, caseLines, returnCases } from '../db/schema.js';
import type { ActivityDeps } from './deps.js';

export interface ProgressInput {
  caseId: string;
  /** Unique per case and step: a retried or replayed step adds no second timeline entry. */
  eventKey: string;
  at: string;
  type: string;
  detail: Record<string, unknown>;
  case?: {
    status: string;
    waitingFor: string | null;
    waitingSince: string | null;
    deadline: string | null;
    stuck: boolean;
    stuckReason: string | null;
    closed: boolean;
  };
  inspectedLines?: { orderLineId: string; condition: string; disposition: string }[];
}

export function projectionActivities({ db }: ActivityDeps) {
  return {
    async recordProgress(p: ProgressInput): Promise<void> {
      await db.transaction(async (tx) => {
        const inserted = await tx
          .insert(caseEvents)
          .values({ caseId: p.caseId, eventKey: p.eventKey, at: new Date(p.at), type: p.type, detail: p.detail })
          .onConflictDoNothing()
          .returning({ id: caseEvents.id });
        if (inserted.length === 0) return; // already recorded
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
          await tx.update(returnCases).set({ updatedAt: sql`greatest(${returnCases.updatedAt}, ${p.at}::timestamptz)` }).where(eq(returnCases.id, p.caseId));
        }
      });
    },
  };
}
