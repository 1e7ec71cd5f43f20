/**
 * The state one return case carries through its workflow, and the few moves every step is made
 * of: `enter` (the only way the status changes), `record` (a timeline entry), `announce` (timeline
 * entry, then the customer's e-mail) and `waitFor` (an event or a cancel, within a deadline).
 */
import {
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
} from '@temporalio/workflow';
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

/** Waits that re-arm on a deadline a manager moved; cases recorded before it wait as they did. */
export const DEADLINE_EXTENSION_PATCH = 'deadline-extension-v1';

/**
 * Projection writes (timeline + case row) run as local activities: a short DB write each, done in
 * the workflow task that caused it instead of a server round trip of their own (11 of a completed
 * case's 22 activities were these). Cases recorded before it schedule them as they did.
 */
export const LOCAL_PROGRESS_PATCH = 'local-progress-v1';

// Effects must happen eventually: retry without a cap, backing off to a minute.
const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' };

export const acts = proxyActivities<CaseActivities>({ startToCloseTimeout: '1 minute', retry });

/**
 * The ledger's own writes (stock movements, credit notes, the refund plan) are short, idempotent
 * DB transactions too: local activities as well. Cases recorded before it schedule them as they did.
 */
export const LOCAL_LEDGER_PATCH = 'local-ledger-v1';

type LedgerActivities = Pick<CaseActivities, 'moveStock' | 'issueCreditNote' | 'planRefunds'>;

const localActs = proxyLocalActivities<Pick<CaseActivities, 'recordProgress'> & LedgerActivities>({
  startToCloseTimeout: '1 minute',
  retry,
});

/** The ledger's activities, local unless the case's history says it ran them as scheduled ones. */
export const ledger = (): LedgerActivities => (patched(LOCAL_LEDGER_PATCH) ? localActs : acts);

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
  /**
   * Waits for `done` or a cancel; false when `ms` passed first (no `ms`: no deadline). A wait that
   * runs to the state's deadline ends at the moved deadline instead when a manager extended it; a
   * wait without one (the case is stuck) marks the case stuck again when an extension runs out.
   */
  waitFor(done: () => boolean, ms?: number): Promise<boolean>;
  /** Moves the current wait's deadline (extendDeadline update): `deadline` set, `stuck` cleared. */
  moveDeadline(to: string): void;
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
  /** The deadline `enter` set for the current state, and the one a manager moved it to. */
  let setDeadlineMs: number | null = null;
  let movedDeadlineMs: number | null = null;
  /** Counts moves, so a wait can wake on one. */
  let deadlineMoves = 0;
  let deadlineMovable = false;
  /** The latest stuck entry, repeated when an extended deadline runs out too. */
  let lastStuck: (TimelineEvent & { detail: { reason: string } }) | undefined;
  let restuck = 0;

  /** waitFor with deadlines that may move (DEADLINE_EXTENSION_PATCH). */
  async function waitMovable(settled: () => boolean, ms: number | undefined): Promise<boolean> {
    const start = Date.now();
    // Waits that run up to the state's deadline follow its moves; shorter ones (a reminder) keep their time.
    const bound = ms !== undefined && setDeadlineMs !== null && start + ms >= setDeadlineMs;
    for (;;) {
      const until =
        ms === undefined
          ? movedDeadlineMs !== null && !state.stuck
            ? movedDeadlineMs
            : undefined
          : bound && movedDeadlineMs !== null
            ? Math.max(start + ms, movedDeadlineMs)
            : start + ms;
      const seen = deadlineMoves;
      const wake = () => settled() || deadlineMoves !== seen;
      if (until === undefined) await condition(wake);
      else await condition(wake, Math.max(until - Date.now(), 1));
      if (settled()) return true;
      if (deadlineMoves !== seen) continue;
      if (ms !== undefined) return false;
      // Stuck, extended, and the extension ran out: stuck again, waiting on without a deadline.
      if (lastStuck) {
        restuck++;
        await ctx.markStuck({ ...lastStuck, key: `${lastStuck.key}:after_extension:${restuck}` });
      } else movedDeadlineMs = null;
    }
  }

  async function write(
    event: TimelineEvent,
    withCase: boolean,
    inspectedLines?: ProgressInput['inspectedLines'],
  ): Promise<void> {
    const recordProgress = patched(LOCAL_PROGRESS_PATCH) ? localActs.recordProgress : acts.recordProgress;
    await recordProgress({
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
      const deadlineMs = waitingFor && opts.waitMs !== undefined ? Date.now() + opts.waitMs : null;
      // A state that carries the same deadline on (in transit: the parcel's) keeps a manager's extension.
      const keepsMove = movedDeadlineMs !== null && deadlineMs !== null && deadlineMs === setDeadlineMs;
      if (!keepsMove) movedDeadlineMs = null;
      setDeadlineMs = deadlineMs;
      state.deadline = deadlineMs === null ? null : new Date(keepsMove ? movedDeadlineMs! : deadlineMs).toISOString();
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
      lastStuck = event;
      await write(event, true);
    },
    waitFor(done, ms) {
      const settled = () => done() || inbox.cancel !== undefined;
      if (patched(DEADLINE_EXTENSION_PATCH)) {
        deadlineMovable = true;
        return waitMovable(settled, ms);
      }
      return ms === undefined ? condition(settled).then(() => true) : condition(settled, Math.max(ms, 1));
    },
    moveDeadline(to) {
      movedDeadlineMs = Date.parse(to);
      state.deadline = to;
      state.stuck = false;
      deadlineMoves++;
    },
    gate: () => ({
      status: state.status,
      waitingFor: state.waitingFor,
      settling: state.settling,
      cancelRequested: inbox.cancel !== undefined,
      decided: inbox.approval !== undefined,
      parcelIn: inbox.scan !== undefined,
      paidOut: inbox.refunds.size > 0,
      deadline: state.deadline,
      deadlineMovable,
    }),
  };
  return ctx;
}
