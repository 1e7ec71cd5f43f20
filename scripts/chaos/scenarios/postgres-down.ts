/** Scenario 3: PostgreSQL stopped for 30 s a third of the way in (only a server this run started). */
import { sleep } from '../../stack/processes.js';
import { casesWithFault, startOneOfEach, type Scenario } from '../scenario.js';
import { log } from '../settings.js';

export const postgresDown: Scenario = {
  id: '3',
  name: 'PostgreSQL down 30 s',
  needsOwnPostgres: true,
  async run(ctx) {
    await startOneOfEach(ctx);
    await casesWithFault(ctx, async () => {
      log('  pg_ctl stop -m fast; 30 s without PostgreSQL');
      await ctx.pg!.stop();
      ctx.progress.faults++;
      await sleep(30_000);
      await ctx.pg!.start();
      log('  PostgreSQL is back');
    });
    return [];
  },
};
