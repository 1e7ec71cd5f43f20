/**
 * `--scale`: the lifecycle with 1 API + 1 worker process, then with 2 + 2, against the same Temporal
 * server and one PostgreSQL (its own cluster unless DATABASE_URL is set); the speed-up of 2 + 2.
 */
import type { Client } from '@temporalio/client';
import { startPostgres } from '../scripts/stack/postgres.js';
import { logger } from '../scripts/stack/processes.js';
import type { TemporalServer } from '../scripts/stack/temporal.js';
import { benchLifecycle, type Baseline } from './lifecycle-vs-baseline.js';
import type { RunStats } from './lifecycle.js';
import type { BenchOptions } from './options.js';
import { round } from './process-stats.js';
import { startApp } from './stack.js';

const log = logger('bench');

type Row = RunStats & { ratio: number; baselinePerSec: number };

export async function benchScaleOut(
  o: BenchOptions,
  dirs: { workDir: string; distDir: string },
  temporal: TemporalServer,
  client: Client,
  baseline: Baseline,
) {
  const databaseUrl = process.env.DATABASE_URL ?? (await startPostgres('returns_bench')).url;
  const out: Record<string, Row> = {};
  for (const [apis, workers] of [
    [1, 1],
    [2, 2],
  ] as const) {
    const name = `scale${apis}x${workers}`;
    log(`scale: ${apis} API + ${workers} worker processes on PostgreSQL`);
    const stack = await startApp({ ...dirs, temporalAddress: temporal.address, databaseUrl, apis, workers, name });
    try {
      const r = await benchLifecycle(stack, client, temporal, baseline, {
        prefix: `${o.run.id}${name.toUpperCase()}`,
        sku: o.run.sku,
        cases: o.sizes.lifecycleCases,
        concurrency: o.sizes.concurrency,
      });
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

export type ScaleResult = Awaited<ReturnType<typeof benchScaleOut>>;
