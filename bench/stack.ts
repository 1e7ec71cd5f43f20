/**
 * The service under test, as production runs it: API and worker processes from the compiled dist/
 * against PostgreSQL, or — without DATABASE_URL — dev mode (dist/runtime/dev.js: API, worker and the
 * embedded PGlite database in one process). Both against the bench's Temporal dev server.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import {
  freePort,
  logTail,
  startProcess,
  stopProcess,
  waitForHttp,
  waitForOutput,
  type Proc,
} from '../scripts/stack/processes.js';

export const ADMIN_API_KEY = process.env.BENCH_ADMIN_API_KEY ?? `bench-admin-${randomBytes(24).toString('base64url')}`;
export const LINK_SECRET = randomBytes(32).toString('base64url');
export const GENERIC_SECRET = process.env.BENCH_GENERIC_SECRET ?? `whsec_${randomBytes(24).toString('base64')}`;

/** The case task queue of a stack (each its own: a later stack's workers do not take up an earlier one's open cases). */
export const taskQueueOf = (name = 'app') => `returns-${name}`;
export const STACK_TASK_QUEUE = taskQueueOf();

/** The case worker's tuning (WORKER_*, runtime/config.ts) the bench was started with, passed on to the service and the baseline. */
export const workerTuningEnv = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('WORKER_') && e[1] !== undefined),
  );

/** Plain SQL against the service's database (bulk seeding, EXPLAIN, counts). */
export type Query = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface AppStack {
  kind: 'postgres' | 'embedded';
  apiUrls: string[];
  /** The processes that run the case worker (in dev mode: the one process). */
  workerProcs: Proc[];
  /** The API processes (in dev mode: none of its own, it is the worker's process). */
  apiProcs: Proc[];
  /** Runs `fn` with SQL access; embedded: the dev process is stopped meanwhile (PGlite has one owner). */
  withDatabase<T>(fn: (q: Query) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
  /** Starts the processes again after stop() (new ports: read apiUrls again). */
  restart(): Promise<void>;
}

interface StackOptions {
  distDir: string;
  workDir: string;
  temporalAddress: string;
  /** PostgreSQL; unset: dev mode with the embedded database. */
  databaseUrl?: string;
  apis?: number;
  workers?: number;
  /** Sets DATABASE_POOL_SIZE (default: the service's default). */
  poolSize?: number;
  name?: string;
  /** Node flags for the service's processes (e.g. --cpu-prof, which NODE_OPTIONS does not take). */
  nodeArgs?: string[];
}

function baseEnv(o: StackOptions, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    TEMPORAL_ADDRESS: o.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueueOf(o.name),
    DATA_DIR: join(o.workDir, `${o.name ?? 'app'}-data`),
    LOG_LEVEL: 'warn',
    LINK_SECRET,
    ADMIN_API_KEY,
    CARRIER_WEBHOOK_SECRET_GENERIC: GENERIC_SECRET,
    // The bench drives far more than a shop's people would: the per-key limit is not under test.
    RATE_LIMIT_PER_KEY_PER_MINUTE: '10000000',
    RATE_LIMIT_PER_IP_PER_MINUTE: '10000000',
    RATE_LIMIT_WEBHOOKS_PER_MINUTE: '10000000',
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
    ...(o.poolSize ? { DATABASE_POOL_SIZE: String(o.poolSize) } : {}),
    ...workerTuningEnv(),
    ...extra,
  };
}

export async function startApp(o: StackOptions): Promise<AppStack> {
  mkdirSync(join(o.workDir, `${o.name ?? 'app'}-data`), { recursive: true });
  return o.databaseUrl ? startSplit(o, o.databaseUrl) : startDev(o);
}

async function startApi(o: StackOptions, index: number): Promise<{ proc: Proc; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess(
    `api-${index}`,
    process.execPath,
    [...(o.nodeArgs ?? []), join(o.distDir, 'runtime', 'api-main.js')],
    baseEnv(o, { PORT: String(port), PUBLIC_URL: url }),
    join(o.workDir, `${o.name ?? 'app'}-api-${index}.log`),
  );
  await waitForHttp(proc, `${url}/healthz`, 90_000);
  return { proc, url };
}

async function startWorker(o: StackOptions, index: number): Promise<Proc> {
  const proc = startProcess(
    `worker-${index}`,
    process.execPath,
    [...(o.nodeArgs ?? []), join(o.distDir, 'runtime', 'worker-main.js')],
    baseEnv(o, { LOG_LEVEL: 'info' }),
    join(o.workDir, `${o.name ?? 'app'}-worker-${index}.log`),
  );
  await waitForOutput(proc, 'worker running', 120_000).catch((err: Error) => {
    throw new Error(`${err.message}: ${logTail(proc.logFile)}`);
  });
  return proc;
}

async function startSplit(o: StackOptions, databaseUrl: string): Promise<AppStack> {
  let apis: { proc: Proc; url: string }[] = [];
  let workers: Proc[] = [];
  const start = async () => {
    // The first API migrates (under an advisory lock anyway); the rest start beside it.
    const first = await startApi(o, 1);
    apis = [first, ...(await Promise.all(Array.from({ length: (o.apis ?? 1) - 1 }, (_, k) => startApi(o, k + 2))))];
    workers = await Promise.all(Array.from({ length: o.workers ?? 1 }, (_, k) => startWorker(o, k + 1)));
    stack.apiUrls = apis.map((a) => a.url);
    stack.apiProcs = apis.map((a) => a.proc);
    stack.workerProcs = workers;
  };
  const sql = postgres(databaseUrl, { max: 4, onnotice: () => {} });
  const stack: AppStack = {
    kind: 'postgres',
    apiUrls: [],
    workerProcs: [],
    apiProcs: [],
    withDatabase: (fn) => fn((text, params) => sql.unsafe(text, (params ?? []) as never[]) as never),
    stop: async () => {
      await Promise.all([...apis.map((a) => stopProcess(a.proc)), ...workers.map((w) => stopProcess(w))]);
    },
    restart: start,
  };
  await start();
  return stack;
}

async function startDev(o: StackOptions): Promise<AppStack> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = baseEnv(o, { PORT: String(port), PUBLIC_URL: url });
  let proc: Proc;
  const start = async () => {
    proc = startProcess(
      'dev',
      process.execPath,
      [...(o.nodeArgs ?? []), join(o.distDir, 'runtime', 'dev.js')],
      env,
      join(o.workDir, `${o.name ?? 'app'}-dev.log`),
    );
    await waitForHttp(proc, `${url}/healthz`, 120_000);
  };
  await start();
  const stack: AppStack = {
    kind: 'embedded',
    apiUrls: [url],
    workerProcs: [proc!],
    apiProcs: [],
    async withDatabase(fn) {
      await stopProcess(proc, 'SIGTERM', 30_000);
      const { PGlite } = await import('@electric-sql/pglite');
      const client = await PGlite.create(join(env.DATA_DIR!, 'pglite'));
      try {
        return await fn(async (text, params) => {
          if (params?.length) return (await client.query(text, params)).rows as Record<string, unknown>[];
          const results = await client.exec(text);
          return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
        });
      } finally {
        await client.close();
        await start();
        stack.workerProcs = [proc!];
      }
    },
    stop: () => stopProcess(proc, 'SIGTERM', 30_000),
    restart: async () => {
      await start();
      stack.workerProcs = [proc!];
    },
  };
  return stack;
}
