/**
 * One database handle for the whole process: PostgreSQL through postgres.js when DATABASE_URL is
 * set, else an embedded PostgreSQL (PGlite, in a thread of its own) kept under DATA_DIR.
 * Migrations apply at open.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { startEmbeddedServer } from './embedded-server.js';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'embedded';
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** db/migrations beside this module; `npm run build` copies it next to the compiled file. */
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface DatabaseOptions {
  /** postgres://… ; unset → embedded. */
  url?: string;
  /** Embedded data directory; `memory://` keeps it in memory (tests). */
  embeddedDir?: string;
  /** postgres.js pool size per process. */
  poolSize?: number;
  migrate?: boolean;
  /** Embedded, in memory: a data directory dump to start from (tests load a migrated one). */
  loadDataDir?: Uint8Array;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    if (opts.migrate !== false) await migratePostgres(opts.url);
    return openPostgres(opts.url, opts.poolSize ?? 10);
  }
  return openEmbedded(opts.embeddedDir ?? 'memory://', opts);
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const { client, db } = await connect(url, max);
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await client`select 1`;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function connect(url: string, max: number) {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const client = postgres(url, { max, onnotice: () => {} });
  return { client, db: drizzle(client, { schema }) as unknown as Db };
}

/**
 * PGlite in a thread of its own behind a loopback socket (db/embedded-server.ts), spoken to
 * through postgres.js as PostgreSQL is: one connection, since PGlite runs one statement at a time.
 */
async function openEmbedded(dir: string, opts: DatabaseOptions): Promise<Database> {
  const dataDir = dir.startsWith('memory://') ? dir : resolve(dir);
  if (!dataDir.startsWith('memory://')) mkdirSync(dirname(dataDir), { recursive: true });
  const server = await startEmbeddedServer({
    dataDir,
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
  });
  try {
    const { client, db } = await connect(server.url, 1);
    if (opts.migrate !== false) {
      const { migrate } = await import('drizzle-orm/postgres-js/migrator');
      await migrate(db as never, { migrationsFolder: MIGRATIONS_DIR });
    }
    return {
      db,
      kind: 'embedded',
      ping: async () => {
        await client`select 1`;
      },
      close: async () => {
        await client.end({ timeout: 5 });
        await server.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/** Several API and worker processes may start at once: one migrates under an advisory lock on its own connection. */
async function migratePostgres(url: string): Promise<void> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(727274)`;
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    await client`select pg_advisory_unlock(727274)`;
  } finally {
    await client.end({ timeout: 5 });
  }
}
