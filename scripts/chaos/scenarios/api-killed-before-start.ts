/**
 * Scenario 5: the API SIGKILLed while cases it committed wait to start their workflows (its Temporal
 * connection frozen); the reconciler schedule must start them.
 */
import { Client, Connection } from '@temporalio/client';
import { sleep } from '../../stack/processes.js';
import { driveCase, finishCase, returnBody, seedOrder, seedScenario } from '../cases.js';
import { freezableProxy } from '../proxy.js';
import { chaosApi, pool, until, type Scenario } from '../scenario.js';
import { CASES, CONCURRENCY, log } from '../settings.js';

export const apiKilledBeforeStart: Scenario = {
  id: '5',
  name: 'API killed after commit, before start',
  async run(ctx) {
    const proxy = freezableProxy(Number(ctx.stack.temporalAddress.split(':')[1]));
    const proxyPort = await proxy.listen();
    const apiPort = await ctx.fleet.startApi(1, undefined, `127.0.0.1:${proxyPort}`);
    await ctx.fleet.startWorker(1);
    await seedScenario(ctx);
    const half = Math.ceil(CASES / 2);
    // Every order first, so the batch below only opens cases.
    await pool(CASES, CONCURRENCY, async (i) => void (await seedOrder(ctx, i)));
    const normal = pool(half, CONCURRENCY, (i) => driveCase(ctx, i));
    await until(() => ctx.progress.created >= Math.min(half, 3), ctx.deadline);

    log(`  freezing the API's Temporal connection; opening ${CASES - half} cases`);
    proxy.freeze(true);
    const batch = Array.from({ length: CASES - half }, (_, k) => half + k);
    const posts = batch.map((i) =>
      ctx.api
        .once('POST', '/v1/returns', returnBody(`${ctx.prefix}-O${i}`, i, ctx.sku), {
          'idempotency-key': `${ctx.prefix}-K${i}`,
        })
        .catch(() => undefined),
    );
    const orderIds = batch.map((i) => `${ctx.prefix}-O${i}`);
    const committed = async () =>
      (await ctx.sql`select order_id, id from return_cases where order_id = any(${orderIds})`).map(
        (r) => [r.order_id as string, r.id as string] as const,
      );
    const waitUntil = Date.now() + 8000;
    while ((await committed()).length < batch.length && Date.now() < waitUntil) await sleep(100);
    log('  SIGKILL the API');
    await ctx.fleet.killApi(1);
    proxy.freeze(false);
    await Promise.all(posts);
    await proxy.close();
    const orphans = new Map(await committed());
    ctx.progress.faults = orphans.size;
    log(`  ${orphans.size} cases committed without their workflow start; restarting the API`);
    await ctx.fleet.startApi(1, apiPort);

    const reconciler = await hasReconciler(ctx.stack.temporalAddress);
    const notes = [
      `${orphans.size} orphaned`,
      reconciler ? 'reconciler schedule present' : 'no reconcile-cases schedule: orphans cannot recover',
    ];
    // Without a reconciler the orphans wait for nothing: give them a short grace, not the full deadline.
    // With one, allow its minute of grace and a round of the schedule on top of the usual deadline.
    const orphanDeadline = reconciler
      ? Math.max(ctx.deadline, Date.now() + 4 * 60_000)
      : Math.min(ctx.deadline, Date.now() + 30_000);
    const orphanApi = chaosApi(ctx.fleet, orphanDeadline);
    const orphanCtx = { ...ctx, api: orphanApi };
    await Promise.all([
      normal,
      pool(batch.length, CONCURRENCY, async (k) => {
        const i = batch[k]!;
        const orderId = `${ctx.prefix}-O${i}`;
        const caseId = orphans.get(orderId);
        // Killed before it committed anything: a client retries (same Idempotency-Key).
        if (!caseId) return driveCase(ctx, i);
        ctx.progress.created++;
        await finishCase(orphanCtx, caseId, false);
      }),
    ]);
    return notes;
  },
};

async function hasReconciler(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address });
  try {
    await new Client({ connection }).schedule.getHandle('reconcile-cases').describe();
    return true;
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}
