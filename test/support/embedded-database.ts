/**
 * The embedded database of a test file, started from a snapshot: the global setup creates and
 * migrates one database per run and dumps its data directory; every file loads that instead of
 * running initdb and the migrations again (a few hundred ms instead of seconds).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { MIGRATIONS_DIR, openDatabase, type Database } from '../../db/client.js';

/** Creates a migrated in-memory database and writes its data directory (a tar file) to `path`. */
export async function writeMigratedSnapshot(path: string): Promise<void> {
  const client = await PGlite.create('memory://');
  try {
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    const dump = await client.dumpDataDir('none');
    await writeFile(path, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await client.close();
  }
}

/** An in-memory database of its own (as db/client.ts opens it), loaded from the snapshot at `path`. */
export async function openSnapshot(path: string): Promise<Database> {
  return openDatabase({ embeddedDir: 'memory://', loadDataDir: await readFile(path), migrate: false });
}
