/**
 * The stack of one run: API and worker processes, restarted at will, and a supervisor that restarts
 * one that died on its own (as systemd or Kubernetes would) and counts it.
 */
import { join } from 'node:path';
import { freePort, logTail, sleep, startProcess, stopProcess, waitForOutput, type Proc } from '../stack/processes.js';
import { ADMIN_API_KEY, GENERIC_SECRET, LINK_SECRET, log } from './settings.js';

export interface Stack {
  databaseUrl: string;
  temporalAddress: string;
  workDir: string;
  distDir: string;
}

export class Fleet {
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
