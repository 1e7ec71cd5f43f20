import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The short chaos run (minutes of real processes) starts first, so the other files run beside it, not after it. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isChaos = (f: TestSpecification) => f.moduleId.includes('/test/chaos/');
    return [...sorted.filter(isChaos), ...sorted.filter((f) => !isChaos(f))];
  }
}

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
    sequence: { sequencer: LongestFirst },
  },
});
