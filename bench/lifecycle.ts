/**
 * The lifecycle bench: `concurrency` cases at a time through the HTTP API — POST /v1/returns, wait for
 * the label, POST /v1/scans, wait for receipt, POST inspection, then the workflow's result (after the
 * policy's PT1S follow-up) — and the fixed baseline (bench/baseline-workflow.ts) on the same Temporal
 * server, `concurrency` at a time, from the same client.
 */
import { Client, Connection } from '@temporalio/client';
import { caseWorkflowId } from '../workflows/messages.js';
import { baselineInspect, baselineParcel } from './baseline-workflow.js';
import { Api, inspectionBody, orderBody, percentile, pool, returnBody } from './http.js';
import { round } from './process-stats.js';
import { sleep } from '../scripts/stack/processes.js';

export interface RunStats {
  cases: number;
  seconds: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
}

function stats(durations: number[], seconds: number): RunStats {
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    cases: durations.length,
    seconds: round(seconds),
    perSec: round(durations.length / seconds),
    p50Ms: Math.round(percentile(sorted, 50)),
    p99Ms: Math.round(percentile(sorted, 99)),
  };
}

/** Orders first (not timed): the lifecycle starts at POST /v1/returns. */
export async function seedOrders(api: Api, prefix: string, count: number, sku: string): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-O${i}`);
  await pool(
    count,
    8,
    async (i) => void (await api.ok('POST', '/v1/orders', orderBody(ids[i]!, `${prefix}-C${i}`, sku))),
  );
  return ids;
}

async function poll(api: Api, caseId: string, done: (v: any) => boolean, what: string): Promise<any> {
  const until = Date.now() + 10 * 60_000;
  for (;;) {
    const res = await api.call('GET', `/v1/returns/${caseId}`);
    if (res.status === 200 && done(res.body)) return res.body;
    if (Date.now() > until) throw new Error(`${caseId}: no ${what} within 10 minutes (${JSON.stringify(res.body)})`);
    await sleep(100);
  }
}

export interface CaseRun extends RunStats {
  caseIds: string[];
  trackingNumbers: string[];
  /** POST /v1/returns that answered with the label already in it. */
  labelInCreateAnswer: number;
}

export async function runCases(api: Api, client: Client, orderIds: string[], concurrency: number): Promise<CaseRun> {
  const durations: number[] = [];
  const caseIds: string[] = [];
  const trackingNumbers: string[] = [];
  let labelInCreateAnswer = 0;
  const t0 = performance.now();
  await pool(orderIds.length, concurrency, async (i) => {
    const start = performance.now();
    const created = await api.ok('POST', '/v1/returns', returnBody(orderIds[i]!), {
      'idempotency-key': `${orderIds[i]}-K`,
    });
    const caseId = created.id as string;
    let view = created;
    if (view.label?.trackingNumber) labelInCreateAnswer++;
    else view = await poll(api, caseId, (v) => Boolean(v.label?.trackingNumber), 'label');
    const trackingNumber = view.label.trackingNumber as string;
    await api.ok('POST', '/v1/scans', { trackingNumber });
    await poll(api, caseId, (v) => v.waitingFor === 'inspection', 'receipt');
    await api.ok('POST', `/v1/returns/${caseId}/inspection`, inspectionBody);
    const end = await client.workflow.getHandle(caseWorkflowId(caseId)).result();
    if (end !== 'completed') throw new Error(`${caseId} ended ${String(end)}`);
    durations.push(performance.now() - start);
    caseIds.push(caseId);
    trackingNumbers.push(trackingNumber);
  });
  return {
    ...stats(durations, (performance.now() - t0) / 1000),
    caseIds,
    trackingNumbers,
    labelInCreateAnswer,
  };
}

export async function runBaseline(
  client: Client,
  taskQueue: string,
  prefix: string,
  count: number,
  concurrency: number,
): Promise<RunStats> {
  const durations: number[] = [];
  const t0 = performance.now();
  await pool(count, concurrency, async (i) => {
    const start = performance.now();
    const handle = await client.workflow.start('baselineCase', {
      taskQueue,
      workflowId: `${prefix}-baseline-${i}`,
      args: [`${prefix}-B${i}`],
    });
    await handle.signal(baselineParcel, { trackingNumber: `${prefix}-T${i}` });
    await handle.executeUpdate(baselineInspect, { args: [{ condition: 'new' }] });
    const end = await handle.result();
    if (end !== 'completed') throw new Error(`baseline ${i} ended ${String(end)}`);
    durations.push(performance.now() - start);
  });
  return stats(durations, (performance.now() - t0) / 1000);
}

/** What one completed case cost in Temporal commands and events: the baseline's shape is checked against it. */
export async function caseShape(client: Client, caseId: string) {
  const history = await client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
  const events = history.events ?? [];
  const count = (key: string) => events.filter((e) => (e as Record<string, unknown>)[key]).length;
  const activityTypes = events
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((n): n is string => Boolean(n));
  return {
    events: events.length,
    workflowTasks: count('workflowTaskCompletedEventAttributes'),
    activities: activityTypes.length,
    activityTypes,
    signals: count('workflowExecutionSignaledEventAttributes'),
    updates: count('workflowExecutionUpdateAcceptedEventAttributes'),
    searchAttributeUpserts: count('upsertWorkflowSearchAttributesEventAttributes'),
    timers: count('timerStartedEventAttributes'),
  };
}

export async function connectTemporal(address: string): Promise<Client> {
  return new Client({ connection: await Connection.connect({ address }) });
}
