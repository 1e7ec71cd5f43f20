/**
 * Once per `npm test`: make sure the Temporal binaries are there (installing them on a new
 * machine), bundle the workflow code once for every test worker, and migrate PostgreSQL.
 */
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../db/client.js';
import { resolveTemporalBinary } from '../../runtime/temporal-binary.js';
import { bundleWorkflows } from '../../scripts/bundle-workflows.js';

declare module 'vitest' {
  export interface ProvidedContext {
    workflowBundle: string;
  }
}

export default async function setup(project: TestProject) {
  await Promise.all([resolveTemporalBinary('cli'), resolveTemporalBinary('test-server')]);
  const bundle = await bundleWorkflows(resolve(join('.cache', 'test', `workflow-bundle-${process.pid}.js`)));
  project.provide('workflowBundle', bundle);
  if (process.env.DATABASE_URL) {
    const database = await openDatabase({ url: process.env.DATABASE_URL });
    await database.close();
  }
}
