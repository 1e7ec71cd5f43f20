/**
 * `npm run chaos [-- --quick] [-- --only 1,4] [-- --keep]`: faults injected into the real production
 * processes (node dist/runtime/api-main.js and worker-main.js), a file-backed Temporal dev server and
 * PostgreSQL, while cases are driven through the HTTP API. Not part of `npm test`.
 *
 * Each scenario drives N return cases (seed product and order, POST /v1/returns, dock scan or carrier
 * webhooks, inspection, wait for `completed`) and counts in PostgreSQL, by business key, what was
 * done twice. A case not completed within a generous deadline is lost. The last line printed is one
 * JSON object; the exit code is 1 when anything was lost or duplicated.
 *
 * PostgreSQL: its own cluster in a temp dir on a free port, unless DATABASE_URL is set (then scenario
 * 3, which stops the server, is skipped). Temporal: its own dev server with its state in a file, so
 * it can be stopped and restarted with its state. dist/ is built only when missing, and copied for
 * the run (so a rebuild by someone else mid-run does not pull it away from under the processes).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { prepareDist } from './stack/dist.js';
import { startPostgres, type PgCluster } from './stack/postgres.js';
import {
  cleanupSync,
  freePort,
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
const KEEP = args.includes('--keep');
/** Build dist afresh for this run (into a temp dir), instead of using ./dist: what the test suite does. */
const BUILD = args.includes('--build');
const onlyArg = args.find((a) => a.startsWith('--only'));
const ONLY = onlyArg
  ? new Set((onlyArg.includes('=') ? onlyArg.split('=')[1]! : args[args.indexOf(onlyArg) + 1]!).split(','))
  : undefined;
const CASES = Number(process.env.CHAOS_CASES ?? (QUICK ? 24 : 200));
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? (QUICK ? 6 : 12));
/** From a scenario's start: a case not completed by then is lost. */
const DEADLINE_MS = (QUICK ? 4 : 15) * 60_000;
/** The policy market of the chaos customers (the test suite runs it beside other tests: its own market). */
const MARKET = process.env.CHAOS_MARKET ?? 'IS';
const RUN = randomBytes(3).toString('hex');
const ADMIN_API_KEY = `chaos-admin-${randomBytes(24).toString('base64url')}`;
const LINK_SECRET = randomBytes(32).toString('base64url');
const GENERIC_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

const rand = (min: number, max: number) => min + Math.random() * (max - min);
const log = logger('chaos');
installCleanup({ keep: KEEP, log });

// ---------------------------------------------------------------------------------------------
// A TCP proxy in front of Temporal for one API process: frozen, it swallows what the API sends, so a
// POST /v1/returns commits its case and then hangs at starting the workflow, where the API is killed.

function freezableProxy(targetPort: number) {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d) => {
      if (!frozen) upstream.write(d);
    });
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  return {
    listen: () =>
      new Promise<number>((ok) => server.listen(0, '127.0.0.1', () => ok((server.address() as net.AddressInfo).port))),
    freeze: (on: boolean) => (frozen = on),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The stack of one run: API and worker processes, restarted at will, and a supervisor that restarts
// one that died on its own (as systemd or Kubernetes would) and counts it.

interface Stack {
  databaseUrl: string;
  temporalAddress: string;
  workDir: string;
  distDir: string;
}

class Fleet {
  apis: { proc: Proc; port: number; index: number }[] = [];
  workers: { proc: Proc; index: number }[] = [];
  crashes: string[] = [];
  private stopping = false;
  constructor(private readonly stack: Stack) {}

  private env(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      DATABASE_URL: this.stack.databaseUrl,
      DATABASE_POOL_SIZE: '5',
      TEMPORAL_ADDRESS: this.stack.temporalAddress,
      DATA_DIR: join(this.stack.workDir, 'data'),
      LOG_LEVEL: 'warn',
      LINK_SECRET,
      // The reconciler's pace (the test suite's short run does not wait a minute for it).
      ...(process.env.RECONCILE_EVERY ? { RECONCILE_EVERY: process.env.RECONCILE_EVERY } : {}),
      ...(process.env.RECONCILE_AFTER ? { RECONCILE_AFTER: process.env.RECONCILE_AFTER } : {}),
      ...extra,
    };
    return env;
  }

  /** Starts an API process and waits for /healthz; one that dies at start is retried (and reported). */
  async startApi(index: number, port?: number, temporalAddress?: string, attempt = 1): Promise<number> {
    const p = port ?? (await freePort());
    const proc = startProcess(
      `api-${index}`,
      process.execPath,
      [join(this.stack.distDir, 'runtime', 'api-main.js')],
      this.env({
        PORT: String(p),
        PUBLIC_URL: `http://127.0.0.1:${p}`,
        ADMIN_API_KEY,
        CARRIER_WEBHOOK_SECRET_GENERIC: GENERIC_SECRET,
        ...(temporalAddress ? { TEMPORAL_ADDRESS: temporalAddress } : {}),
      }),
      join(this.stack.workDir, `api-${index}.log`),
    );
    const entry = { proc, port: p, index };
    this.apis = [...this.apis.filter((a) => a.index !== index), entry];
    const until = Date.now() + 90_000;
    for (;;) {
      if (proc.child.exitCode !== null) {
        const why = `api-${index} exited at start (${proc.child.exitCode}): ${logTail(proc.logFile)}`;
        this.crashes.push(why);
        log(why);
        if (attempt >= 3 || this.stopping) throw new Error(why);
        await sleep(1000);
        return this.startApi(index, port, temporalAddress, attempt + 1);
      }
      try {
        const res = await fetch(`http://127.0.0.1:${p}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) break;
      } catch {
        /* not yet */
      }
      if (Date.now() > until) throw new Error(`api-${index} not healthy within 90 s`);
      await sleep(200);
    }
    this.supervise(proc, () => this.startApi(index, p, temporalAddress));
    return p;
  }

  async startWorker(index: number, attempt = 1): Promise<void> {
    const proc = startProcess(
      `worker-${index}`,
      process.execPath,
      [join(this.stack.distDir, 'runtime', 'worker-main.js')],
      this.env({ LOG_LEVEL: 'info' }),
      join(this.stack.workDir, `worker-${index}.log`),
    );
    this.workers = [...this.workers.filter((w) => w.index !== index), { proc, index }];
    try {
      await waitForOutput(proc, 'worker running', 120_000);
    } catch (err) {
      const why = `${(err as Error).message}: ${logTail(proc.logFile)}`;
      this.crashes.push(why);
      log(why);
      await stopProcess(proc, 'SIGKILL');
      if (attempt >= 3 || this.stopping) throw new Error(why);
      await sleep(1000);
      return this.startWorker(index, attempt + 1);
    }
    this.supervise(proc, () => this.startWorker(index));
  }

  private supervise(proc: Proc, restart: () => Promise<unknown>) {
    void proc.exited.then(async (code) => {
      if (proc.planned || this.stopping) return;
      this.crashes.push(`${proc.name} exited (${code})`);
      log(`${proc.name} exited on its own (${code}); restarting it. Its log: ${logTail(proc.logFile)}`);
      await sleep(1000);
      if (!this.stopping) await restart().catch((err) => log(`restart of ${proc.name} failed: ${err}`));
    });
  }

  async killWorker(index: number) {
    const w = this.workers.find((x) => x.index === index);
    if (w) await stopProcess(w.proc, 'SIGKILL');
  }

  async killApi(index: number) {
    const a = this.apis.find((x) => x.index === index);
    if (a) await stopProcess(a.proc, 'SIGKILL');
  }

  apiUrls(): string[] {
    return this.apis.map((a) => `http://127.0.0.1:${a.port}`);
  }

  async stop() {
    this.stopping = true;
    await Promise.all([...this.apis.map((a) => stopProcess(a.proc)), ...this.workers.map((w) => stopProcess(w.proc))]);
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP: every call is retried through faults (network errors, 429, 5xx) until the scenario's deadline.

interface Res {
  status: number;
  body: any;
}

class Api {
  constructor(
    private readonly urls: () => string[],
    private readonly deadline: number,
  ) {}

  async once(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 20_000) {
    const urls = this.urls();
    const base = urls[Math.floor(Math.random() * urls.length)]!;
    const raw = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(headers['webhook-id'] ? {} : { authorization: `Bearer ${ADMIN_API_KEY}` }),
        ...(raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: raw,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, retryAfter: res.headers.get('retry-after') };
  }

  /** Retries transient failures; answers the first 2xx/4xx (but 429). */
  async call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Res> {
    let wait = 250;
    for (;;) {
      if (Date.now() > this.deadline) throw new Error(`deadline passed: ${method} ${path}`);
      try {
        const res = await this.once(method, path, body, headers);
        if (res.status < 500 && res.status !== 429) return res;
        if (res.status === 429 && res.retryAfter) wait = Math.max(wait, Number(res.retryAfter) * 1000 || wait);
      } catch {
        /* connection refused, reset or timed out: the fault under test */
      }
      await sleep(wait + Math.random() * 250);
      wait = Math.min(wait * 2, 3000);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One case through the API

interface Scenario {
  id: string;
  name: string;
  /** Sets up processes, runs the cases and the faults; returns notes for the table. */
  run(ctx: RunCtx): Promise<string[]>;
  needsOwnPostgres?: boolean;
}

interface RunCtx {
  stack: Stack;
  fleet: Fleet;
  api: Api;
  prefix: string;
  deadline: number;
  sku: string;
  /** created/done cases; faults = how many times the scenario's fault actually hit (kills, orphans …). */
  progress: { created: number; done: number; faults: number };
  temporal: TemporalServer;
  pg?: PgCluster;
  sql: postgres.Sql;
}

const isExchange = (i: number) => i % 4 === 3;

async function seedScenario(ctx: RunCtx) {
  const product = await ctx.api.call('PUT', `/v1/products/${ctx.sku}`, {
    name: 'Chaos sweater',
    category: 'apparel',
    price: 79_900,
    currency: 'NOK',
    stock: 100_000,
    returnable: true,
  });
  if (product.status !== 200 && product.status !== 201) throw new Error(`product: ${JSON.stringify(product.body)}`);
}

async function seedOrder(ctx: RunCtx, i: number): Promise<string> {
  const orderId = `${ctx.prefix}-O${i}`;
  const delivered = new Date(Date.now() - 3 * 86_400_000);
  const res = await ctx.api.call('POST', '/v1/orders', {
    id: orderId,
    customer: {
      id: `${ctx.prefix}-C${i}`,
      email: `${ctx.prefix.toLowerCase()}-c${i}@example.is`,
      name: 'Chaos Customer',
      locale: 'is-IS',
      country: MARKET,
    },
    currency: 'NOK',
    placedAt: new Date(delivered.getTime() - 2 * 86_400_000).toISOString(),
    deliveredAt: delivered.toISOString(),
    lines: [{ id: 'L1', sku: ctx.sku, name: 'Chaos sweater', quantity: 1, unitPrice: 79_900, vatRate: 25 }],
    payments: [{ provider: 'gift_card', reference: `GC-${ctx.prefix}-${i}`, amount: 79_900, currency: 'NOK' }],
  });
  // 409: an earlier attempt went through before its answer was lost.
  if (res.status >= 300 && res.status !== 409)
    throw new Error(`order ${orderId}: ${res.status} ${JSON.stringify(res.body)}`);
  return orderId;
}

function returnBody(orderId: string, i: number, sku: string) {
  return isExchange(i)
    ? {
        orderId,
        method: 'exchange',
        channel: 'portal',
        lines: [{ orderLineId: 'L1', quantity: 1, reason: 'too small' }],
        replacements: [{ sku, quantity: 1 }],
        shipReplacement: 'after_receipt',
      }
    : {
        orderId,
        method: 'return_to_stock',
        channel: 'customer_service',
        lines: [{ orderLineId: 'L1', quantity: 1, reason: 'too small' }],
      };
}

async function createCase(ctx: RunCtx, orderId: string, i: number): Promise<string> {
  const res = await ctx.api.call('POST', '/v1/returns', returnBody(orderId, i, ctx.sku), {
    'idempotency-key': `${ctx.prefix}-K${i}`,
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`return ${orderId}: ${res.status} ${JSON.stringify(res.body)}`);
  ctx.progress.created++;
  return res.body.id as string;
}

async function waitFor(ctx: RunCtx, caseId: string, done: (v: any) => boolean, what: string): Promise<any> {
  for (;;) {
    const res = await ctx.api.call('GET', `/v1/returns/${caseId}`);
    if (res.status === 200 && done(res.body)) return res.body;
    if (res.status === 200 && ['cancelled', 'expired', 'rejected'].includes(res.body.status))
      throw new Error(`${caseId} ended ${res.body.status} while waiting for ${what}`);
    await sleep(rand(400, 900));
  }
}

/** Standard Webhooks: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>. */
function signedGeneric(trackingNumber: string, status: string, occurredAt: Date) {
  const id = `msg_${randomUUID()}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const raw = JSON.stringify({
    type: 'tracking.updated',
    data: { trackingNumber, status, occurredAt: occurredAt.toISOString(), location: 'Reykjavik terminal' },
  });
  const key = Buffer.from(GENERIC_SECRET.slice('whsec_'.length), 'base64');
  const sig = createHmac('sha256', key).update(`${id}.${timestamp}.${raw}`).digest('base64');
  return { raw, headers: { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${sig}` } };
}

async function deliverParcel(ctx: RunCtx, trackingNumber: string, viaWebhooks: boolean) {
  if (!viaWebhooks) {
    const res = await ctx.api.call('POST', '/v1/scans', { trackingNumber });
    if (res.status >= 300 && res.status !== 409) throw new Error(`scan ${trackingNumber}: ${JSON.stringify(res.body)}`);
    return;
  }
  // Every event 3 times, shuffled (delivered may come before in transit), all at once.
  const t = Date.now();
  const events = [
    signedGeneric(trackingNumber, 'in_transit', new Date(t - 60_000)),
    signedGeneric(trackingNumber, 'delivered', new Date(t)),
  ];
  const deliveries = events.flatMap((e) => [e, e, e]).sort(() => Math.random() - 0.5);
  await Promise.all(
    deliveries.map(async (e) => {
      await sleep(Math.random() * 50);
      const res = await ctx.api.call('POST', '/v1/webhooks/carriers/generic', e.raw, e.headers);
      if (res.status >= 300) throw new Error(`webhook ${trackingNumber}: ${res.status} ${JSON.stringify(res.body)}`);
    }),
  );
}

async function inspect(ctx: RunCtx, caseId: string) {
  for (;;) {
    const res = await ctx.api.call('POST', `/v1/returns/${caseId}/inspection`, {
      lines: [{ orderLineId: 'L1', condition: 'new', disposition: 'restock' }],
    });
    if (res.status < 300) return;
    // Already inspected by an earlier attempt whose answer was lost, or not received yet.
    const now = await ctx.api.call('GET', `/v1/returns/${caseId}`);
    if (['inspected', 'completed'].includes(now.body?.status) || now.body?.waitingFor === 'refund') return;
    if (res.status !== 409) throw new Error(`inspection ${caseId}: ${res.status} ${JSON.stringify(res.body)}`);
    await sleep(500);
  }
}

/** From the case on: label, parcel, inspection, completed. */
async function finishCase(ctx: RunCtx, caseId: string, viaWebhooks: boolean) {
  const labelled = await waitFor(ctx, caseId, (v) => Boolean(v.label?.trackingNumber), 'label');
  await deliverParcel(ctx, labelled.label.trackingNumber, viaWebhooks);
  await waitFor(
    ctx,
    caseId,
    (v) => v.waitingFor === 'inspection' || ['inspected', 'completed'].includes(v.status),
    'receipt',
  );
  await inspect(ctx, caseId);
  await waitFor(ctx, caseId, (v) => v.status === 'completed', 'completed');
}

async function driveCase(ctx: RunCtx, i: number, viaWebhooks = false) {
  const orderId = await seedOrder(ctx, i);
  const caseId = await createCase(ctx, orderId, i);
  await finishCase(ctx, caseId, viaWebhooks);
}

/** Runs `count` tasks, `limit` at a time; failures are logged (the counts in the database tell the result). */
async function pool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
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

async function until(cond: () => boolean, deadline: number) {
  while (!cond() && Date.now() < deadline) await sleep(200);
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const SCENARIOS: Scenario[] = [
  {
    id: '1',
    name: 'worker SIGKILL x5',
    async run(ctx) {
      await ctx.fleet.startApi(1);
      await ctx.fleet.startWorker(1);
      await seedScenario(ctx);
      let running = true;
      const cases = pool(CASES, CONCURRENCY, (i) => driveCase(ctx, i)).finally(() => (running = false));
      const faults = (async () => {
        await until(() => ctx.progress.created >= Math.min(3, CASES), ctx.deadline);
        for (let k = 0; k < 5 && running; k++) {
          await sleep(rand(1500, 6000));
          log(`  SIGKILL worker (${k + 1}/5)`);
          await ctx.fleet.killWorker(1);
          ctx.progress.faults++;
          await sleep(rand(200, 1500));
          await ctx.fleet.startWorker(1);
        }
      })();
      await Promise.all([cases, faults]);
      return [];
    },
  },
  {
    id: '2',
    name: 'Temporal server restart',
    async run(ctx) {
      await ctx.fleet.startApi(1);
      await ctx.fleet.startWorker(1);
      await seedScenario(ctx);
      const cases = pool(CASES, CONCURRENCY, (i) => driveCase(ctx, i));
      const fault = (async () => {
        await until(() => ctx.progress.created >= Math.ceil(CASES / 3), ctx.deadline);
        log('  stopping the Temporal server');
        await ctx.temporal.stop();
        ctx.progress.faults++;
        await sleep(QUICK ? 5000 : 15_000);
        log('  starting the Temporal server again (same state file)');
        await ctx.temporal.start();
      })();
      await Promise.all([cases, fault]);
      return [];
    },
  },
  {
    id: '3',
    name: 'PostgreSQL down 30 s',
    needsOwnPostgres: true,
    async run(ctx) {
      await ctx.fleet.startApi(1);
      await ctx.fleet.startWorker(1);
      await seedScenario(ctx);
      const cases = pool(CASES, CONCURRENCY, (i) => driveCase(ctx, i));
      const fault = (async () => {
        await until(() => ctx.progress.created >= Math.ceil(CASES / 3), ctx.deadline);
        log('  pg_ctl stop -m fast; 30 s without PostgreSQL');
        await ctx.pg!.stop();
        ctx.progress.faults++;
        await sleep(30_000);
        await ctx.pg!.start();
        log('  PostgreSQL is back');
      })();
      await Promise.all([cases, fault]);
      return [];
    },
  },
  {
    id: '4',
    name: 'carrier webhooks x3, shuffled',
    async run(ctx) {
      await ctx.fleet.startApi(1);
      await ctx.fleet.startWorker(1);
      await seedScenario(ctx);
      await pool(CASES, CONCURRENCY, (i) => driveCase(ctx, i, true));
      return [];
    },
  },
  {
    id: '5',
    name: 'API killed after commit, before start',
    async run(ctx) {
      const proxy = freezableProxy(Number(ctx.stack.temporalAddress.split(':')[1]));
      const proxyPort = await proxy.listen();
      const apiPort = await ctx.fleet.startApi(1, undefined, `127.0.0.1:${proxyPort}`);
      await ctx.fleet.startWorker(1);
      await seedScenario(ctx);
      const half = Math.ceil(CASES / 2);
      // Every order first, so the batch below only opens cases.
      await pool(CASES, CONCURRENCY, async (i) => void (await seedOrder(ctx, i)));
      const normal = pool(half, CONCURRENCY, (i) => driveCase(ctx, i));
      await until(() => ctx.progress.created >= Math.min(half, 3), ctx.deadline);

      log(`  freezing the API's Temporal connection; opening ${CASES - half} cases`);
      proxy.freeze(true);
      const batch = Array.from({ length: CASES - half }, (_, k) => half + k);
      const posts = batch.map((i) =>
        ctx.api
          .once('POST', '/v1/returns', returnBody(`${ctx.prefix}-O${i}`, i, ctx.sku), {
            'idempotency-key': `${ctx.prefix}-K${i}`,
          })
          .catch(() => undefined),
      );
      const orderIds = batch.map((i) => `${ctx.prefix}-O${i}`);
      const committed = async () =>
        (await ctx.sql`select order_id, id from return_cases where order_id = any(${orderIds})`).map(
          (r) => [r.order_id as string, r.id as string] as const,
        );
      const waitUntil = Date.now() + 8000;
      while ((await committed()).length < batch.length && Date.now() < waitUntil) await sleep(100);
      log('  SIGKILL the API');
      await ctx.fleet.killApi(1);
      proxy.freeze(false);
      await Promise.all(posts);
      await proxy.close();
      const orphans = new Map(await committed());
      ctx.progress.faults = orphans.size;
      log(`  ${orphans.size} cases committed without their workflow start; restarting the API`);
      await ctx.fleet.startApi(1, apiPort);

      const reconciler = await hasReconciler(ctx.stack.temporalAddress);
      const notes = [
        `${orphans.size} orphaned`,
        reconciler ? 'reconciler schedule present' : 'no reconcile-cases schedule: orphans cannot recover',
      ];
      // Without a reconciler the orphans wait for nothing: give them a short grace, not the full deadline.
      // With one, allow its minute of grace and a round of the schedule on top of the usual deadline.
      const orphanDeadline = reconciler
        ? Math.max(ctx.deadline, Date.now() + 4 * 60_000)
        : Math.min(ctx.deadline, Date.now() + 30_000);
      const orphanApi = new Api(() => ctx.fleet.apiUrls(), orphanDeadline);
      const orphanCtx = { ...ctx, api: orphanApi };
      await Promise.all([
        normal,
        pool(batch.length, CONCURRENCY, async (k) => {
          const i = batch[k]!;
          const orderId = `${ctx.prefix}-O${i}`;
          const caseId = orphans.get(orderId);
          // Killed before it committed anything: a client retries (same Idempotency-Key).
          if (!caseId) return driveCase(ctx, i);
          ctx.progress.created++;
          await finishCase(orphanCtx, caseId, false);
        }),
      ]);
      return notes;
    },
  },
  {
    id: '6',
    name: '2 APIs + 2 workers',
    async run(ctx) {
      await Promise.all([ctx.fleet.startApi(1), ctx.fleet.startApi(2)]);
      await Promise.all([ctx.fleet.startWorker(1), ctx.fleet.startWorker(2)]);
      await seedScenario(ctx);
      await pool(CASES, CONCURRENCY, (i) => driveCase(ctx, i));
      return [];
    },
  },
];

async function hasReconciler(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address });
  try {
    await new Client({ connection }).schedule.getHandle('reconcile-cases').describe();
    return true;
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Counting, in PostgreSQL, by business key

interface Result {
  name: string;
  started: number;
  completed: number;
  lost: number;
  duplicates: number;
  stock: number;
  creditNotes: number;
  refunds: number;
  emails: number;
  shipments: number;
  /** How many times the fault hit (worker kills, orphaned cases …): a fault that never hit proves nothing. */
  faults: number;
  notes: string[];
  error?: string;
}

async function count(sql: postgres.Sql, prefix: string) {
  const cases = await sql`select id, status from return_cases where order_id like ${prefix + '-%'}`;
  const ids = cases.map((c) => c.id as string);
  // Each: rows beyond the first per case and step. A step's key is looser than its unique index
  // where it can be, so a second row under another name still counts.
  const extra = async (table: string, key: string) => {
    const rows = await sql.unsafe(
      `select coalesce(sum(n - 1), 0)::int as extra from (select count(*) as n from ${table}
        where case_id = any($1) group by case_id, ${key} having count(*) > 1) d`,
      [ids],
    );
    return Number(rows[0]!.extra);
  };
  const [rows] = await sql`select
      (select count(*) from stock_movements where case_id = any(${ids}))::int as stock,
      (select count(*) from credit_notes where case_id = any(${ids}))::int as credit,
      (select count(*) from refunds where case_id = any(${ids}))::int as refunds,
      (select count(*) from outbound_emails where case_id = any(${ids}))::int as emails,
      (select count(*) from shipments where case_id = any(${ids}))::int as shipments`;
  return {
    rows: `rows: ${rows!.stock} stock, ${rows!.credit} credit, ${rows!.refunds} refund, ${rows!.emails} email, ${rows!.shipments} shipment`,
    started: cases.length,
    completed: cases.filter((c) => c.status === 'completed').length,
    stock: await extra('stock_movements', 'order_line_id, sign(quantity)'),
    creditNotes: await extra('credit_notes', 'purpose'),
    refunds: (await extra('refunds', 'slot')) + (await extra('store_credit_entries', 'sign(amount)')),
    emails: await extra('outbound_emails', 'kind'),
    shipments: await extra('shipments', 'sku'),
  };
}

// ---------------------------------------------------------------------------------------------

function printTable(results: Result[]) {
  const head = ['scenario', 'started', 'completed', 'lost', 'dup stock', 'dup credit', 'dup refund', 'dup email'];
  const rows = results.map((r) => [
    r.name,
    r.started,
    r.completed,
    r.lost,
    r.stock,
    r.creditNotes,
    r.refunds,
    r.emails,
    r.shipments,
    r.notes.join('; '),
  ]);
  const header = [...head, 'dup shipment', 'notes'];
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: (string | number)[]) =>
    cells
      .map((c, k) =>
        k === 0 || k === cells.length - 1 ? String(c).padEnd(widths[k]!) : String(c).padStart(widths[k]!),
      )
      .join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
}

async function main() {
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
    log(`${name}: ${CASES} cases`);
    const t0 = Date.now();
    const fleet = new Fleet(stack);
    const deadline = t0 + DEADLINE_MS;
    const prefix = `CH${RUN}S${scenario.id}`.toUpperCase();
    const ctx: RunCtx = {
      stack,
      fleet,
      api: new Api(() => fleet.apiUrls(), deadline),
      prefix,
      deadline,
      sku: `${prefix}-SKU`,
      progress: { created: 0, done: 0, faults: 0 },
      temporal,
      pg,
      sql,
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
    const counted = await withRetry(() => count(sql, prefix));
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
    results.push(result);
    log(`${name}: ${result.completed}/${result.started} completed, ${result.lost} lost, ${duplicates} duplicates`);
  }
  await sql.end({ timeout: 5 });
  await temporal.stop();
  if (pg) await pg.release();

  log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  printTable(results);
  const lost = results.reduce((s, r) => s + r.lost, 0);
  const duplicates = results.reduce((s, r) => s + r.duplicates, 0);
  console.log(
    JSON.stringify({
      scenarios: results.map(({ name, started, completed, lost, duplicates, faults, error }) => ({
        name,
        started,
        completed,
        lost,
        duplicates,
        faults,
        ...(error ? { error } : {}),
      })),
      lost,
      duplicates,
    }),
  );
  // A scenario that could not run proves nothing: that fails the run too.
  return lost + duplicates > 0 || results.some((r) => r.error) ? 1 : 0;
}

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

main().then(
  (code) => {
    cleanupSync();
    process.exit(code);
  },
  (err) => {
    console.error(err);
    cleanupSync();
    process.exit(2);
  },
);
