/**
 * Workflow tests without a database or HTTP: the time-skipping test server, a worker on the
 * prebundled workflow code (global setup) and in-memory stub activities that record every call
 * (name, input, server time), so a test asserts the case's sequence of effects. One environment
 * per test file; each case gets its own stub behaviour, looked up by case id.
 */
import { randomBytes } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import type { CaseActivities, ProgressInput } from '../../activities/index.js';
import type { CaseStatus } from '../../domain/case-status.js';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy.js';
import { registerSearchAttributes } from '../../runtime/search-attributes.js';
import { temporalExecutable } from '../../runtime/temporal-binary.js';
import {
  caseState,
  caseWorkflowId,
  type CaseLineInput,
  type CaseState,
  type ReturnCaseInput,
} from '../../workflows/messages.js';

type Input<K extends keyof CaseActivities> = Parameters<CaseActivities[K]>[0];
type Output<K extends keyof CaseActivities> = Awaited<ReturnType<CaseActivities[K]>>;

export type Label = Output<'issueReturnLabel'>;
export type ShipmentRequest = Input<'shipReplacements'>;
export type ShipmentResult = Output<'shipReplacements'>;
export type CreditNoteRequest = Input<'issueCreditNote'>;
export type IssuedCreditNote = Output<'issueCreditNote'>;
export type PollResult = Output<'pollCarrier'>;
export type PlanRefundsRequest = Input<'planRefunds'>;
export type RefundState = Output<'executeRefund'>;

export interface RecordedCall {
  name: keyof CaseActivities;
  /** The case the call is for (refund calls name only their refund: taken from the plan that made it). */
  caseId: string;
  input: any;
  /** Server time (skipped) when the activity was scheduled: timers show as gaps between calls. */
  at: number;
  /** Temporal's attempt number (retries of one activity). */
  attempt: number;
}

/** How the stubs behave for one case; everything optional (defaults: labels issued, goods shipped, notes issued). */
export interface CaseBehaviour {
  /** Merged into the return label, e.g. `{ pollEvery: 'PT6H' }` for a polled carrier. */
  label?: Partial<Label>;
  /** `call` counts this case's shipReplacements calls from 1. */
  shipReplacements?: (req: ShipmentRequest, call: number) => ShipmentResult;
  /** null: nothing left to credit. */
  issueCreditNote?: (req: CreditNoteRequest) => IssuedCreditNote;
  /** The refunds a credit pays out; default none (nothing to pay out: the case goes on at once). */
  planRefunds?: (req: PlanRefundsRequest) => RefundState[];
  /** The authorization hold an immediately shipped replacement gets; default: none (no card on the order). */
  hold?: 'held' | 'failed';
  /** Default: the refund succeeds. */
  executeRefund?: (refund: RefundState, call: number) => RefundState;
  /** May signal the case (`ctx.handle`); may throw (the workflow's poll retry policy applies). */
  pollCarrier?: (ctx: { call: number; attempt: number; handle: WorkflowHandle }) => PollResult | Promise<PollResult>;
  /** Runs before every stub answers (after the call is recorded): await something here to hold an activity. */
  before?: (call: RecordedCall) => void | Promise<void>;
}

export interface StubActivities {
  activities: CaseActivities;
  calls: RecordedCall[];
  behaviours: Map<string, CaseBehaviour>;
}

const notACaseActivity = (name: string) => async (): Promise<never> => {
  throw ApplicationFailure.nonRetryable(`${name} is not a case activity; the case workflow must not call it`);
};

/** In-memory CaseActivities; `client` lets a poll stub signal the case as the real activity would. */
export function createStubActivities(client: () => Client): StubActivities {
  const calls: RecordedCall[] = [];
  const behaviours = new Map<string, CaseBehaviour>();
  let creditNoteSeq = 0;

  /** Refund id → its case and last state (refund activities name only the refund). */
  const refunds = new Map<string, { caseId: string; state: RefundState }>();

  async function record<K extends keyof CaseActivities>(
    name: K,
    input: Input<K>,
  ): Promise<{ behaviour: CaseBehaviour; call: number; attempt: number }> {
    const info = Context.current().info;
    const given = input as { caseId?: string; refundId?: string };
    const caseId = given.caseId ?? refunds.get(given.refundId ?? '')?.caseId ?? '?';
    const call: RecordedCall = {
      name,
      caseId,
      input: structuredClone(input),
      at: info.currentAttemptScheduledTimestampMs,
      attempt: info.attempt,
    };
    calls.push(call);
    const behaviour = behaviours.get(caseId) ?? {};
    await behaviour.before?.(call);
    const n = calls.filter((c) => c.name === name && c.caseId === caseId && c.attempt === 1).length;
    return { behaviour, call: n, attempt: info.attempt };
  }

  function refund(refundId: string, change: Partial<RefundState>): RefundState {
    const known = refunds.get(refundId);
    if (!known) throw ApplicationFailure.nonRetryable(`no refund ${refundId} was planned`);
    known.state = { ...known.state, ...change };
    return known.state;
  }

  const activities: CaseActivities = {
    async recordProgress(p) {
      await record('recordProgress', p);
    },
    async issueReturnLabel(input) {
      const { behaviour } = await record('issueReturnLabel', input);
      return {
        carrier: 'local',
        trackingNumber: `LR${input.caseId}`,
        url: `http://returns.test/v1/returns/${input.caseId}/label`,
        ...behaviour.label,
      };
    },
    async issueParcelLabel(input) {
      await record('issueParcelLabel', input);
      return {
        carrier: 'local',
        trackingNumber: `LR${input.caseId}P${input.parcelNo}`,
        url: `http://returns.test/v1/returns/${input.caseId}/label?parcel=${input.parcelNo}`,
      };
    },
    async sendCaseEmail(input) {
      await record('sendCaseEmail', input);
    },
    async moveStock(input) {
      await record('moveStock', input);
    },
    async issueCreditNote(input) {
      const { behaviour } = await record('issueCreditNote', input);
      if (behaviour.issueCreditNote) return behaviour.issueCreditNote(input);
      return {
        number: `CN-${String(++creditNoteSeq).padStart(6, '0')}`,
        amount: input.draft.amount,
        currency: input.draft.currency,
      };
    },
    async shipReplacements(req) {
      const { behaviour, call } = await record('shipReplacements', req);
      if (behaviour.shipReplacements) return behaviour.shipReplacements(req, call);
      return shipped(req);
    },
    async recordCharge(input) {
      await record('recordCharge', input);
      return { amount: input.amount, currency: input.currency };
    },
    async pollCarrier(input) {
      const { behaviour, call, attempt } = await record('pollCarrier', input);
      if (behaviour.pollCarrier)
        return behaviour.pollCarrier({
          call,
          attempt,
          handle: client().workflow.getHandle(caseWorkflowId(input.caseId)),
        });
      return { polled: 1, newEvents: 0, told: 0 };
    },
    async planRefunds(req) {
      const { behaviour } = await record('planRefunds', req);
      const planned = behaviour.planRefunds?.(req) ?? [];
      for (const r of planned) refunds.set(r.id, { caseId: req.caseId, state: r });
      return planned;
    },
    async executeRefund(input) {
      const { behaviour, call } = await record('executeRefund', input);
      const known = refund(input.refundId, {});
      if (known.status !== 'pending') return known;
      return refund(
        input.refundId,
        behaviour.executeRefund?.(known, call) ?? { status: 'succeeded', providerReference: `PSP-${input.refundId}` },
      );
    },
    async retryRefund(input) {
      await record('retryRefund', input);
      const known = refund(input.refundId, {});
      return known.status === 'failed'
        ? refund(input.refundId, { status: 'pending', attempt: known.attempt + 1, failureReason: null })
        : known;
    },
    async settleRefundManually(input) {
      await record('settleRefundManually', input);
      return refund(input.refundId, { status: 'succeeded', failureReason: null });
    },
    async collectCharge(input) {
      await record('collectCharge', input);
      return {
        status: 'collected',
        amount: 0,
        currency: 'NOK',
        providerReference: 'pi_stub',
        paymentUrl: null,
        reason: '',
        failureReason: null,
      };
    },
    async holdReplacementValue(input) {
      const { behaviour } = await record('holdReplacementValue', input);
      return {
        status: behaviour.hold ?? 'not_held',
        amount: input.amount,
        currency: 'NOK',
        providerReference: behaviour.hold ? 'pi_hold' : null,
        reason: null,
      };
    },
    async releaseHold(input) {
      await record('releaseHold', input);
      return { status: 'released', amount: 0, currency: 'NOK', providerReference: 'pi_hold', reason: null };
    },
    async captureHold(input) {
      await record('captureHold', input);
      return { status: 'captured', amount: 0, currency: 'NOK', providerReference: 'pi_hold', reason: null };
    },
    deliverWebhook: notACaseActivity('deliverWebhook'),
    markWebhookFailed: notACaseActivity('markWebhookFailed'),
    selectCampaignAudience: notACaseActivity('selectCampaignAudience'),
    sendCampaignBatch: notACaseActivity('sendCampaignBatch'),
    finishCampaign: notACaseActivity('finishCampaign'),
    selectCampaignAudiencePage: notACaseActivity('selectCampaignAudiencePage'),
    sendCampaignMessages: notACaseActivity('sendCampaignMessages'),
    campaignState: notACaseActivity('campaignState'),
    startOrphanedCases: notACaseActivity('startOrphanedCases'),
  };
  return { activities, calls, behaviours };
}

/** What the real activity answers when every replacement is in stock. */
export function shipped(req: ShipmentRequest): ShipmentResult {
  return {
    status: 'shipped',
    shipments: req.replacements.map((r, i) => ({
      id: `SHP-${req.caseId}-${i + 1}`,
      sku: r.sku,
      quantity: r.quantity,
      trackingNumber: `LS${req.caseId}${i + 1}`,
    })),
  };
}

export const outOfStock = (req: ShipmentRequest): ShipmentResult => ({
  status: 'out_of_stock',
  skus: req.replacements.map((r) => r.sku),
});

export const uid = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

export const SWEATER: CaseLineInput = {
  orderLineId: 'L1',
  sku: 'SKU-SWEATER',
  name: 'Wool sweater',
  quantity: 2,
  reason: 'too small',
  unitPrice: 79_900,
  vatRate: 25,
};
export const SCARF: CaseLineInput = {
  orderLineId: 'L2',
  sku: 'SKU-SCARF',
  name: 'Silk scarf',
  quantity: 1,
  reason: 'wrong colour',
  unitPrice: 20_000,
  vatRate: 15,
};

/** A return_to_stock case of two sweaters (159 800 NOK minor units) under DEFAULT_POLICY, with fresh ids. */
export function caseInput(
  over: Partial<Omit<ReturnCaseInput, 'policy'>> & { policy?: Partial<Policy> } = {},
): ReturnCaseInput {
  const { policy, ...rest } = over;
  return {
    caseId: uid('RC'),
    orderId: uid('ORD'),
    customerId: uid('CUS'),
    method: 'return_to_stock',
    channel: 'portal',
    currency: 'NOK',
    lines: [SWEATER],
    ...rest,
    policy: { ...DEFAULT_POLICY, ...policy },
  };
}

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** One started case and what the stubs saw of it. */
export class CaseRun {
  constructor(
    readonly input: ReturnCaseInput,
    readonly handle: WorkflowHandle<(input: ReturnCaseInput) => Promise<CaseStatus>>,
    private readonly all: RecordedCall[],
  ) {}

  get caseId(): string {
    return this.input.caseId;
  }

  calls(name?: keyof CaseActivities): RecordedCall[] {
    return this.all.filter((c) => c.caseId === this.caseId && (!name || c.name === name));
  }

  /**
   * Every call as one word: `progress:<eventKey>`, `email:<kind>`, `issueCreditNote:<purpose>`,
   * `recordCharge:<purpose>`, `planRefunds:<purpose>`, `issueParcelLabel:<n>`, else the name.
   */
  trail(): string[] {
    return this.calls().map(describeCall);
  }

  progress(eventKey?: string): ProgressInput[] {
    return this.calls('recordProgress')
      .map((c) => c.input as ProgressInput)
      .filter((p) => !eventKey || p.eventKey === eventKey);
  }

  /** The one progress entry with this key (fails the test when there is none or several). */
  entry(eventKey: string): ProgressInput {
    const found = this.progress(eventKey);
    expect(
      found.map((p) => p.eventKey),
      `progress entries with key ${eventKey}`,
    ).toEqual([eventKey]);
    return found[0]!;
  }

  /** The case moves recorded in the projection: `status[/waitingFor][ (stuck)]`. */
  transitions(): string[] {
    return this.progress()
      .filter((p) => p.case)
      .map(
        (p) =>
          `${p.case!.status}${p.case!.waitingFor ? `/${p.case!.waitingFor}` : ''}${p.case!.stuck ? ' (stuck)' : ''}`,
      );
  }

  emails(): string[] {
    return this.calls('sendCaseEmail').map((c) => c.input.kind as string);
  }

  /** Server time of the call `describeCall` names `what` (the first such call). */
  timeOf(what: string): number {
    const call = this.calls().find((c) => describeCall(c) === what);
    if (!call) throw new Error(`case ${this.caseId} has no call ${what}; trail: ${this.trail().join(', ')}`);
    return what.startsWith('progress:') ? Date.parse(call.input.at) : call.at;
  }

  /** Waits (real time, no skipping) until the trail holds `what` (an entry or a predicate). */
  async until(what: string | ((trail: string[]) => boolean), timeoutMs = 10_000): Promise<void> {
    const done = typeof what === 'string' ? (t: string[]) => t.includes(what) : what;
    const deadline = Date.now() + timeoutMs;
    while (!done(this.trail())) {
      if (Date.now() > deadline)
        throw new Error(
          `case ${this.caseId}: timed out waiting for ${String(what)}; trail: ${this.trail().join(', ')}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  state(): Promise<CaseState> {
    return this.handle.query(caseState);
  }

  /** Runs the case to its end, skipping time. */
  result(): Promise<CaseStatus> {
    return this.handle.result();
  }
}

export function describeCall(c: RecordedCall): string {
  switch (c.name) {
    case 'recordProgress':
      return `progress:${c.input.eventKey}`;
    case 'sendCaseEmail':
      return `email:${c.input.kind}`;
    case 'issueCreditNote':
    case 'recordCharge':
    case 'planRefunds':
      return `${c.name}:${c.input.purpose}`;
    case 'issueParcelLabel':
      return `issueParcelLabel:${c.input.parcelNo}`;
    default:
      return c.name;
  }
}

export interface WorkflowTestEnv {
  env: TestWorkflowEnvironment;
  client: Client;
  taskQueue: string;
  stubs: StubActivities;
  /** Starts a `returnCase` workflow with this input; the stubs answer it as `behaviour` says. */
  start(input: ReturnCaseInput, behaviour?: CaseBehaviour): Promise<CaseRun>;
  /** Skips server time (timers fire, activities run). */
  sleep(duration: string | number): Promise<void>;
  /**
   * Terminates the cases still running (call in afterEach: no case's timers outlive its test);
   * `report`: print their trail and state first (for a failed or timed-out test).
   */
  endRunning(report?: boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * Waits (up to `timeoutMs`) until the case has no workflow task and no activity open. The
 * time-skipping test server leaks its time lock when a workflow is terminated while one of its
 * workflow tasks is in flight: every later wait for a timer in the file then hangs.
 */
async function quiescent(handle: WorkflowHandle, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const events = (await handle.fetchHistory()).events ?? [];
    let taskOpen = false;
    const activities = new Set<string>();
    for (const e of events) {
      if (e.workflowTaskScheduledEventAttributes) taskOpen = true;
      if (
        e.workflowTaskCompletedEventAttributes ||
        e.workflowTaskFailedEventAttributes ||
        e.workflowTaskTimedOutEventAttributes
      )
        taskOpen = false;
      if (e.activityTaskScheduledEventAttributes) activities.add(String(e.eventId));
      const closed =
        e.activityTaskCompletedEventAttributes ??
        e.activityTaskFailedEventAttributes ??
        e.activityTaskTimedOutEventAttributes ??
        e.activityTaskCanceledEventAttributes;
      if (closed) activities.delete(String(closed.scheduledEventId));
    }
    if ((!taskOpen && activities.size === 0) || Date.now() > until) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Worker logs at WARN (the INFO state changes of every worker are noise here); once per process. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed (or instantiated) in this process: keep it
  }
}

export async function startWorkflowEnv(): Promise<WorkflowTestEnv> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: await temporalExecutable('test-server') },
  });
  const namespace = env.namespace ?? 'default';
  await registerSearchAttributes(env.connection, namespace);
  const taskQueue = uid('wf-test');
  const stubs = createStubActivities(() => env.client);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundle') },
    activities: stubs.activities,
  });
  const running = worker.run();
  const runs: CaseRun[] = [];

  return {
    env,
    client: env.client,
    taskQueue,
    stubs,
    async start(input, behaviour = {}) {
      stubs.behaviours.set(input.caseId, behaviour);
      const handle = await env.client.workflow.start<(input: ReturnCaseInput) => Promise<CaseStatus>>('returnCase', {
        workflowId: caseWorkflowId(input.caseId),
        taskQueue,
        args: [input],
      });
      const run = new CaseRun(input, handle, stubs.calls);
      runs.push(run);
      return run;
    },
    sleep: (duration) => env.sleep(duration as Parameters<TestWorkflowEnvironment['sleep']>[0]),
    async endRunning(report = false) {
      for (const release of [...holds]) release();
      for (const run of runs.splice(0)) {
        const { status } = await run.handle.describe();
        if (report) {
          const state = status.name === 'RUNNING' ? await run.state().catch((e: unknown) => String(e)) : status.name;
          console.error(
            `case ${run.caseId} (${status.name}), state ${JSON.stringify(state)}\n  trail: ${run.trail().join(', ')}`,
          );
        }
        if (status.name === 'RUNNING') {
          await quiescent(run.handle);
          await run.handle.terminate('test over');
        }
      }
    },
    async close() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/**
 * The update's validator refused it: `update` settles at once. Accepted, it would wait for the
 * handler; `acceptedWithin` bounds that, so a wrongly accepted update fails the test instead of hanging it.
 */
export function refusedAtOnce<T>(update: Promise<{ result(): Promise<T> }>, acceptedWithinMs = 3000): Promise<unknown> {
  return update.then((handle) =>
    Promise.race([
      handle.result(),
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`the update was accepted (no answer within ${acceptedWithinMs} ms)`)),
          acceptedWithinMs,
        ),
      ),
    ]),
  );
}

/** The update was refused by its validator: answers the ApplicationFailure's type and message. */
export async function refusal(update: Promise<unknown>): Promise<{ type: string | undefined | null; message: string }> {
  const err = await update.then(
    (ok) => {
      throw new Error(`expected the update to be refused, it answered ${JSON.stringify(ok)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const failure = cause as ApplicationFailure;
  return { type: failure.type, message: failure.message };
}

const holds = new Set<() => void>();

/**
 * A promise and its resolver: hold a stub activity until the test lets it go. `endRunning` lets go
 * of any hold a failed test left (a held activity would block worker shutdown, and time skipping).
 */
export function deferred(): { promise: Promise<void>; release: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  const release = () => {
    holds.delete(release);
    resolve();
  };
  holds.add(release);
  return { promise, release };
}

/**
 * One time-skipping server and stub worker for the calling test file: started before its tests,
 * every case still running ended after each test (its trail printed when the test failed), closed
 * after them. Answers a getter: the environment exists only once `beforeAll` ran.
 */
export function useWorkflowEnv(): () => WorkflowTestEnv {
  let env: WorkflowTestEnv | undefined;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterEach(async ({ task }) => {
    await env?.endRunning(task.result?.state === 'fail');
  });
  afterAll(async () => {
    await env?.close();
  });
  return () => {
    if (!env) throw new Error('the workflow test environment is not started (use it inside a test)');
    return env;
  };
}
