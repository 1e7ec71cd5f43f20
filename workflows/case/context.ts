/**
 * The state one return case carries through its workflow, and the few moves every step is made
 * of: `enter` (the only way the status changes), `record` (a timeline entry), `announce` (timeline
 * entry, then the customer's e-mail) and `waitFor` (an event or a cancel, within a deadline).
 */
import { condition, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { CaseActivities, ProgressInput } from '../../activities/index.js';
import type { EmailKind } from '../../activities/email.js';
import type { RefundState } from '../../activities/refunds.js';
import type { CaseGate } from '../../domain/case-guards.js';
import { isFinal, type CaseStatus, type WaitingFor } from '../../domain/case-status.js';
import {
  ReturnStatusAttribute,
  WaitingForAttribute,
  WaitingSinceAttribute,
  type ApprovalInput,
  type CancelInput,
  type CaseState,
  type InspectionInput,
  type ParcelScan,
  type ParcelTransit,
  type ReturnCaseInput,
} from '../messages.js';

export const acts = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  // Effects must happen eventually: retry without a cap, backing off to a minute.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** What the outside world told the case; each slot is filled once (later messages change nothing). */
export interface CaseInbox {
  scan?: ParcelScan;
  /** The first carrier in-transit report; applied (once) while the case waits for its parcel. */
  transit?: ParcelTransit;
  transitApplied: boolean;
  inspection?: InspectionInput;
  cancel?: CancelInput;
  approval?: ApprovalInput;
  /** The case's refunds as last known (activities' answers, provider notifications, finance). */
  refunds: Map<string, RefundState>;
  /** Counts refund news, so a wait can wake on any of them. */
  refundNews: number;
}

export interface TimelineEvent {
  key: string;
  type: string;
  detail?: Record<string, unknown>;
}

export interface CaseContext {
  readonly input: ReturnCaseInput;
  readonly state: CaseState;
  readonly inbox: CaseInbox;
  /** Event keys already on the timeline: an update answers once the event it caused is visible. */
  readonly recorded: Set<string>;
  /** Moves the case on: memory, search attributes and the DB projection (timeline) together. */
  enter(status: CaseStatus, waitingFor: WaitingFor | null, event: TimelineEvent, opts?: EnterOptions): Promise<void>;
  /** A timeline entry; `withCase` also writes the case row (e.g. a change of `stuck`). */
  record(event: TimelineEvent, opts?: { withCase?: boolean }): Promise<void>;
  /** A timeline entry, then the customer's e-mail about it. */
  announce(event: TimelineEvent, email: EmailKind): Promise<void>;
  /** The case missed a deadline but goes on waiting: it shows as stuck, with why. */
  markStuck(event: TimelineEvent & { detail: { reason: string } }): Promise<void>;
  /** Waits for `done` or a cancel; false when `ms` passed first (no `ms`: no deadline). */
  waitFor(done: () => boolean, ms?: number): Promise<boolean>;
  /** The command gates' view of the case (domain/case-guards.ts). */
  gate(): CaseGate;
}

export interface EnterOptions {
  /** How long the case may wait in this state; sets `deadline`. */
  waitMs?: number;
  inspectedLines?: ProgressInput['inspectedLines'];
}

export function openCase(input: ReturnCaseInput): CaseContext {
  const { caseId } = input;
  const state: CaseState = {
    status: 'requested',
    waitingFor: null,
    waitingSince: null,
    deadline: null,
    stuck: false,
    settling: false,
  };
  const inbox: CaseInbox = { transitApplied: false, refunds: new Map(), refundNews: 0 };
  const recorded = new Set<string>();
  const nowIso = () => new Date().toISOString();

  async function write(
    event: TimelineEvent,
    withCase: boolean,
    inspectedLines?: ProgressInput['inspectedLines'],
  ): Promise<void> {
    await acts.recordProgress({
      caseId,
      eventKey: event.key,
      at: nowIso(),
      type: event.type,
      detail: event.detail ?? {},
      case: withCase
        ? {
            status: state.status,
            waitingFor: state.waitingFor,
            waitingSince: state.waitingSince,
            deadline: state.deadline,
            stuck: state.stuck,
            stuckReason: state.stuck ? ((event.detail?.reason as string | undefined) ?? null) : null,
            closed: isFinal(state.status),
          }
        : undefined,
      inspectedLines,
    });
    recorded.add(event.key);
  }

  const ctx: CaseContext = {
    input,
    state,
    inbox,
    recorded,
    async enter(status, waitingFor, event, opts = {}) {
      const at = nowIso();
      state.status = status;
      state.waitingFor = waitingFor;
      state.waitingSince = waitingFor ? at : null;
      state.deadline =
        waitingFor && opts.waitMs !== undefined ? new Date(Date.now() + opts.waitMs).toISOString() : null;
      state.stuck = false;
      upsertSearchAttributes([
        { key: ReturnStatusAttribute, value: status },
        { key: WaitingForAttribute, value: waitingFor },
        { key: WaitingSinceAttribute, value: waitingFor ? new Date(at) : null },
      ]);
      await write(event, true, opts.inspectedLines);
    },
    record: (event, opts = {}) => write(event, opts.withCase ?? false),
    async announce(event, email) {
      await write(event, false);
      await acts.sendCaseEmail({ caseId, kind: email });
    },
    async markStuck(event) {
      state.stuck = true;
      await write(event, true);
    },
    waitFor(done, ms) {
      const settled = () => done() || inbox.cancel !== undefined;
      return ms === undefined ? condition(settled).then(() => true) : condition(settled, Math.max(ms, 1));
    },
    gate: () => ({
      status: state.status,
      waitingFor: state.waitingFor,
      settling: state.settling,
      cancelRequested: inbox.cancel !== undefined,
      decided: inbox.approval !== undefined,
      parcelIn: inbox.scan !== undefined,
      paidOut: inbox.refunds.size > 0,
    }),
  };
  return ctx;
}
