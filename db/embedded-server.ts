/**
 * The embedded database (PGlite) in a worker thread of its own, served over the PostgreSQL wire
 * protocol on loopback (pglite-socket). PGlite executes on the thread that owns it; on the main
 * thread it took most of the event loop the API and the worker need (bench: ~40 % of the dev
 * process). Over the socket the process talks to it through postgres.js, as to a PostgreSQL server.
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface EmbeddedServer {
  /** postgres://… of the server on 127.0.0.1. */
  url: string;
  /** Stops serving, closes PGlite (a directory is left consistent) and ends the thread. */
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  /** A directory, or `memory://`. */
  dataDir: string;
  /** A data directory dump (PGlite's dumpDataDir) to start from; memory only. */
  loadDataDir?: Uint8Array;
}

const require = createRequire(import.meta.url);

/**
 * The thread's code, CommonJS by path: a worker given a .ts file would not be transpiled under
 * tsx or vitest, and this needs nothing but the two packages.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
const { PGLiteSocketServer } = require(workerData.socket);
(async () => {
  const loadDataDir = workerData.loadDataDir ? new Blob([workerData.loadDataDir]) : undefined;
  const db = await PGlite.create({ dataDir: workerData.dataDir, ...(loadDataDir ? { loadDataDir } : {}) });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  parentPort.on('message', async (m) => {
    if (m !== 'stop') return;
    await server.stop().catch(() => {});
    await db.close().catch(() => {});
    parentPort.postMessage({ stopped: true });
  });
  parentPort.postMessage({ address: server.getServerConn() });
})().catch((err) => parentPort.postMessage({ error: String(err && err.stack || err) }));
`;

type ThreadMessage = { address: string } | { error: string } | { stopped: true };

export async function startEmbeddedServer(opts: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: {
      pglite: require.resolve('@electric-sql/pglite'),
      socket: require.resolve('@electric-sql/pglite-socket'),
      dataDir: opts.dataDir,
      loadDataDir: opts.loadDataDir,
    },
  });
  const [first] = (await Promise.race([
    once(worker, 'message'),
    once(worker, 'error').then(([e]) => [{ error: String(e) }]),
  ])) as [ThreadMessage];
  if (!('address' in first)) {
    await worker.terminate();
    throw new Error(`embedded database did not start: ${'error' in first ? first.error : 'no address'}`);
  }
  const [host, port] = first.address.split(':');
  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    stop: () =>
      (stopping ??= (async () => {
        const stopped = once(worker, 'message');
        worker.postMessage('stop');
        await Promise.race([stopped, once(worker, 'exit'), new Promise((r) => setTimeout(r, 10_000).unref())]);
        await worker.terminate();
      })()),
  };
}
