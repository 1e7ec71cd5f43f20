/**
 * Cases in flight must survive workflow code changes: every committed history (test/histories,
 * recorded by `npm run histories:record`) replays against the current workflow code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, inject, it } from 'vitest';

const dir = join(import.meta.dirname, '..', 'histories');
const histories = readdirSync(dir)
  .filter((f) => f.endsWith('.history.pb'))
  .map((f) => ({ workflowId: f, history: proto.temporal.api.history.v1.History.decode(readFileSync(join(dir, f))) }));

describe('replay of committed histories', () => {
  it('has histories of every end state to replay', () => {
    const names = histories.map((h) => h.workflowId).join(' ');
    for (const end of ['completed', 'cancelled', 'expired', 'stuck']) expect(names).toContain(end);
  });

  it('replays each against the current workflow code', async () => {
    const results = [];
    for await (const r of Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundle') } },
      histories,
    )) {
      results.push({ id: r.workflowId, error: r.error ? String(r.error) : undefined });
    }
    expect(results).toHaveLength(histories.length);
    expect(results.filter((r) => r.error)).toEqual([]);
  });

  it('rejects an incompatible change (the check has teeth)', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(import.meta.dirname, '..', 'fixtures', 'incompatible-return-case.ts'),
      logger: undefined,
    });
    const completed = histories.find((h) => h.workflowId.includes('completed'))!;
    await expect(
      Worker.runReplayHistory({ workflowBundle: { code } }, completed.history, completed.workflowId),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
