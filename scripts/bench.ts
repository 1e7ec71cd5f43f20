/**
 * `npm run bench [-- --quick] [-- --scale] [-- --profile] [-- --keep] [-- --build]`: the service's
 * performance against a bare Temporal baseline, in one run. Not part of `npm test`. See BENCHMARKS.md.
 *
 * Starts a Temporal dev server and the service from dist/ — dev mode with the embedded database, or
 * API + worker processes when DATABASE_URL is set — then measures: the lifecycle against the fixed
 * baseline (bench/baseline-workflow.ts), API latency at a fixed rate and webhook ingestion from a
 * second process (autocannon), the stuck list and analytics over bulk-seeded cases, and the worker's
 * RSS with many open cases. `--scale`: the lifecycle with 1 API + 1 worker and with 2 + 2 on one
 * PostgreSQL (its own cluster unless DATABASE_URL is set). Prints a table, writes
 * bench/results/<date>.json, and prints one JSON object as its last line.
 */
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { runLoad } from '../bench/api-latency.js';
import { BASELINE_SHAPE } from '../bench/baseline-workflow.js';
import { Api, pool, returnBody, seedReference } from '../bench/http.js';
import {
  caseShape,
  connectTemporal,
  round,
  runBaseline,
  runCases,
  seedOrders,
  type RunStats,
} from '../bench/lifecycle.js';
import { summarizeProfile } from '../bench/profile.js';
import { ADMIN_API_KEY, startApp, type AppStack } from '../bench/stack.js';
import { benchStuckList } from '../bench/stuck-list.js';
import { benchWebhooks } from '../bench/webhooks.js';
import { cpuSeconds, rssMb } from '../bench/worker-rss.js';
import { prepareDist, ROOT } from './stack/dist.js';
import { startPostgres } from './stack/postgres.js';
import {
  cleanupSync,
  installCleanup,
  logger,
  logTail,
  sleep,
  startProcess,
  stopProcess,
  tempDir,
  waitForOutput,
  type Proc,
} from './stack/processes.js';
import { temporalServer, type TemporalServer } from './stack/temporal.js';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const SCALE = args.includes('--scale');
const PROFILE = args.includes('--profile');
const log = logger('bench');
installCleanup({ keep: args.includes('--keep'), log });

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SIZES = {
  lifecycleCases: env('BENCH_CASES', QUICK ? 40 : 200),
  concurrency: env('BENCH_CONCURRENCY', 20),
  rate: env('BENCH_RATE', 200),
  loadSeconds: env('BENCH_LOAD_SECONDS', QUICK ? 5 : 30),
  webhookSeconds: env('BENCH_WEBHOOK_SECONDS', QUICK ? 5 : 20),
  seededCases: env('BENCH_SEEDED_CASES', QUICK ? 20_000 : 100_000),
  openCases: env('BENCH_OPEN_CASES', QUICK ? 2_000 : 10_000),
  /** How long the worker gets to take in the open cases before its RSS is read. */
  drainSeconds: env('BENCH_DRAIN_SECONDS', QUICK ? 30 : 900),
};
const RUN = Date.now().toString(36).toUpperCase();
const SKU = `BENCH-${RUN}-SKU`;
const BASELINE_QUEUE = `bench-baseline-${RUN}`;

/** CPU seconds each process spent in `fn`: who is the busy one. */
async function cpuDuring<T>(procs: Record<string, Proc | undefined>, fn: () => Promise<T>) {
  const pids = Object.entries(procs).filter((e): e is [string, Proc] => Boolean(e[1]?.child.pid));
  const before = pids.map(([, p]) => cpuSeconds(p.child.pid!));
  const t0 = performance.now();
  const result = await fn();
  const wall = (performance.now() - t0) / 1000;
  const cpu: Record<string, string> = {};
  pids.forEach(([name, p], k) => {
    const used = cpuSeconds(p.child.pid!) - before[k]!;
    cpu[name] = `${round(used, 1)} s (${Math.round((used / wall) * 100)} %)`;
  });
  return { result, cpu };
}

async function startBaselineWorker(workDir: string, address: string): Promise<Proc> {
  const proc = startProcess(
    'baseline-worker',
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench', 'baseline-worker.ts')],
    { ...process.env, TEMPORAL_ADDRESS: address, BASELINE_TASK_QUEUE: BASELINE_QUEUE },
    join(workDir, 'baseline-worker.log'),
  );
  await waitForOutput(proc, 'baseline worker running', 180_000).catch((err: Error) => {
    throw new Error(`${err.message}: ${logTail(proc.logFile)}`);
  });
  return proc;
}

async function lifecycle(
  stack: AppStack,
  client: Client,
  temporal: TemporalServer,
  baselineWorker: Proc,
  prefix: string,
  cases: number,
) {
  const api = new Api(() => stack.apiUrls);
  await seedReference(api, SKU);
  const orderIds = await seedOrders(api, prefix, cases, SKU);
  // A few cases first, untimed: JIT, caches, connections.
  const warm = await seedOrders(api, `${prefix}W`, 4, SKU);
  await runCases(api, client, warm, 4);
  log(`lifecycle: ${cases} cases, ${SIZES.concurrency} at a time`);
  const procs = {
    temporal: temporal.proc(),
    ...Object.fromEntries([...stack.apiProcs, ...stack.workerProcs].map((p) => [p.name, p])),
  };
  const run = await cpuDuring(procs, () => runCases(api, client, orderIds, SIZES.concurrency));
  log(`lifecycle: ${run.result.perSec}/s; baseline: ${cases} workflows`);
  const base = await cpuDuring({ temporal: temporal.proc(), 'baseline-worker': baselineWorker }, () =>
    runBaseline(client, BASELINE_QUEUE, prefix, cases, SIZES.concurrency),
  );
  const shape = await caseShape(client, run.result.caseIds[0]!);
  return { cases: run.result, caseCpu: run.cpu, baseline: base.result, baselineCpu: base.cpu, shape };
}

async function openCasesInTemporal(client: Client) {
  const q = (extra: string) =>
    client.workflow
      .count(`WorkflowType = 'returnCase' AND ExecutionStatus = 'Running' AND TaskQueue = 'returns-app'${extra}`)
      .then((r) => r.count)
      .catch(() => NaN);
  return { running: await q(''), waitingForParcel: await q(` AND WaitingFor = 'parcel'`) };
}

/** Tracking numbers of this run's open cases with a label (the scan bench scans real parcels). */
async function labelledOpenCases(api: Api, max: number, orderPrefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  while (out.length < max) {
    const page = await api.ok(
      'GET',
      `/v1/returns?status=awaiting_parcel&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    // DATABASE_URL may hold earlier runs' cases, whose workflows were on another Temporal server.
    for (const c of page.items as { orderId: string; label?: { trackingNumber?: string } }[])
      if (c.label?.trackingNumber && c.orderId.startsWith(orderPrefix)) out.push(c.label.trackingNumber);
    cursor = page.nextCursor ?? undefined;
    if (!cursor) break;
  }
  return out.slice(0, max);
}

/** Fresh orders (seeded in SQL with the stuck list) for POST /v1/returns: the rate run, then the fill. */
const FRESH = `${RUN}N`;
const freshOrders = () => Math.ceil(SIZES.rate * SIZES.loadSeconds * 1.2) + SIZES.openCases;

async function apiAndWorker(
  stack: AppStack,
  client: Client,
  workDir: string,
  lifecycleCases: { caseIds: string[]; trackingNumbers: string[] },
) {
  const { caseIds } = lifecycleCases;
  const url = stack.apiUrls[0]!;
  const api = new Api(() => stack.apiUrls);
  // Enough connections that the rate, not the connections, sets the pace (autocannon: one request in flight each).
  const base = { url, rate: SIZES.rate, seconds: SIZES.loadSeconds, connections: 100, adminKey: ADMIN_API_KEY };
  log(`GET /v1/returns/:id at ${SIZES.rate}/s for ${SIZES.loadSeconds} s`);
  const get = await runLoad(workDir, { ...base, kind: 'get', items: caseIds });
  log(`webhooks: as fast as they are taken, ${SIZES.webhookSeconds} s`);
  const webhooks = await benchWebhooks(workDir, url, SIZES.webhookSeconds);

  const orderIds = Array.from({ length: freshOrders() }, (_, i) => `${FRESH}-O${i}`);
  const rateOrders = orderIds.slice(0, Math.ceil(SIZES.rate * SIZES.loadSeconds * 1.2));
  log(`POST /v1/returns at ${SIZES.rate}/s for ${SIZES.loadSeconds} s`);
  const create = await runLoad(workDir, { ...base, kind: 'create', items: rateOrders });
  const created = create.created ?? [];
  delete create.created;

  // Then more open cases for the RSS reading, 20 at a time, for at most the drain budget.
  const worker = stack.workerProcs[0]!;
  const until = Date.now() + SIZES.drainSeconds * 1000;
  const fill = orderIds.slice(rateOrders.length, rateOrders.length + Math.max(0, SIZES.openCases - created.length));
  log(`worker RSS: opening ${fill.length} more cases, then waiting; at most ${SIZES.drainSeconds} s`);
  let filled = 0;
  await pool(fill.length, 20, async (k) => {
    if (Date.now() > until) return;
    const res = await api.call('POST', '/v1/returns', returnBody(fill[k]!), { 'idempotency-key': `${fill[k]}-K` });
    if (res.status === 201) filled++;
  });
  let open = await openCasesInTemporal(client);
  let peakMb = rssMb(worker.child.pid!).rssMb;
  while (Date.now() < until && !(open.waitingForParcel >= open.running)) {
    await sleep(3000);
    open = await openCasesInTemporal(client);
    peakMb = Math.max(peakMb, rssMb(worker.child.pid!).rssMb);
  }
  const rss = rssMb(worker.child.pid!);
  const workerResult = {
    process: worker.name,
    openCases: open.running,
    waitingForParcel: open.waitingForParcel,
    opened: created.length + filled,
    rssMb: rss.rssMb,
    peakMb: Math.max(peakMb, rss.peakMb),
    drained: open.waitingForParcel >= open.running,
  };
  log(`worker: ${workerResult.rssMb} MB with ${open.running} open cases (${open.waitingForParcel} waiting for parcel)`);

  // Real parcels of open cases; if the worker labelled none yet, repeat scans of the lifecycle's (no effect).
  const open2 = await labelledOpenCases(api, SIZES.rate * SIZES.loadSeconds, `${FRESH}-`);
  const parcels = open2.length ? open2 : lifecycleCases.trackingNumbers;
  const scanTarget = open2.length ? 'labelled open cases' : 'completed cases (repeat scans)';
  log(`POST /v1/scans at ${SIZES.rate}/s for ${SIZES.loadSeconds} s over ${parcels.length} ${scanTarget}`);
  const scan = await runLoad(workDir, { ...base, kind: 'scan', items: parcels });
  return {
    get,
    scan: { ...scan, parcels: parcels.length, target: scanTarget },
    create,
    createdCases: created.length,
    webhooks,
    worker: workerResult,
  };
}

async function scaleOut(
  workDir: string,
  distDir: string,
  temporal: TemporalServer,
  client: Client,
  baselineWorker: Proc,
) {
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) databaseUrl = (await startPostgres('returns_bench')).url;
  type Row = RunStats & { ratio: number; baselinePerSec: number };
  const out: Record<string, Row> = {};
  for (const [apis, workers] of [
    [1, 1],
    [2, 2],
  ] as const) {
    const name = `scale${apis}x${workers}`;
    log(`scale: ${apis} API + ${workers} worker processes on PostgreSQL`);
    const stack = await startApp({
      distDir,
      workDir,
      temporalAddress: temporal.address,
      databaseUrl,
      apis,
      workers,
      name,
    });
    try {
      const r = await lifecycle(
        stack,
        client,
        temporal,
        baselineWorker,
        `${RUN}${name.toUpperCase()}`,
        SIZES.lifecycleCases,
      );
      const { caseIds, trackingNumbers, ...stats } = r.cases;
      void caseIds;
      void trackingNumbers;
      out[`${apis}+${workers}`] = {
        ...stats,
        baselinePerSec: r.baseline.perSec,
        ratio: round(stats.perSec / r.baseline.perSec),
      };
    } finally {
      await stack.stop();
    }
  }
  const one = out['1+1']!;
  const two = out['2+2']!;
  return { '1+1': one, '2+2': two, speedup: round(two.perSec / one.perSec) };
}

function printTable(r: Results) {
  const rows: [string, string, string][] = [
    ['lifecycle cases/s (20 at a time)', String(r.lifecycle.casesPerSec), ''],
    ['baseline workflows/s (same shape, no-op)', String(r.lifecycle.baselinePerSec), ''],
    ['lifecycle ratio', String(r.lifecycle.ratio), r.database === 'postgres' ? '≥ 1.0' : '≥ 0.8'],
    ['lifecycle p50 / p99 ms', `${r.lifecycle.p50Ms} / ${r.lifecycle.p99Ms}`, ''],
    [`GET /v1/returns/:id p99 ms @${SIZES.rate}/s`, String(r.api.getCaseP99Ms), '< 25'],
    [`POST /v1/scans p99 ms @${SIZES.rate}/s`, String(r.api.scanP99Ms), '< 100'],
    [`POST /v1/returns p99 ms @${SIZES.rate}/s`, String(r.api.createP99Ms), '< 100'],
    ['webhook events/s', String(r.webhooks.eventsPerSec), '≥ 500'],
    [`stuck list ms (${r.stuckList.cases} cases)`, String(r.stuckList.ms), '< 50'],
    [`analytics ms (${r.stuckList.cases} cases)`, String(r.stuckList.analyticsMs), '< 200'],
    [`worker RSS MB (${r.worker.openCases} open cases)`, String(r.worker.rssMb), '< 400'],
  ];
  if (r.scale) rows.push(['scale 2+2 vs 1+1 (cases/s)', `${r.scale['2+2'].perSec} vs ${r.scale['1+1'].perSec}`, '']);
  const w = [0, 1, 2].map((k) =>
    Math.max(...rows.map((row) => row[k]!.length), ['measure', 'result', 'target'][k]!.length),
  );
  const line = (c: string[]) => c.map((x, k) => (k === 0 ? x.padEnd(w[k]!) : x.padStart(w[k]!))).join(' | ');
  console.log(line(['measure', 'result', 'target']));
  console.log(w.map((n) => '-'.repeat(n)).join('-|-'));
  for (const row of rows) console.log(line(row));
}

type Results = Awaited<ReturnType<typeof main>>;

async function main() {
  const started = Date.now();
  const workDir = tempDir('bench-');
  const distDir = await prepareDist({ build: args.includes('--build'), prefix: 'bench', log });
  const temporal = await temporalServer(workDir, log);
  log(`Temporal ${temporal.address}; logs in ${workDir}`);
  const client = await connectTemporal(temporal.address);
  const baselineWorker = await startBaselineWorker(workDir, temporal.address);
  const profileDir = join(workDir, 'profiles');
  if (PROFILE) mkdirSync(profileDir, { recursive: true });
  const databaseUrl = process.env.DATABASE_URL;
  const stack = await startApp({
    distDir,
    workDir,
    temporalAddress: temporal.address,
    databaseUrl,
    ...(PROFILE ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
  });
  log(`service: ${stack.kind === 'embedded' ? 'dev mode, embedded database' : 'API + worker on PostgreSQL'}`);

  const life = await lifecycle(stack, client, temporal, baselineWorker, `${RUN}L`, SIZES.lifecycleCases);
  let profile: unknown;
  if (PROFILE) {
    // The profile covers start-up and the lifecycle: stop the processes so they write it.
    await stack.stop();
    profile = readdirSync(profileDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => summarizeProfile(join(profileDir, f)));
    await stack.restart();
  }
  log(`stuck list and analytics over ${SIZES.seededCases} cases seeded in SQL (and ${freshOrders()} fresh orders)`);
  const stuck = await benchStuckList(stack, new Api(() => stack.apiUrls), `${RUN}S`, SIZES.seededCases, SKU, {
    prefix: FRESH,
    count: freshOrders(),
  });
  const load = await apiAndWorker(stack, client, workDir, life.cases);
  await stack.stop();
  const scale = SCALE ? await scaleOut(workDir, distDir, temporal, client, baselineWorker) : undefined;
  await stopProcess(baselineWorker);
  await client.connection.close();
  await temporal.stop();

  const { caseIds, trackingNumbers, ...lifecycleStats } = life.cases;
  void trackingNumbers;
  return {
    date: new Date(started).toISOString(),
    quick: QUICK,
    database: stack.kind,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      freeMemoryGbAtEnd: Math.round(freemem() / 2 ** 30),
      loadAverageAtEnd: loadavg().map((n) => round(n)),
      node: process.version,
    },
    sizes: SIZES,
    seconds: Math.round((Date.now() - started) / 1000),
    lifecycle: {
      casesPerSec: lifecycleStats.perSec,
      baselinePerSec: life.baseline.perSec,
      ratio: round(lifecycleStats.perSec / life.baseline.perSec),
      p50Ms: lifecycleStats.p50Ms,
      p99Ms: lifecycleStats.p99Ms,
      baselineP50Ms: life.baseline.p50Ms,
      baselineP99Ms: life.baseline.p99Ms,
      cases: lifecycleStats.cases,
      concurrency: SIZES.concurrency,
      labelInCreateAnswer: lifecycleStats.labelInCreateAnswer,
      cpuDuringCases: life.caseCpu,
      cpuDuringBaseline: life.baselineCpu,
      caseShape: life.shape,
      baselineShape: BASELINE_SHAPE,
      sampleCaseId: caseIds[0],
    },
    api: {
      getCaseP99Ms: load.get.p99Ms,
      scanP99Ms: load.scan.p99Ms,
      createP99Ms: load.create.p99Ms,
      rate: SIZES.rate,
      get: load.get,
      scan: load.scan,
      create: { ...load.create, casesOpened: load.createdCases },
    },
    webhooks: load.webhooks,
    stuckList: {
      cases: stuck.totalCases,
      ms: stuck.stuck.p50Ms,
      maxMs: stuck.stuck.maxMs,
      status: stuck.stuck.status,
      analyticsMs: stuck.analytics.p50Ms,
      analyticsStatus: stuck.analytics.status,
      ...(stuck.analytics.problem ? { analyticsProblem: stuck.analytics.problem } : {}),
      seeded: stuck.seeded,
      seedSeconds: stuck.seedSeconds,
      plans: stuck.plans,
    },
    worker: load.worker,
    ...(scale ? { scale } : {}),
    ...(profile ? { profile } : {}),
  };
}

main().then(
  (results) => {
    const dir = join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${results.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`results in ${file} (${results.seconds} s)`);
    printTable(results);
    // The last line: one JSON object (the plans and profiles stay in the file).
    const { stuckList, profile, ...rest } = results as typeof results & { profile?: unknown };
    void profile;
    const { plans, ...stuckSummary } = stuckList;
    void plans;
    console.log(JSON.stringify({ ...rest, stuckList: stuckSummary }));
    cleanupSync();
    process.exit(0);
  },
  (err) => {
    console.error(err);
    cleanupSync();
    process.exit(2);
  },
);
