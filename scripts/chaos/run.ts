/**
 * A chaos run: PostgreSQL and Temporal for it, then each scenario with a fresh fleet of processes, its
 * cases counted in PostgreSQL afterwards. Answers the exit code: 1 when anything was lost or
 * duplicated or a scenario could not run.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { prepareDist } from '../stack/dist.js';
import { startPostgres, type PgCluster } from '../stack/postgres.js';
import { sleep, tempDir } from '../stack/processes.js';
import { temporalServer } from '../stack/temporal.js';
import { count } from './count.js';
import { Fleet, type Stack } from './fleet.js';
import { report, type Result } from './report.js';
import { chaosApi, type RunCtx, type Scenario } from './scenario.js';
import { SCENARIOS } from './scenarios/index.js';
import { BUILD, CASES, DEADLINE_MS, log, ONLY, RUN } from './settings.js';

export async function main(): Promise<number> {
  const started = Date.now();
  const workDir = tempDir('chaos-');
  mkdirSync(join(workDir, 'data'), { recursive: true });
  const distDir = await prepareDist({ build: BUILD, prefix: 'chaos', log });
  let pg: PgCluster | undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    pg = await startPostgres('returns_chaos');
    databaseUrl = pg.url;
  }
  log(`PostgreSQL ${databaseUrl.replace(/\/\/[^@]*@/, '//')}`);
  const temporal = await temporalServer(workDir, log);
  log(`Temporal ${temporal.address}; logs in ${workDir}; ${CASES} cases per scenario`);
  const stack: Stack = { databaseUrl, temporalAddress: temporal.address, workDir, distDir };
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {}, connect_timeout: 5 });

  const results: Result[] = [];
  for (const scenario of SCENARIOS) {
    if (ONLY && !ONLY.has(scenario.id)) continue;
    const name = `${scenario.id} ${scenario.name}`;
    if (scenario.needsOwnPostgres && !pg) {
      log(`${name}: skipped (DATABASE_URL is set: this run does not own the PostgreSQL server)`);
      continue;
    }
    results.push(await runScenario(scenario, name, { stack, temporal, pg, sql }));
  }
  await sql.end({ timeout: 5 });
  await temporal.stop();
  if (pg) await pg.release();

  log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  return report(results);
}

/** One scenario with a fleet of its own, its cases counted afterwards. */
async function runScenario(
  scenario: Scenario,
  name: string,
  shared: Pick<RunCtx, 'stack' | 'temporal' | 'pg' | 'sql'>,
): Promise<Result> {
  log(`${name}: ${CASES} cases`);
  const t0 = Date.now();
  const fleet = new Fleet(shared.stack);
  const deadline = t0 + DEADLINE_MS;
  const prefix = `CH${RUN}S${scenario.id}`.toUpperCase();
  const ctx: RunCtx = {
    ...shared,
    fleet,
    api: chaosApi(fleet, deadline),
    prefix,
    deadline,
    sku: `${prefix}-SKU`,
    progress: { created: 0, done: 0, faults: 0 },
  };
  let notes: string[] = [];
  let error: string | undefined;
  try {
    notes = await scenario.run(ctx);
  } catch (err) {
    error = `aborted: ${(err as Error).message}`;
    notes.push(error);
    log(`${name}: ${error}`);
  }
  // The follow-up e-mail comes a moment after completion: let it (and any late duplicate) land.
  await sleep(3000);
  const counted = await withRetry(() => count(shared.sql, prefix));
  await fleet.stop();
  if (fleet.crashes.length) notes.push(`unplanned exits: ${fleet.crashes.join(', ')}`);
  const duplicates = counted.stock + counted.creditNotes + counted.refunds + counted.emails + counted.shipments;
  const { rows, ...numbers } = counted;
  const result: Result = {
    name,
    ...numbers,
    lost: counted.started - counted.completed,
    duplicates,
    faults: ctx.progress.faults,
    notes: [`${Math.round((Date.now() - t0) / 1000)} s`, rows, ...notes],
    ...(error ? { error } : {}),
  };
  log(`${name}: ${result.completed}/${result.started} completed, ${result.lost} lost, ${duplicates} duplicates`);
  return result;
}

/** Counting waits out a PostgreSQL that is still coming back. */
async function withRetry<T>(fn: () => Promise<T>, attempts = 20): Promise<T> {
  for (let k = 1; ; k++) {
    try {
      return await fn();
    } catch (err) {
      if (k >= attempts) throw err;
      await sleep(1000);
    }
  }
}
