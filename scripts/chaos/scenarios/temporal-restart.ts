/** Scenario 2: the Temporal server stopped a third of the way in, and started again on its state file. */
import { sleep } from '../../stack/processes.js';
import { casesWithFault, startOneOfEach, type Scenario } from '../scenario.js';
import { log, QUICK } from '../settings.js';

export const temporalRestart: Scenario = {
  id: '2',
  name: 'Temporal server restart',
  async run(ctx) {
    await startOneOfEach(ctx);
    await casesWithFault(ctx, async () => {
      log('  stopping the Temporal server');
      await ctx.temporal.stop();
      ctx.progress.faults++;
      await sleep(QUICK ? 5000 : 15_000);
      log('  starting the Temporal server again (same state file)');
      await ctx.temporal.start();
    });
    return [];
  },
};
