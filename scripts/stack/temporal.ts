/** A Temporal dev server with its state in a file (so it can be stopped and restarted with its state). */
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { resolveTemporalBinary } from '../../runtime/temporal-binary.js';
import { CASE_SEARCH_ATTRIBUTES } from '../../workflows/messages.js';
import { freePort, sleep, startProcess, stopProcess, type Proc } from './processes.js';

const SA_TYPE_FLAG: Record<string, string> = { KEYWORD: 'Keyword', DATETIME: 'Datetime', TEXT: 'Text' };

export interface TemporalServer {
  address: string;
  /** The server process while it runs (its pid for CPU and memory readings). */
  proc(): Proc | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function temporalServer(
  dir: string,
  log: (msg: string) => void,
  extraSearchAttributes: string[] = [],
): Promise<TemporalServer> {
  const binary = await resolveTemporalBinary('cli', { log });
  if (!binary) throw new Error('no Temporal CLI found (npm run temporal:install)');
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const address = `127.0.0.1:${port}`;
  const argv = [
    'server',
    'start-dev',
    '--db-filename',
    join(dir, 'temporal.sqlite'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(httpPort),
    '--metrics-port',
    String(metricsPort),
    '--headless',
    '--log-level',
    'error',
    ...CASE_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${SA_TYPE_FLAG[k.type] ?? k.type}`]),
    ...extraSearchAttributes.flatMap((a) => ['--search-attribute', a]),
  ];
  let proc: Proc | undefined;
  const start = async () => {
    proc = startProcess('temporal', binary, argv, process.env, join(dir, 'temporal.log'));
    const until = Date.now() + 60_000;
    for (;;) {
      if (proc.child.exitCode !== null) throw new Error(`temporal server exited (${proc.child.exitCode})`);
      try {
        const connection = await Connection.connect({ address, connectTimeout: 1000 });
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        await connection.close();
        return;
      } catch (err) {
        if (Date.now() > until) throw new Error(`Temporal not ready on ${address}: ${(err as Error).message}`);
        await sleep(250);
      }
    }
  };
  await start();
  return {
    address,
    proc: () => proc,
    start,
    stop: async () => {
      if (proc) await stopProcess(proc, 'SIGTERM', 15_000);
    },
  };
}
