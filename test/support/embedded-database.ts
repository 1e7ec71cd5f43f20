/**
 * The embedded database (PGlite, in memory) of a test file, started from a snapshot: the global
 * setup creates and migrates one database per run and dumps its data directory; every file loads
 * that instead of running initdb and the migrations again (a few hundred ms instead of seconds).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrateDatabase, type Database, type Db } from '../../db/client.js';
import * as schema from '../../db/schema.js';

/** The same handle db/client.ts's openDatabase gives for an embedded database. */
function embedded(client: PGlite): Database {
  return {
    db: drizzle(client, { schema }) as unknown as Db,
    kind: 'embedded',
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

/** Creates a migrated in-memory database and writes its data directory (a tar file) to `path`. */
export async function writeMigratedSnapshot(path: string): Promise<void> {
  const client = await PGlite.create('memory://');
  try {
    await migrateDatabase(embedded(client));
    const dump = await client.dumpDataDir('none');
    await writeFile(path, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await client.close();
  }
}

/** An in-memory database of its own, loaded from the snapshot at `path`. */
export async function openSnapshot(path: string): Promise<Database> {
  const loadDataDir = new Blob([await readFile(path)]);
  return embedded(await PGlite.create({ dataDir: 'memory://', loadDataDir }));
}
