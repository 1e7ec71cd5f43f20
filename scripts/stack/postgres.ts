/** A throwaway PostgreSQL cluster in a temp dir on a free port (fsync off: for test and bench runs). */
import { execFile } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { asRoot, freePort, pgCommand, releasePgCluster, tempDir, trackPgCluster } from './processes.js';

const execFileAsync = promisify(execFile);

export interface PgCluster {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good (it is no longer stopped at exit). */
  release(): Promise<void>;
}

export async function startPostgres(database: string, maxConnections = 300): Promise<PgCluster> {
  const bins = (await execFileAsync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V'])).stdout
    .trim()
    .split('\n')
    .filter(Boolean);
  const bin = bins.at(-1);
  if (!bin) throw new Error('no PostgreSQL in /usr/lib/postgresql/*/bin: install postgresql or set DATABASE_URL');
  const dataDir = tempDir('stack-pg-');
  chmodSync(dataDir, 0o700);
  if (asRoot) await execFileAsync('chown', ['postgres:postgres', dataDir]);
  const port = await freePort();
  const run = async (tool: string, argv: string[]) => {
    const [cmd, full] = pgCommand(join(bin, tool), argv);
    await execFileAsync(cmd, full, { maxBuffer: 16 << 20 });
  };
  await run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres']);
  const start = () =>
    run('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      join(dataDir, 'server.log'),
      '-w',
      '-o',
      `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=${maxConnections}`,
      'start',
    ]);
  await start();
  trackPgCluster({ bin, dataDir });
  await run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database]);
  const stop = () => run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    start,
    stop,
    release: async () => {
      await stop().catch(() => {});
      releasePgCluster(dataDir);
    },
  };
}
