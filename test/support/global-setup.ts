/**
 * Once per `npm test`: make sure the Temporal binaries are there (installing them on a new
 * machine), start the one Temporal dev server every test file shares, bundle the workflow code
 * once for every test worker, and migrate the database: PostgreSQL in place, or an embedded one
 * whose snapshot each file then loads.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../db/client.js';
import { resolveTemporalBinary } from '../../runtime/temporal-binary.js';
import { bundleWorkflows } from '../../scripts/bundle-workflows.js';
import { writeMigratedSnapshot } from './embedded-database.js';
import { startDevServer, type DevServer } from './temporal-dev-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    workflowBundle: string;
    /** host:port of the shared dev server; absent when the CLI is left to the SDK to download. */
    temporalAddress: string | undefined;
    /** A migrated embedded database to load (without DATABASE_URL). */
    embeddedDatabaseSnapshot: string | undefined;
  }
}

export default async function setup(project: TestProject) {
  const cacheDir = resolve(join('.cache', 'test'));
  mkdirSync(cacheDir, { recursive: true });
  const bundlePath = join(cacheDir, `workflow-bundle-${process.pid}.js`);
  const snapshot = process.env.DATABASE_URL ? undefined : join(cacheDir, `embedded-db-${process.pid}.tar`);
  const [cli] = await Promise.all([resolveTemporalBinary('cli'), resolveTemporalBinary('test-server')]);
  let server: DevServer | undefined;
  const cleanUp = async () => {
    await server?.stop();
    for (const file of [bundlePath, snapshot]) if (file) rmSync(file, { force: true });
  };
  try {
    const [bundle] = await Promise.all([
      bundleWorkflows(bundlePath),
      // Without a local CLI (TEMPORAL_ALLOW_DOWNLOAD=1) each file lets the SDK start its own.
      cli ? startDevServer(cli).then((s) => (server = s)) : undefined,
      snapshot
        ? writeMigratedSnapshot(snapshot)
        : openDatabase({ url: process.env.DATABASE_URL }).then((database) => database.close()),
    ]);
    project.provide('workflowBundle', bundle);
    project.provide('temporalAddress', server?.address);
    project.provide('embeddedDatabaseSnapshot', snapshot);
  } catch (err) {
    await cleanUp();
    throw err;
  }
  return cleanUp;
}
