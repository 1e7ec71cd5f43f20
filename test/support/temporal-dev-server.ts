/**
 * One Temporal dev server (the CLI's `server start-dev`, in memory) for a whole test run: started
 * by the vitest global setup, shared by every test file. Files keep apart by their own task queue
 * and random case ids; the server is stopped at teardown (and killed if the run dies first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { CASE_SEARCH_ATTRIBUTES } from '../../workflows/messages.js';

export interface DevServer {
  /** host:port of the frontend gRPC service. */
  address: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `temporal server start-dev` with the case search attributes; resolves once it answers. */
export async function startDevServer(executable: string): Promise<DevServer> {
  let lastError: unknown;
  // A free port can be taken between probing and binding: try again on another one.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      executable,
      [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--headless',
        '--namespace',
        'default',
        '--log-level',
        'warn',
        ...CASE_SEARCH_ATTRIBUTES.flatMap((a) => [
          '--search-attribute',
          `${a.name}=${TypedSearchAttributes.toMetadataType(a.type)}`,
        ]),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const address = `127.0.0.1:${port}`;
    try {
      await waitUntilServing(child, address);
      return { address, stop: () => stopProcess(child) };
    } catch (err) {
      lastError = err;
      await stopProcess(child);
    }
  }
  throw lastError;
}

async function waitUntilServing(child: ChildProcess, address: string): Promise<void> {
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited (${signal ?? code}) before serving`;
  });
  child.once('error', (err) => {
    exited = err.message;
  });
  // Kill it with us if the run dies without its teardown.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`temporal dev server on ${address} ${exited}: ${stderr.trim()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        if (CASE_SEARCH_ATTRIBUTES.every((a) => customAttributes?.[a.name] !== undefined)) return;
      } finally {
        await connection.close();
      }
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline)
      throw new Error(
        `temporal dev server on ${address} did not answer within ${START_TIMEOUT_MS / 1000}s: ${stderr.trim()}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
