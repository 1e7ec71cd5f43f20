/** Scenario 4: every parcel reported by carrier webhooks, each event three times, shuffled. */
import { driveCase } from '../cases.js';
import { pool, startOneOfEach, type Scenario } from '../scenario.js';
import { CASES, CONCURRENCY } from '../settings.js';

export const shuffledWebhooks: Scenario = {
  id: '4',
  name: 'carrier webhooks x3, shuffled',
  async run(ctx) {
    await startOneOfEach(ctx);
    await pool(CASES, CONCURRENCY, (i) => driveCase(ctx, i, true));
    return [];
  },
};
