/**
 * The bench's results: one object from the parts' readings, written to bench/results/<date>.json,
 * shown as a table with the targets beside it, and printed as the last line (without the plans and
 * profiles, which stay in the file).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { BASELINE_SHAPE } from './baseline-workflow.js';
import type { LifecycleResult } from './lifecycle-vs-baseline.js';
import type { LoadResult } from './load-client.js';
import { PARTS, type BenchOptions } from './options.js';
import { round } from './process-stats.js';
import type { ScaleResult } from './scale.js';
import type { StuckListResult } from './stuck-list.js';
import type { benchWebhooks } from './webhooks.js';
import type { benchWorkerRss } from './worker-rss.js';

/** What the parts measured; a part left out by `--only` is missing. */
export interface Readings {
  database: 'postgres' | 'embedded';
  lifecycle?: LifecycleResult;
  api?: {
    get: LoadResult;
    create: Omit<LoadResult, 'created'>;
    createdCases: number;
    scan: LoadResult & { parcels: number; target: string };
  };
  webhooks?: Awaited<ReturnType<typeof benchWebhooks>>;
  stuckList?: StuckListResult;
  worker?: Awaited<ReturnType<typeof benchWorkerRss>> & { tuning: Record<string, string> };
  scale?: ScaleResult;
  profile?: unknown;
}

export function results(o: BenchOptions, started: number, r: Readings) {
  const life = r.lifecycle;
  const partial = PARTS.some((p) => !o.parts.has(p));
  return {
    date: new Date(started).toISOString(),
    quick: o.quick,
    database: r.database,
    ...(partial ? { parts: [...o.parts] } : {}),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      freeMemoryGbAtEnd: Math.round(freemem() / 2 ** 30),
      loadAverageAtEnd: loadavg().map((n) => round(n)),
      node: process.version,
    },
    sizes: o.sizes,
    seconds: Math.round((Date.now() - started) / 1000),
    ...(life
      ? {
          lifecycle: {
            casesPerSec: life.cases.perSec,
            baselinePerSec: life.baseline.perSec,
            ratio: round(life.cases.perSec / life.baseline.perSec),
            p50Ms: life.cases.p50Ms,
            p99Ms: life.cases.p99Ms,
            baselineP50Ms: life.baseline.p50Ms,
            baselineP99Ms: life.baseline.p99Ms,
            cases: life.cases.cases,
            concurrency: o.sizes.concurrency,
            labelInCreateAnswer: life.cases.labelInCreateAnswer,
            cpuDuringCases: life.caseCpu,
            cpuDuringBaseline: life.baselineCpu,
            caseShape: life.shape,
            baselineShape: BASELINE_SHAPE,
            sampleCaseId: life.cases.caseIds[0],
          },
        }
      : {}),
    ...(r.api
      ? {
          api: {
            getCaseP99Ms: r.api.get.p99Ms,
            scanP99Ms: r.api.scan.p99Ms,
            createP99Ms: r.api.create.p99Ms,
            rate: o.sizes.rate,
            get: r.api.get,
            scan: r.api.scan,
            create: { ...r.api.create, casesOpened: r.api.createdCases },
          },
        }
      : {}),
    ...(r.webhooks ? { webhooks: r.webhooks } : {}),
    ...(r.stuckList
      ? {
          stuckList: {
            cases: r.stuckList.totalCases,
            ms: r.stuckList.stuck.p50Ms,
            maxMs: r.stuckList.stuck.maxMs,
            status: r.stuckList.stuck.status,
            analyticsMs: r.stuckList.analytics.p50Ms,
            analyticsStatus: r.stuckList.analytics.status,
            ...(r.stuckList.analytics.problem ? { analyticsProblem: r.stuckList.analytics.problem } : {}),
            seeded: r.stuckList.seeded,
            seedSeconds: r.stuckList.seedSeconds,
            sqlMs: r.stuckList.sqlMs,
            plans: r.stuckList.plans,
          },
        }
      : {}),
    ...(r.worker ? { worker: r.worker } : {}),
    ...(r.scale ? { scale: r.scale } : {}),
    ...(r.profile ? { profile: r.profile } : {}),
  };
}

export type Results = ReturnType<typeof results>;

export function printTable(r: Results, rate: number): void {
  const rows: [string, string, string][] = [];
  const add = (measure: string, value: unknown, target = '') => rows.push([measure, String(value), target]);
  if (r.lifecycle) {
    add('lifecycle cases/s (20 at a time)', r.lifecycle.casesPerSec);
    add('baseline workflows/s (same shape, no-op)', r.lifecycle.baselinePerSec);
    add('lifecycle ratio', r.lifecycle.ratio, r.database === 'postgres' ? '≥ 1.0' : '≥ 0.8');
    add('lifecycle p50 / p99 ms', `${r.lifecycle.p50Ms} / ${r.lifecycle.p99Ms}`);
  }
  if (r.api) {
    add(`GET /v1/returns/:id p99 ms @${rate}/s`, r.api.getCaseP99Ms, '< 25');
    add(`POST /v1/scans p99 ms @${rate}/s`, r.api.scanP99Ms, '< 100');
    add(`POST /v1/returns p99 ms @${rate}/s`, r.api.createP99Ms, '< 100');
  }
  if (r.webhooks) add('webhook events/s', r.webhooks.eventsPerSec, '≥ 500');
  if (r.stuckList) {
    add(`stuck list ms (${r.stuckList.cases} cases)`, r.stuckList.ms, '< 50');
    add(`analytics ms (${r.stuckList.cases} cases)`, r.stuckList.analyticsMs, '< 200');
  }
  if (r.worker) add(`worker RSS MB (${r.worker.openCases} open cases)`, r.worker.rssMb, '< 400');
  if (r.scale) add('scale 2+2 vs 1+1 (cases/s)', `${r.scale['2+2'].perSec} vs ${r.scale['1+1'].perSec}`);
  const head: [string, string, string] = ['measure', 'result', 'target'];
  const w = [0, 1, 2].map((k) => Math.max(...[head, ...rows].map((row) => row[k]!.length)));
  const line = (c: string[]) => c.map((x, k) => (k === 0 ? x.padEnd(w[k]!) : x.padStart(w[k]!))).join(' | ');
  console.log(line(head));
  console.log(w.map((n) => '-'.repeat(n)).join('-|-'));
  for (const row of rows) console.log(line(row));
}

/** Writes the results file; answers its path. */
export function writeResults(root: string, r: Results): string {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${r.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}

/** The last line: one JSON object, the plans and profiles left in the file. */
export function lastLine(r: Results): string {
  const { stuckList, profile, ...rest } = r as Results & { profile?: unknown };
  void profile;
  if (!stuckList) return JSON.stringify(rest);
  const { plans, ...stuckSummary } = stuckList;
  void plans;
  return JSON.stringify({ ...rest, stuckList: stuckSummary });
}
