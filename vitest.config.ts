import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Once per run: the Temporal dev server all files share, the workflow bundle, and the migrated
    // database (PostgreSQL in place; an embedded snapshot each file loads into its own PGlite).
    globalSetup: ['test/support/global-setup.ts'],
    // Each file keeps its own process, database, worker and task queue (and a time-skipping server
    // where it needs one). With no server start per file, two at a time fits two cores: more
    // workers measured within noise here.
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
