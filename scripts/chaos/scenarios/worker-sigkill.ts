/** Scenario 1: the worker SIGKILLed five times at random moments, restarted each time. */
import { sleep } from '../../stack/processes.js';
import { driveCase } from '../cases.js';
import { pool, startOneOfEach, until, type Scenario } from '../scenario.js';
import { CASES, CONCURRENCY, log, rand } from '../settings.js';

export const workerSigkill: Scenario = {
  id: '1',
  name: 'worker SIGKILL x5',
  async run(ctx) {
    await startOneOfEach(ctx);
    let running = true;
    const cases = pool(CASES, CONCURRENCY, (i) => driveCase(ctx, i)).finally(() => (running = false));
    const faults = (async () => {
      await until(() => ctx.progress.created >= Math.min(3, CASES), ctx.deadline);
      for (let k = 0; k < 5 && running; k++) {
        await sleep(rand(1500, 6000));
        log(`  SIGKILL worker (${k + 1}/5)`);
        await ctx.fleet.killWorker(1);
        ctx.progress.faults++;
        await sleep(rand(200, 1500));
        await ctx.fleet.startWorker(1);
      }
    })();
    await Promise.all([cases, faults]);
    return [];
  },
};
