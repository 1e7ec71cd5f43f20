/** Scenario 6: no fault injected, two API processes and two workers sharing the cases. */
import { driveCase, seedScenario } from '../cases.js';
import { pool, type Scenario } from '../scenario.js';
import { CASES, CONCURRENCY } from '../settings.js';

export const twoOfEach: Scenario = {
  id: '6',
  name: '2 APIs + 2 workers',
  async run(ctx) {
    await Promise.all([ctx.fleet.startApi(1), ctx.fleet.startApi(2)]);
    await Promise.all([ctx.fleet.startWorker(1), ctx.fleet.startWorker(2)]);
    await seedScenario(ctx);
    await pool(CASES, CONCURRENCY, (i) => driveCase(ctx, i));
    return [];
  },
};
