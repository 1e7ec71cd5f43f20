/** What a scenario is, what it is given, and how it runs its cases. */
import type postgres from 'postgres';
import { retryUntil, ServiceClient } from '../stack/http.js';
import type { PgCluster } from '../stack/postgres.js';
import { sleep } from '../stack/processes.js';
import type { TemporalServer } from '../stack/temporal.js';
import { driveCase, seedScenario } from './cases.js';
import type { Fleet, Stack } from './fleet.js';
import { ADMIN_API_KEY, CASES, CONCURRENCY, log } from './settings.js';

export interface Scenario {
  id: string;
  name: string;
  /** Sets up processes, runs the cases and the faults; returns notes for the table. */
  run(ctx: RunCtx): Promise<string[]>;
  needsOwnPostgres?: boolean;
}

/** The scenario's client: any API process, every call retried through the faults until `deadline`. */
export const chaosApi = (fleet: Fleet, deadline: number) =>
  new ServiceClient({
    urls: () => fleet.apiUrls(),
    adminKey: ADMIN_API_KEY,
    spread: 'random',
    timeoutMs: 20_000,
    retry: retryUntil(deadline),
  });

export interface RunCtx {
  stack: Stack;
  fleet: Fleet;
  api: ServiceClient;
  prefix: string;
  deadline: number;
  sku: string;
  /** created/done cases; faults = how many times the scenario's fault actually hit (kills, orphans …). */
  progress: { created: number; done: number; faults: number };
  temporal: TemporalServer;
  pg?: PgCluster;
  sql: postgres.Sql;
}

/** Runs `count` tasks, `limit` at a time; failures are logged (the counts in the database tell the result). */
export async function pool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: string[] = [];
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const i = next++;
        await task(i).catch((err) => errors.push(`#${i}: ${(err as Error).message}`));
      }
    }),
  );
  for (const e of errors.slice(0, 5)) log(`  case ${e}`);
  if (errors.length > 5) log(`  … and ${errors.length - 5} more`);
}

export async function until(cond: () => boolean, deadline: number) {
  while (!cond() && Date.now() < deadline) await sleep(200);
}

/** One API process and one worker, and the scenario's product. */
export async function startOneOfEach(ctx: RunCtx) {
  await ctx.fleet.startApi(1);
  await ctx.fleet.startWorker(1);
  await seedScenario(ctx);
}

/** The scenario's cases, and `fault` once a third of them are open. */
export async function casesWithFault(ctx: RunCtx, fault: () => Promise<void>) {
  const cases = pool(CASES, CONCURRENCY, (i) => driveCase(ctx, i));
  const hit = (async () => {
    await until(() => ctx.progress.created >= Math.ceil(CASES / 3), ctx.deadline);
    await fault();
  })();
  await Promise.all([cases, hit]);
}
