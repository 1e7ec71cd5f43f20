/**
 * Part 5 of the bench: the worker's resident memory with many open cases waiting for their parcels.
 * The cases are opened as a shop opens them (POST /v1/returns on orders seeded in bulk SQL), many at
 * a time, and are real workflows: the worker issues their labels and e-mails and they wait for the
 * parcel. RSS is read once Temporal counts them all at that wait, or when the drain budget is up.
 */
import type { Client } from '@temporalio/client';
import { logger, sleep, type Proc } from '../scripts/stack/processes.js';
import { Api, pool, returnBody } from './http.js';
import { round, rssMb } from './process-stats.js';

const log = logger('bench');

/** Running case workflows of the bench's stack, and how many of them wait for their parcel. */
async function openCasesInTemporal(client: Client, taskQueue: string) {
  const q = (extra: string) =>
    client.workflow
      .count(`WorkflowType = 'returnCase' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'${extra}`)
      .then((r) => r.count)
      .catch(() => NaN);
  return { running: await q(''), waitingForParcel: await q(` AND WaitingFor = 'parcel'`) };
}

export async function benchWorkerRss(
  api: Api,
  client: Client,
  worker: Proc,
  o: {
    taskQueue: string;
    /** Orders to open cases for (beyond those already opened). */
    orderIds: string[];
    /** Cases this run opened before (the POST /v1/returns rate run). */
    alreadyOpened: number;
    /** POST /v1/returns in flight at once. */
    concurrency: number;
    drainSeconds: number;
  },
) {
  const t0 = Date.now();
  const until = t0 + o.drainSeconds * 1000;
  let opened = 0;
  let failed = 0;
  let peakMb = 0;
  const sample = () => (peakMb = Math.max(peakMb, rssMb(worker.child.pid!).rssMb));
  const progress = setInterval(() => {
    sample();
    log(`worker RSS: ${opened} opened, ${Math.round((Date.now() - t0) / 1000)} s, ${peakMb} MB so far`);
  }, 15_000);
  log(`worker RSS: opening ${o.orderIds.length} more cases, ${o.concurrency} at a time; at most ${o.drainSeconds} s`);
  try {
    await pool(o.orderIds.length, o.concurrency, async (k) => {
      if (Date.now() > until) return;
      const orderId = o.orderIds[k]!;
      const res = await api.call('POST', '/v1/returns', returnBody(orderId), { 'idempotency-key': `${orderId}-K` });
      if (res.status === 201) opened++;
      else failed++;
    });
  } finally {
    clearInterval(progress);
  }
  const openSeconds = (Date.now() - t0) / 1000;
  let open = await openCasesInTemporal(client, o.taskQueue);
  sample();
  while (Date.now() < until && !(open.waitingForParcel >= open.running)) {
    await sleep(3000);
    open = await openCasesInTemporal(client, o.taskQueue);
    sample();
  }
  const rss = rssMb(worker.child.pid!);
  const result = {
    process: worker.name,
    openCases: open.running,
    waitingForParcel: open.waitingForParcel,
    opened: o.alreadyOpened + opened,
    ...(failed ? { failedToOpen: failed } : {}),
    openedPerSec: round(opened / openSeconds, 1),
    secondsToWaiting: Math.round((Date.now() - t0) / 1000),
    rssMb: rss.rssMb,
    peakMb: Math.max(peakMb, rss.peakMb),
    drained: open.waitingForParcel >= open.running,
  };
  log(`worker: ${result.rssMb} MB with ${open.running} open cases (${open.waitingForParcel} waiting for parcel)`);
  return result;
}
