/**
 * Part 2 of the bench: API latency at a fixed rate from a second process (bench/load-client.ts,
 * autocannon): GET /v1/returns/:id, POST /v1/returns (fresh orders), POST /v1/scans (real parcels).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { logger } from '../scripts/stack/processes.js';
import type { Api } from './http.js';
import type { LoadJob, LoadResult } from './load-client.js';

const CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));

/** Runs one load job in a second process and reads its result. */
export async function runLoad(workDir: string, job: LoadJob): Promise<LoadResult> {
  const file = join(workDir, `load-${job.kind}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(job));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLIENT, file], {
    maxBuffer: 256 << 20,
    timeout: (job.seconds + 120) * 1000,
  });
  const last = stdout.trim().split('\n').at(-1)!;
  return JSON.parse(last) as LoadResult;
}

/** What every fixed-rate job shares: the API, the rate, the run time, the connections. */
export type RateJob = Omit<LoadJob, 'kind' | 'items'>;

/** Enough connections that the rate, not the connections, sets the pace (autocannon: one request in flight each). */
export const rateJob = (url: string, rate: number, seconds: number, adminKey: string): RateJob => ({
  url,
  rate,
  seconds,
  connections: 100,
  adminKey,
});

export const benchGets = (workDir: string, job: RateJob, caseIds: string[]) =>
  runLoad(workDir, { ...job, kind: 'get', items: caseIds });

/** POST /v1/returns, a fresh order each; also answers the ids of the cases it opened. */
export async function benchCreates(workDir: string, job: RateJob, orderIds: string[]) {
  const { created, ...result } = await runLoad(workDir, { ...job, kind: 'create', items: orderIds });
  return { result, created: created ?? [] };
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

/** Real parcels of this run's open cases; if the worker labelled none yet, repeat scans of completed cases (no effect). */
export async function benchScans(
  workDir: string,
  job: RateJob,
  api: Api,
  openOrderPrefix: string,
  completedParcels: string[],
) {
  const open = await labelledOpenCases(api, job.rate! * job.seconds, openOrderPrefix);
  const parcels = open.length ? open : completedParcels;
  const target = open.length ? 'labelled open cases' : 'completed cases (repeat scans)';
  logger('bench')(`POST /v1/scans at ${job.rate}/s for ${job.seconds} s over ${parcels.length} ${target}`);
  const result = await runLoad(workDir, { ...job, kind: 'scan', items: parcels });
  return { ...result, parcels: parcels.length, target };
}
